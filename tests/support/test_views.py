"""The support pages: who reaches what (the permission matrix), the forms through the
services, sensitive details kept to the branch and its superiors, query counts."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from chuangxian.support.models import (
    Allocation,
    Hardship,
    LaggingMark,
    PlanStatus,
    SupportPlan,
)
from chuangxian.support.services import care, funds
from tests.support.conftest import ACTOR, clean_photo, held_meeting, photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> dt.date:
    """The pages date things by the real day."""
    return timezone.localdate()


@pytest.fixture
def lagging_tree(tree, today):  # type: ignore[no-untyped-def]
    held_meeting(tree.branch_a1, today - dt.timedelta(days=20))
    held_meeting(tree.branch_b1, today - dt.timedelta(days=20))
    return tree


def _as(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "sees_a2"),
    [
        ("county_admin", True),
        ("town_admin", True),
        ("sibling_secretary", True),  # its own branch
        ("secretary", False),
        ("outsider", False),
    ],
)
def test_overview_matrix(client, lagging_tree, who, sees_a2):
    body = _as(client, getattr(lagging_tree, who)).get("/support/").content.decode()
    assert ("甲镇二村党支部" in body) is sees_a2
    assert "近一年未召开任何会议" in body or not sees_a2


def test_members_do_not_reach_the_staff_pages(client, lagging_tree):
    assert _as(client, lagging_tree.member_user).get("/support/").status_code == 404


def test_plan_through_the_pages(client, lagging_tree, today):
    tree = lagging_tree
    c = _as(client, tree.town_admin)
    home = c.get("/support/").content.decode()
    assert f"/support/plans/new/{tree.branch_a2.pk}/" in home
    response = c.post(
        f"/support/plans/new/{tree.branch_a2.pk}/",
        {"helpers": [tree.branch_a1.pk], "leader": "王镇长", "problems": "组织生活不正常"},
    )
    plan = SupportPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/support/plans/{plan.pk}/"
    bad = c.post(f"/support/plans/{plan.pk}/measures/", {"text": "", "owner": "", "due_on": ""})
    assert bad.status_code == 400
    c.post(
        f"/support/plans/{plan.pk}/measures/",
        {
            "text": "每月主题党日",
            "owner": "书记",
            "due_on": (today + dt.timedelta(days=9)).isoformat(),
        },
    )
    c.post(f"/support/plans/{plan.pk}/start/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    # The branch itself records the visit and the measure done; it may not accept.
    branch = _as(Client(), tree.sibling_secretary)
    visit = branch.post(
        f"/support/plans/{plan.pk}/visits/",
        {
            "visited_on": today.isoformat(),
            "visitors": "组织委员",
            "findings": "已整改",
            "photos": [photo_upload()],
        },
    )
    assert visit.status_code == 302
    measure = plan.measures.get()
    branch.post(
        f"/support/plans/{plan.pk}/measures/{measure.pk}/done/",
        {f"m{measure.pk}-done_on": today.isoformat(), f"m{measure.pk}-note": "已落实"},
    )
    branch.post(f"/support/plans/{plan.pk}/submit/")
    assert branch.post(f"/support/plans/{plan.pk}/accept/", {"conclusion": "好"}).status_code == 404
    page = c.get(f"/support/plans/{plan.pk}/").content.decode()
    assert "整顿验收" in page
    photo = plan.visits.get().photos.get()
    assert c.get(photo.get_absolute_url()).status_code == 200
    assert _as(Client(), tree.outsider).get(photo.get_absolute_url()).status_code == 404
    c.post(f"/support/plans/{plan.pk}/accept/", {"conclusion": "验收合格"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED


def test_outsider_cannot_open_a_plan_or_mark(client, lagging_tree):
    tree = lagging_tree
    c = _as(client, tree.outsider)
    assert c.get(f"/support/plans/new/{tree.branch_a2.pk}/").status_code == 404
    c.post("/support/marks/new/", {"organization": tree.branch_a1.pk, "reason": "乱认定"})
    assert not LaggingMark.objects.exists()
    # A branch secretary is not a superior of their own branch.
    s = _as(Client(), tree.sibling_secretary)
    assert s.get(f"/support/plans/new/{tree.branch_a2.pk}/").status_code == 404


def test_manual_mark_through_the_home_page(client, lagging_tree):
    tree = lagging_tree
    c = _as(client, tree.town_admin)
    c.post(
        f"/support/marks/new/?org={tree.town_a.code}",
        {"organization": tree.branch_a1.pk, "reason": "班子软弱"},
    )
    mark = LaggingMark.objects.get()
    assert "班子软弱" in c.get("/support/").content.decode()
    c.post(f"/support/marks/{mark.pk}/clear/", {"reason": "已核实"})
    mark.refresh_from_db()
    assert mark.cleared_at is not None


def test_hardship_details_only_for_the_branch_and_superiors(client, tree, today):
    hardship = care.hardship_record(
        actor=ACTOR,
        member=tree.member_a1,
        kind="illness",
        details="透析治疗",
        recorded_on=today,
        today=today,
    )
    url = f"/support/care/{hardship.pk}/"
    for who, status in [
        ("secretary", 200),
        ("town_admin", 200),
        ("county_admin", 200),
        ("sibling_secretary", 404),
        ("outsider", 404),
        ("member_user", 404),
    ]:
        response = _as(Client(), getattr(tree, who)).get(url)
        assert response.status_code == status, who
        if status == 200:
            assert "透析治疗" in response.content.decode()
    listing = _as(Client(), tree.sibling_secretary).get("/support/care/").content.decode()
    assert "张三" not in listing


def test_record_hardship_and_visit_through_the_pages(client, tree, today):
    c = _as(client, tree.secretary)
    c.post(
        "/support/care/",
        {
            "member": tree.member_a1.pk,
            "kind": "elderly",
            "details": "独居老人",
            "recorded_on": today.isoformat(),
        },
    )
    hardship = Hardship.objects.get()
    c.post(
        f"/support/care/{hardship.pk}/visits/",
        {"visited_on": today.isoformat(), "visitors": "书记", "given": "米、油", "amount": "200"},
    )
    page = c.get(f"/support/care/?org={tree.branch_a1.code}").content.decode()
    assert "100%" in page


def test_funds_pages_and_statement(client, tree, today):
    c = _as(client, tree.town_admin)
    c.post(
        f"/support/funds/?org={tree.town_a.code}",
        {
            "organization": tree.town_a.pk,
            "year": today.year,
            "kind": "work",
            "amount": "5000",
            "note": "",
        },
    )
    allocation = Allocation.objects.get()
    c.post(
        f"/support/funds/{allocation.pk}/pass/",
        {"organization": tree.branch_a1.pk, "amount": "2000"},
    )
    child = Allocation.objects.get(source=allocation)
    secretary = _as(Client(), tree.secretary)
    refused = secretary.post(
        f"/support/funds/{child.pk}/spend/",
        {
            "spent_on": today.isoformat(),
            "amount": "2500",
            "purpose": "桌椅",
            "receipt": photo_upload(),
        },
    )
    assert refused.status_code == 400
    assert "余额不足" in refused.content.decode()
    ok = secretary.post(
        f"/support/funds/{child.pk}/spend/",
        {
            "spent_on": today.isoformat(),
            "amount": "1500",
            "purpose": "桌椅",
            "receipt": photo_upload(),
        },
    )
    assert ok.status_code == 302
    spending = child.spendings.get()
    assert secretary.get(spending.get_absolute_url()).status_code == 200
    assert _as(Client(), tree.sibling_secretary).get(spending.get_absolute_url()).status_code == 404
    xlsx = c.get(
        f"/support/funds/statement/?org={tree.branch_a1.code}&year={today.year}&format=xlsx"
    )
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    page = c.get(f"/support/funds/statement/?org={tree.branch_a1.code}&year={today.year}")
    assert "500.00" in page.content.decode()


def test_guarantees_pages(client, tree):
    c = _as(client, tree.secretary)
    c.post(
        f"/support/guarantees/{tree.branch_a1.pk}/",
        {"met_fixed_pay": "on", "note_pension": "未参保"},
    )
    overview = _as(Client(), tree.town_admin).get("/support/guarantees/").content.decode()
    assert "有养老保险" in overview
    assert c.get(f"/support/guarantees/{tree.town_a.pk}/").status_code == 404


def test_pairings_page(client, tree, today):
    c = _as(client, tree.town_admin)
    c.post(
        "/support/pairings/",
        {
            "kind": "paired",
            "first": tree.branch_a1.pk,
            "second": "B1",
            "purpose": "共建",
            "started_on": today.isoformat(),
        },
    )
    other_side = _as(Client(), tree.outsider).get("/support/pairings/").content.decode()
    assert "甲镇一村党支部" in other_side


def test_overview_query_count(client, lagging_tree, today, django_assert_max_num_queries):
    c = _as(client, lagging_tree.county_admin)
    c.get("/support/")
    with django_assert_max_num_queries(30):
        assert c.get("/support/").status_code == 200


def test_funds_refusal_message_from_the_service(tree, today):
    allocation = funds.allocation_create(
        actor=ACTOR,
        organization=tree.branch_a1,
        year=today.year,
        kind="venue",
        amount=__import__("decimal").Decimal("10"),
        note="",
    )
    assert allocation.balance == 10
    assert clean_photo().is_image

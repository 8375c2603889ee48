"""党务公开: 提出 → 审核 (blocked by personal data) → 审批 → 公开, scope, withdrawal, tables
generated from the modules, the catalogue and its reminders."""

import datetime as dt

import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.openness import reminders, tables
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import (
    CatalogueItem,
    Disclosure,
    DisclosureKind,
    DisclosureScope,
    DisclosureStatus,
)
from chuangxian.openness.services import disclosures as svc
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>"


def _propose(tree, now, body="2026年第三季度发展党员2名，已按程序公示。", **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("scope", DisclosureScope.PUBLIC)
    return svc.disclosure_propose(
        actor=Actor(user=tree.worker),
        organization=tree.branch_a1,
        kind=DisclosureKind.RECRUITMENT,
        title="发展党员情况公示",
        body=body,
        today=now,
        **kwargs,
    )


def _through_review(tree, disclosure):  # type: ignore[no-untyped-def]
    svc.disclosure_submit(actor=Actor(user=tree.worker), disclosure=disclosure)
    svc.disclosure_review(actor=Actor(user=tree.secretary), disclosure=disclosure, confirmed=True)
    return svc.disclosure_approve(actor=Actor(user=tree.town_admin), disclosure=disclosure)


def test_the_whole_workflow_is_audited(tree, now):
    disclosure = _propose(tree, now)
    approved = _through_review(tree, disclosure)
    assert approved.status == DisclosureStatus.APPROVED
    published = svc.disclosure_publish(
        actor=Actor(user=tree.worker), disclosure=approved, today=now
    )
    assert published.status == DisclosureStatus.PUBLISHED and published.published_on == now
    withdrawn = svc.disclosure_withdraw(
        actor=Actor(user=tree.secretary), disclosure=published, reason="内容有误，更正后重新公开"
    )
    assert withdrawn.withdraw_reason == "内容有误，更正后重新公开"
    steps = list(
        AuditEvent.objects.filter(object_type="disclosure", object_id=str(disclosure.pk))
        .order_by("id")
        .values_list("changes", flat=True)
    )
    assert [s["status"][1] for s in steps] == [
        "draft",
        "submitted",
        "reviewed",
        "approved",
        "published",
        "withdrawn",
    ]


def test_an_id_number_blocks_review_until_removed(tree, now):
    number = make_id_number(dt.date(1990, 1, 2), 5)
    disclosure = _propose(
        tree, now, body=f"拟发展对象：李某，身份证号{number}，联系电话13912345678。"
    )
    svc.disclosure_submit(actor=Actor(user=tree.worker), disclosure=disclosure)
    findings = svc.sensitive_findings(disclosure)
    assert [f.text for f in findings["body"]] == [number, "13912345678"]
    with pytest.raises(OpennessError, match="2处"):
        svc.disclosure_review(
            actor=Actor(user=tree.secretary), disclosure=disclosure, confirmed=True
        )
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.SUBMITTED
    svc.disclosure_return(
        actor=Actor(user=tree.secretary), disclosure=disclosure, reason="删去身份证号"
    )
    svc.disclosure_update(
        actor=Actor(user=tree.worker),
        disclosure=disclosure,
        kind=DisclosureKind.RECRUITMENT,
        title="发展党员情况公示",
        body="拟发展对象：李某。",
        scope=DisclosureScope.PUBLIC,
        today=now,
    )
    _through_review(tree, disclosure)


def test_review_needs_the_tick_and_someone_else(tree, now):
    disclosure = _propose(tree, now)
    svc.disclosure_submit(actor=Actor(user=tree.worker), disclosure=disclosure)
    with pytest.raises(OpennessError) as caught:
        svc.disclosure_review(
            actor=Actor(user=tree.secretary), disclosure=disclosure, confirmed=False
        )
    assert "confirmed" in caught.value.message_dict
    with pytest.raises(OpennessError, match="提出人"):
        svc.disclosure_review(actor=Actor(user=tree.worker), disclosure=disclosure, confirmed=True)
    with pytest.raises(OpennessError, match="不能审批"):
        svc.disclosure_approve(actor=Actor(user=tree.town_admin), disclosure=disclosure)


def test_a_withdrawal_needs_a_reason_and_a_published_item(tree, now):
    disclosure = _propose(tree, now)
    with pytest.raises(OpennessError):
        svc.disclosure_withdraw(actor=Actor(user=tree.worker), disclosure=disclosure, reason="x")
    with pytest.raises(OpennessError):
        svc.disclosure_withdraw(actor=Actor(user=tree.worker), disclosure=disclosure, reason=" ")


def test_public_page_shows_only_public_current_items_escaped(client, tree, now):
    public = _propose(tree, now, body=f"公开内容{PAYLOAD}")
    members = _propose(tree, now, body="仅党员可见的内容", scope=DisclosureScope.MEMBERS)
    for item in (public, members):
        svc.disclosure_publish(
            actor=Actor(user=tree.worker), disclosure=_through_review(tree, item), today=now
        )
    page = client.get(f"/public/orgs/{tree.branch_a1.code}/").content.decode()
    assert f"/public/openness/{tree.branch_a1.code}/disclosures/{public.pk}/" in page
    assert f"/disclosures/{members.pk}/" not in page
    detail = client.get(f"/public/openness/{tree.branch_a1.code}/disclosures/{public.pk}/")
    assert detail.status_code == 200
    assert PAYLOAD not in detail.content.decode() and "&lt;script&gt;" in detail.content.decode()
    hidden = client.get(f"/public/openness/{tree.branch_a1.code}/disclosures/{members.pk}/")
    assert hidden.status_code == 404
    # A member of the branch reads it; a member elsewhere does not.
    client.force_login(tree.member_user)
    assert "仅党员可见的内容" in client.get("/openness/disclosures/").content.decode()
    Disclosure.objects.filter(pk=public.pk).update(ends_on=now - dt.timedelta(days=1))
    client.logout()
    assert (
        f"/disclosures/{public.pk}/"
        not in client.get(f"/public/orgs/{tree.branch_a1.code}/").content.decode()
    )


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("county_admin", True),
        ("secretary", True),
        ("worker", True),
        ("sibling_secretary", False),
        ("outsider", False),
        ("member_user", False),
    ],
)
def test_staff_disclosure_pages_are_scoped(client, tree, now, who, allowed):
    disclosure = _propose(tree, now)
    client.force_login(getattr(tree, who))
    assert client.get(f"/openness/disclosures/{disclosure.pk}/").status_code == (
        200 if allowed else 404
    )
    response = client.post(f"/openness/disclosures/{disclosure.pk}/submit/")
    assert response.status_code == (302 if allowed else 404)


def test_review_page_marks_the_offending_spans(client, tree, now):
    number = make_id_number(dt.date(1990, 1, 2), 5)
    disclosure = _propose(tree, now, body=f"{PAYLOAD}身份证号{number}")
    svc.disclosure_submit(actor=Actor(user=tree.worker), disclosure=disclosure)
    client.force_login(tree.secretary)
    page = client.get(f"/openness/disclosures/{disclosure.pk}/").content.decode()
    assert f'<mark class="op-sensitive" title="公民身份号码">{number}</mark>' in page
    assert PAYLOAD not in page
    response = client.post(
        f"/openness/disclosures/{disclosure.pk}/review/", {"confirmed": "on"}, follow=True
    )
    assert "须删除后才能公开" in response.content.decode()


def test_approval_only_by_the_secretary_or_an_administrator(client, tree, now):
    disclosure = _propose(tree, now)
    svc.disclosure_submit(actor=Actor(user=tree.worker), disclosure=disclosure)
    svc.disclosure_review(actor=Actor(user=tree.secretary), disclosure=disclosure, confirmed=True)
    client.force_login(tree.worker)
    assert client.post(f"/openness/disclosures/{disclosure.pk}/approve/").status_code == 404
    client.force_login(tree.secretary)
    client.post(f"/openness/disclosures/{disclosure.pk}/approve/")
    disclosure.refresh_from_db()
    assert disclosure.status == DisclosureStatus.APPROVED


def test_proposal_through_the_page_with_generated_tables(client, tree, now):
    client.force_login(tree.worker)
    response = client.post(
        "/openness/disclosures/new/",
        {
            "organization": str(tree.branch_a1.pk),
            "kind": DisclosureKind.DUES,
            "title": "党费收缴情况",
            "body": "本季度党费收缴情况如下。",
            "scope": DisclosureScope.MEMBERS,
            "tables": [tables.DUES, tables.MEETINGS, tables.APPRAISAL],
        },
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    sources = [t["source"] for t in disclosure.tables]
    assert sources == [tables.DUES, tables.MEETINGS, tables.APPRAISAL]
    dues = disclosure.tables[0]
    assert dues["columns"][0] == "月份" and dues["rows"], dues
    page = client.get(f"/openness/disclosures/{disclosure.pk}/").content.decode()
    assert "本表由系统根据已录入的数据自动生成" in page


def test_meeting_table_counts_held_meetings(tree, now):
    table = tables.meetings_year(tree.branch_a1, now)
    assert table["columns"] == ["会议类型", "已召开", "应召开"]
    assert all(len(row) == 3 for row in table["rows"])


def test_catalogue_defaults_edit_and_reminders(client, tree, now):
    client.force_login(tree.secretary)
    client.post(f"/openness/catalogue/{tree.branch_a1.pk}/")
    items = {i.kind: i for i in CatalogueItem.objects.filter(organization=tree.branch_a1)}
    assert len(items) == len(DisclosureKind.values)
    assert items[DisclosureKind.DUES].interval_months == 3
    assert items[DisclosureKind.DECISION].next_due_on is None
    due = items[DisclosureKind.DUES]
    client.post(
        f"/openness/catalogue/{tree.branch_a1.pk}/",
        {
            "item": due.pk,
            "interval_months": 1,
            "next_due_on": (now - dt.timedelta(days=2)).isoformat(),
        },
    )
    due.refresh_from_db()
    assert due.interval_months == 1
    found = [d for d in reminders.catalogue_reminders(now) if d.organization == tree.branch_a1]
    assert len(found) == 1 and found[0].severity == "overdue" and "党费收缴使用" in found[0].text
    # Publishing a disclosure of that kind moves the due date on.
    disclosure = svc.disclosure_propose(
        actor=Actor(user=tree.worker),
        organization=tree.branch_a1,
        kind=DisclosureKind.DUES,
        title="党费",
        body="党费收缴情况。",
        scope=DisclosureScope.PUBLIC,
        today=now,
    )
    svc.disclosure_publish(
        actor=Actor(user=tree.worker), disclosure=_through_review(tree, disclosure), today=now
    )
    due.refresh_from_db()
    assert due.next_due_on == svc.add_months(now, 1)
    assert not [d for d in reminders.catalogue_reminders(now) if d.organization == tree.branch_a1]
    # Outside the scope the catalogue is a 404.
    client.force_login(tree.sibling_secretary)
    assert client.get(f"/openness/catalogue/{tree.branch_a1.pk}/").status_code == 404


def test_add_months_keeps_to_the_month_end():
    assert svc.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert svc.add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)

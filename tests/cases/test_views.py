"""The case pages: submit, review, publish, adopt through the pages; the public library."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from chuangxian.cases.models import Adoption, Case, CaseStatus
from chuangxian.cases.services import demo_point_designate
from tests.cases.conftest import ACTOR, BODY, published
from tests.support.conftest import photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> dt.date:
    """The pages date things by the real day."""
    return timezone.localdate()


def _as(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_case_flow_through_the_pages(tree, today):
    secretary = _as(tree.secretary)
    response = secretary.post(
        "/cases/new/",
        {
            "organization": tree.branch_a1.pk,
            "title": "党员积分超市",
            "sector": "农村",
            "mechanism": "incentive",
            "summary": "积分兑换",
            "body": BODY,
            "attachments": [photo_upload()],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    secretary.post(f"/cases/{case.pk}/submit/")
    # A sibling branch neither sees the draft nor reviews it.
    assert _as(tree.sibling_secretary).get(f"/cases/{case.pk}/").status_code == 404
    assert secretary.post(f"/cases/{case.pk}/approve/", {}).status_code == 404
    town = _as(tree.town_admin)
    assert "党员积分超市" in town.get("/cases/").content.decode()
    town.post(f"/cases/{case.pk}/approve/", {"comment": "好"})
    town.post(f"/cases/{case.pk}/publish/", {"visibility": "public"})
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    outsider = _as(tree.outsider)
    page = outsider.get(f"/cases/{case.pk}/").content.decode()
    assert "登记借鉴推广" in page
    outsider.post(
        f"/cases/{case.pk}/adopt/",
        {
            "organization": tree.branch_b1.pk,
            "adopted_on": today.isoformat(),
            "action": "推行积分",
            "result": "参与率提高",
        },
    )
    assert Adoption.objects.get().organization == tree.branch_b1
    public = Client().get(f"/public/cases/{case.pk}/").content.decode()
    assert "乙镇一村党支部" in public and "参与率提高" in public
    file_url = case.files.get().get_absolute_url()
    assert Client().get(file_url).status_code == 200


def test_tree_only_case_is_not_public(tree):
    case = published(tree.branch_a1, visibility="tree")
    assert Client().get(f"/public/cases/{case.pk}/").status_code == 404
    assert _as(tree.outsider).get(f"/cases/{case.pk}/").status_code == 200
    assert "党员积分超市" not in Client().get("/public/cases/").content.decode()


def test_public_search_and_demo_points(tree, today):
    published(tree.branch_a1)
    demo_point_designate(
        actor=ACTOR,
        organization=tree.branch_a2,
        designated_by=tree.town_a,
        theme="红色物业",
        leader="",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=300),
        public=True,
    )
    body = Client().get("/public/cases/", {"q": "积分"}).content.decode()
    assert "党员积分超市激发活力" in body and "红色物业" in body
    assert (
        "党员积分超市激发活力" not in Client().get("/public/cases/", {"q": "物业"}).content.decode()
    )


def test_demo_point_designation_page(tree, today):
    town = _as(tree.town_admin)
    town.post(
        "/cases/points/",
        {
            "organization": tree.branch_a1.pk,
            "theme": "党建引领",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=100)).isoformat(),
            "public": "on",
        },
    )
    assert "党建引领" in town.get("/cases/points/").content.decode()
    assert (
        _as(tree.secretary)
        .post(
            "/cases/points/",
            {
                "organization": tree.branch_a1.pk,
                "theme": "x",
                "starts_on": today.isoformat(),
                "ends_on": today.isoformat(),
            },
        )
        .status_code
        == 404
    )


def test_list_query_count(tree, django_assert_max_num_queries):
    for i in range(5):
        published(tree.branch_a1, title=f"案例{i}")
    client = _as(tree.county_admin)
    client.get("/cases/")
    with django_assert_max_num_queries(20):
        client.get("/cases/")
    with django_assert_max_num_queries(12):
        Client().get("/public/cases/")

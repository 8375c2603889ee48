"""The member page, the audited reveal of the ID number, and member writes through the web."""

import datetime as dt

import pytest
from django.urls import reverse

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.orgs.models import Member, MemberStatus, MemberTransfer
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

MATRIX = [
    ("member_user", 200),  # self
    ("secretary", 200),  # owner
    ("town_admin", 200),  # superior
    ("sibling_secretary", 404),
    ("outsider", 404),
    ("anonymous", 302),
]


def _member_form(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "name": "孙八",
        "gender": "女",
        "ethnicity": "汉族",
        "id_number": make_id_number(dt.date(1990, 3, 8), 77, female=True),
        "birth_date": "",
        "phone": "13800001111",
        "education": "大学本科",
        "category": "正式党员",
        "joined_on": "2015-07-01",
        "confirmed_on": "2016-07-01",
        "party_post": "",
        "work_post": "",
    }
    return data | overrides


@pytest.mark.parametrize(("viewer", "status"), MATRIX)
def test_member_page_matrix(client_as, tree, viewer, status):  # type: ignore[no-untyped-def]
    url = reverse("orgs:member", args=[tree.member_a1.pk])
    assert client_as(viewer).get(url).status_code == status


def test_member_page_masks_id_number(client_as, tree):  # type: ignore[no-untyped-def]
    body = client_as("town_admin").get(reverse("orgs:member", args=[tree.member_a1.pk]))
    text = body.content.decode()
    assert tree.member_a1.id_number_masked in text
    assert tree.member_a1.id_number not in text
    assert reverse("orgs:member_reveal_id", args=[tree.member_a1.pk]) in text


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("town_admin", 200),  # 管理员 in scope
        ("secretary", 200),  # 书记 of the branch
        ("member_user", 200),  # the member themself
        ("worker", 404),  # 党务干部 may edit but not see the number
        ("outsider", 404),
    ],
)
def test_reveal_matrix_and_audit(client_as, tree, viewer, status):  # type: ignore[no-untyped-def]
    client = client_as(viewer)
    url = reverse("orgs:member_reveal_id", args=[tree.member_a1.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == status
    events = AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE)
    if status == 200:
        assert tree.member_a1.id_number in response.content.decode()
        assert response["Cache-Control"].startswith("max-age=0")
        client.post(url)
        assert events.count() == 2  # every look is recorded
        assert events.first().org_path == tree.branch_a1.path
    else:
        assert events.count() == 0


def test_reveal_by_htmx_returns_the_fragment(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:member_reveal_id", args=[tree.member_a1.pk])
    response = client_as("secretary").post(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert tree.member_a1.id_number in body


def test_worker_sees_no_reveal_button(client_as, tree):  # type: ignore[no-untyped-def]
    body = client_as("worker").get(reverse("orgs:member", args=[tree.member_a1.pk]))
    assert reverse("orgs:member_reveal_id", args=[tree.member_a1.pk]) not in body.content.decode()


def test_create_member(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:member_create") + f"?org={tree.branch_a1.pk}"
    client = client_as("secretary")
    assert client.get(url).status_code == 200
    response = client.post(url, _member_form())
    created = Member.objects.get(name="孙八")
    assert response["Location"] == created.get_absolute_url()
    assert created.organization == tree.branch_a1
    assert created.birth_date == dt.date(1990, 3, 8)  # taken from the ID number
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="member").exists()


def test_create_member_with_bad_id_number_writes_nothing(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:member_create") + f"?org={tree.branch_a1.pk}"
    good = _member_form()["id_number"]
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = Member.objects.count()
    response = client_as("secretary").post(url, _member_form(id_number=bad))
    assert response.status_code == 200
    assert "校验码错误" in response.content.decode()
    assert Member.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_create_member_reports_every_problem(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:member_create") + f"?org={tree.branch_a1.pk}"
    data = _member_form(phone="12345", joined_on="2016-07-01", confirmed_on="2015-07-01")
    body = client_as("secretary").post(url, data).content.decode()
    assert "应为11位大陆手机号码" in body
    assert "转正日期早于入党日期" in body


@pytest.mark.parametrize(
    ("viewer", "org", "status"),
    [
        ("secretary", "branch_a1", 200),
        ("secretary", "group_a1", 200),
        ("town_admin", "branch_a2", 200),
        ("sibling_secretary", "branch_a1", 404),
        ("outsider", "branch_a1", 404),
        ("member_user", "branch_a1", 404),
    ],
)
def test_create_matrix(client_as, tree, viewer, org, status):  # type: ignore[no-untyped-def]
    url = reverse("orgs:member_create") + f"?org={getattr(tree, org).pk}"
    assert client_as(viewer).get(url).status_code == status


def test_edit_member_keeps_id_number_when_left_empty(client_as, tree):  # type: ignore[no-untyped-def]
    member = tree.member_a1
    number = member.id_number
    url = reverse("orgs:member_edit", args=[member.pk])
    client = client_as("worker")
    page = client.get(url).content.decode()
    assert number not in page  # the edit form never shows the stored number
    data = {
        "name": "张三丰",
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "id_number": "",
        "birth_date": member.birth_date.isoformat(),
        "phone": member.phone,
        "category": member.category,
        "joined_on": member.joined_on.isoformat(),
        "confirmed_on": member.confirmed_on.isoformat(),
        "status": MemberStatus.ACTIVE,
    }
    assert client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.name == "张三丰"
    assert member.id_number == number
    assert client_as("member_user").get(url).status_code == 404  # self-service is read-only


def test_transfer_within_scope_keeps_history(client_as, tree, today):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    url = reverse("orgs:member_transfer", args=[tree.member_a1.pk])
    assert client.get(url).status_code == 200
    data = {"to_organization": tree.branch_a2.pk, "transferred_on": "2025-03-01", "reason": "搬迁"}
    assert client.post(url, data).status_code == 302
    tree.member_a1.refresh_from_db()
    assert tree.member_a1.organization == tree.branch_a2
    body = client.get(reverse("orgs:member", args=[tree.member_a1.pk])).content.decode()
    assert "甲镇一村党支部" in body and "搬迁" in body
    assert MemberTransfer.objects.filter(member=tree.member_a1).count() == 1


def test_transfer_out_of_system(client_as, tree):  # type: ignore[no-untyped-def]
    client = client_as("secretary")
    url = reverse("orgs:member_transfer", args=[tree.member_a1.pk])
    data = {"destination_text": "某省某市某党支部", "transferred_on": "2025-03-01"}
    response = client.post(url, data)
    assert response.status_code == 302
    tree.member_a1.refresh_from_db()
    assert tree.member_a1.status == MemberStatus.TRANSFERRED_OUT


def test_transfer_needs_a_destination(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:member_transfer", args=[tree.member_a1.pk])
    response = client_as("secretary").post(url, {"transferred_on": "2025-03-01"})
    assert "请选择转入组织，或填写转往的系统外组织" in response.content.decode()
    assert not MemberTransfer.objects.exists()


def test_transfer_cannot_target_out_of_scope_org(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:member_transfer", args=[tree.member_a1.pk])
    data = {"to_organization": tree.branch_b1.pk, "transferred_on": "2025-03-01"}
    response = client_as("town_admin").post(url, data)
    assert response.status_code == 200
    assert not MemberTransfer.objects.exists()


def test_member_name_is_escaped(client_as, tree):  # type: ignore[no-untyped-def]
    Member.objects.filter(pk=tree.member_a1.pk).update(name="<script>x()</script>")
    body = client_as("town_admin").get(reverse("orgs:member", args=[tree.member_a1.pk]))
    text = body.content.decode()
    assert "<script>x()</script>" not in text
    assert "&lt;script&gt;x()&lt;/script&gt;" in text


def test_member_page_speaks_the_viewers_language(client_as, tree):  # type: ignore[no-untyped-def]
    """Labels, choices and the ethnic group follow the page's language; stored values stay
    Chinese, and the edit form lists the 56 groups by their names in that language."""
    member = tree.member_a1
    Member.objects.filter(pk=member.pk).update(ethnicity="土家族")
    client = client_as("town_admin")
    url = reverse("orgs:member", args=[member.pk])
    chinese = client.get(url).content.decode()
    assert "党籍状态" in chinese and "土家族" in chinese and "在册" in chinese
    client.cookies["django_language"] = "en"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for word in ("Membership status", "Tujia", "On roll", "Full member"):
        assert word in english
    for word in ("党籍状态", "土家族", "在册"):
        assert word not in english
    form = client.get(reverse("orgs:member_edit", args=[member.pk])).content.decode()
    assert '<option value="土家族" selected>Tujia</option>' in form
    assert '<option value="基诺族">Jino</option>' in form
    assert Member.objects.get(pk=member.pk).ethnicity == "土家族"

"""The organization page and creating, editing and moving organizations through the web."""

import re

import pytest
from django.urls import reverse

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.orgs.models import MemberStatus, Organization, OrgKind
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

MATRIX = [
    ("secretary", 200),  # owner
    ("town_admin", 200),  # superior
    ("county_admin", 200),  # superior, two levels up
    ("sibling_secretary", 404),
    ("outsider", 404),
    ("member_user", 404),
    ("anonymous", 302),
]


def _org_form(**overrides):  # type: ignore[no-untyped-def]
    data = {"code": "A3", "name": "甲镇三村党支部", "kind": OrgKind.BRANCH, "sector": "农村"}
    return data | overrides


@pytest.mark.parametrize(("viewer", "status"), MATRIX)
def test_organization_page_matrix(client_as, tree, viewer, status):  # type: ignore[no-untyped-def]
    url = reverse("orgs:organization", args=[tree.branch_a1.pk])
    assert client_as(viewer).get(url).status_code == status


def test_organization_page_lists_members_masked_and_filters(client_as, tree):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    url = reverse("orgs:organization", args=[tree.branch_a1.pk])
    body = client.get(url).content.decode()
    assert "张三" in body and "李四" not in body
    assert tree.member_a1.id_number_masked in body
    assert tree.member_a1.id_number not in body
    body = client.get(url, {"below": "1"}).content.decode()
    assert "李四" in body  # in the 党小组 below
    body = client.get(url, {"below": "1", "q": "李"}).content.decode()
    assert "李四" in body and "张三" not in body
    MemberFactory(organization=tree.branch_a1, name="钱七", status=MemberStatus.DECEASED)
    assert "钱七" not in client.get(url).content.decode()  # 在册 by default
    assert "钱七" in client.get(url, {"status": "去世"}).content.decode()
    assert "钱七" in client.get(url, {"status": ""}).content.decode()


def test_actions_follow_the_role(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:organization", args=[tree.branch_a1.pk])
    admin_body = client_as("town_admin").get(url).content.decode()
    assert reverse("orgs:organization_edit", args=[tree.branch_a1.pk]) in admin_body
    assert reverse("orgs:member_create") in admin_body
    client_as("secretary")
    secretary_body = client_as("secretary").get(url).content.decode()
    assert reverse("orgs:organization_edit", args=[tree.branch_a1.pk]) not in secretary_body
    assert reverse("orgs:member_create") in secretary_body


def test_member_list_paged_with_constant_queries(client_as, tree, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    url = reverse("orgs:organization", args=[tree.town_a.pk])
    for _ in range(3):
        MemberFactory(organization=tree.branch_a2)
    with django_assert_max_num_queries(12) as few:
        client.get(url, {"below": "1"})
    for _ in range(60):
        MemberFactory(organization=tree.branch_a2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"below": "1"})
    body = response.content.decode()
    assert "第 1 / 2 页" in body
    assert len(re.findall(r'href="/members/\d+/"', body)) == 50


def test_user_text_is_escaped(client_as, tree):  # type: ignore[no-untyped-def]
    MemberFactory(organization=tree.branch_a1, name="<script>alert(1)</script>")
    Organization.objects.filter(pk=tree.branch_a1.pk).update(name="<b>坏</b>支部")
    body = (
        client_as("town_admin")
        .get(reverse("orgs:organization", args=[tree.branch_a1.pk]))
        .content.decode()
    )
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;b&gt;坏&lt;/b&gt;支部" in body


def test_create_child_organization(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:organization_create") + f"?parent={tree.town_a.pk}"
    response = client_as("town_admin").post(url, _org_form())
    created = Organization.objects.get(code="A3")
    assert response["Location"] == created.get_absolute_url()
    assert created.parent == tree.town_a
    assert created.path == f"{tree.town_a.path}{created.pk}/"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(created.pk)).exists()


def test_group_under_committee_is_refused_with_chinese_message(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:organization_create") + f"?parent={tree.town_a.pk}"
    response = client_as("town_admin").post(url, _org_form(kind=OrgKind.GROUP, code="G9"))
    assert response.status_code == 200
    assert "党小组只能设在党支部之下" in response.content.decode()
    assert not Organization.objects.filter(code="G9").exists()


def test_duplicate_code_shown_beside_field(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:organization_create") + f"?parent={tree.town_a.pk}"
    response = client_as("town_admin").post(url, _org_form(code="A1"))
    assert "该组织编码已存在" in response.content.decode()


@pytest.mark.parametrize(
    ("viewer", "parent", "status"),
    [
        ("town_admin", "town_a", 200),
        ("county_admin", "town_a", 200),
        ("secretary", "branch_a1", 404),  # 书记 does not change the structure
        ("outsider", "town_a", 404),
        ("town_admin", "county", 404),
    ],
)
def test_create_matrix(client_as, tree, viewer, parent, status):  # type: ignore[no-untyped-def]
    url = reverse("orgs:organization_create") + f"?parent={getattr(tree, parent).pk}"
    assert client_as(viewer).get(url).status_code == status


def test_edit_organization(client_as, tree, today):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    url = reverse("orgs:organization_edit", args=[tree.branch_a1.pk])
    assert client.get(url).status_code == 200
    data = _org_form(code="A1", name="甲镇一村党支部（新）", term_started_on="2024-01-01")
    data["term_ends_on"] = "2028-12-31"
    assert client.post(url, data).status_code == 302
    tree.branch_a1.refresh_from_db()
    assert tree.branch_a1.name == "甲镇一村党支部（新）"
    assert str(tree.branch_a1.term_ends_on) == "2028-12-31"
    assert client_as("secretary").get(url).status_code == 404


def test_move_subtree(client_as, tree):  # type: ignore[no-untyped-def]
    client = client_as("county_admin")
    url = reverse("orgs:organization_move", args=[tree.branch_a1.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"new_parent": tree.town_b.pk, "reason": "区划调整"})
    assert response.status_code == 302
    tree.group_a1.refresh_from_db()
    assert tree.group_a1.path.startswith(tree.town_b.path)
    assert AuditEvent.objects.filter(action=AuditAction.MOVE).exists()


def test_move_into_own_subtree_is_refused(client_as, tree):  # type: ignore[no-untyped-def]
    client = client_as("county_admin")
    url = reverse("orgs:organization_move", args=[tree.town_a.pk])
    response = client.post(url, {"new_parent": tree.branch_a1.pk})
    assert response.status_code == 200
    assert "不能把组织调整到它自己或它的下级之下" in response.content.decode()
    tree.town_a.refresh_from_db()
    assert tree.town_a.parent == tree.county


def test_move_only_to_administered_parents(client_as, tree):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    url = reverse("orgs:organization_move", args=[tree.branch_a1.pk])
    response = client.post(url, {"new_parent": tree.town_b.pk})
    assert response.status_code == 200  # not a valid choice
    tree.branch_a1.refresh_from_db()
    assert tree.branch_a1.parent == tree.town_a
    assert client_as("outsider").get(url).status_code == 404

"""The tree with lazily loaded children, and search (the home page: tests/home)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_tree_shows_scope_roots_with_lazy_children(client_as, tree):  # type: ignore[no-untyped-def]
    body = client_as("town_admin").get(reverse("orgs:tree")).content.decode()
    assert "甲镇党委" in body
    assert reverse("orgs:tree_children", args=[tree.town_a.pk]) in body
    assert "甲镇一村党支部" not in body  # loaded on demand
    assert "某县委" not in body


def test_tree_children_fragment(client_as, tree):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    response = client.get(reverse("orgs:tree_children", args=[tree.town_a.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "甲镇一村党支部" in body and "甲镇二村党支部" in body
    assert "2 人" in body  # branch A1 with its 党小组
    # A1 has a 党小组 below it, so it is expandable; A2 is a leaf.
    assert reverse("orgs:tree_children", args=[tree.branch_a1.pk]) in body
    assert reverse("orgs:tree_children", args=[tree.branch_a2.pk]) not in body


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("town_admin", 200),  # owner
        ("county_admin", 200),  # superior
        ("sibling_secretary", 404),  # sibling
        ("outsider", 404),
        ("member_user", 404),
        ("anonymous", 302),
    ],
)
def test_tree_children_matrix(client_as, tree, viewer, status):  # type: ignore[no-untyped-def]
    response = client_as(viewer).get(reverse("orgs:tree_children", args=[tree.branch_a1.pk]))
    assert response.status_code == status


def test_search_by_name_and_code_with_breadcrumbs(client_as, tree):  # type: ignore[no-untyped-def]
    client = client_as("county_admin")
    body = client.get(reverse("orgs:tree"), {"q": "一村"}).content.decode()
    assert "甲镇一村党支部" in body and "乙镇一村党支部" in body
    assert "某县委" in body and "甲镇党委" in body  # breadcrumbs
    body = client.get(reverse("orgs:tree"), {"q": "A1G"}).content.decode()
    assert "一村第一党小组" in body


def test_search_stays_in_scope(client_as, tree):  # type: ignore[no-untyped-def]
    body = client_as("town_admin").get(reverse("orgs:tree"), {"q": "一村"}).content.decode()
    assert "甲镇一村党支部" in body
    assert "乙镇一村党支部" not in body
    assert "某县委" not in body  # an ancestor above the scope is not shown in breadcrumbs

"""Choosing an organization in a form: a <select> for a small scope, a code box with scoped
suggestions for a large one (forms.fields.OrganizationChoiceField)."""

import pytest
from django.urls import reverse

from chuangxian.orgs.forms import fields
from chuangxian.orgs.models import Role, RoleGrant

pytestmark = pytest.mark.django_db


def test_small_scope_lists_every_organization(client_as, tree):  # type: ignore[no-untyped-def]
    page = reverse("orgs:account", args=[tree.sibling_secretary.pk])
    body = client_as("town_admin").get(page).content.decode()
    assert '<select name="organization"' in body
    assert f'<option value="{tree.branch_a1.pk}"' in body
    assert "organization-suggestions" not in body


def test_large_scope_asks_for_a_code_and_checks_the_scope(client_as, tree, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fields, "SELECT_MAX", 2)
    client = client_as("town_admin")
    account = tree.sibling_secretary
    url = reverse("orgs:account_grant", args=[account.pk])
    body = client.get(reverse("orgs:account", args=[account.pk])).content.decode()
    assert '<select name="organization"' not in body
    assert 'type="text" name="organization"' in body
    assert 'list="id_organization-suggestions"' in body
    assert reverse("orgs:organization_suggestions") + "?field=organization" in body
    # A code within the administrator's subtree (spaces around it are fine) …
    ok = client.post(url, {"organization": f" {tree.branch_a1.code} ", "role": Role.WORKER})
    assert ok.status_code == 302
    assert RoleGrant.objects.filter(user=account, organization=tree.branch_a1).exists()
    # … but not one outside it, nor an id where a code is asked for.
    for value in (tree.county.code, str(tree.branch_a2.pk), "没有这个编码"):
        page = client.post(url, {"organization": value, "role": Role.WORKER})
        assert page.status_code == 200
        assert "没有这个组织编码，或该组织不在可选范围内" in page.content.decode()
    assert not RoleGrant.objects.filter(
        user=account, role=Role.WORKER, organization__in=[tree.county, tree.branch_a2]
    ).exists()


@pytest.mark.parametrize(
    ("viewer", "sees_a1", "sees_b1"),
    [
        ("town_admin", True, False),
        ("county_admin", True, True),
        ("secretary", True, False),
        ("outsider", False, True),  # an administrator of the other town
    ],
)
def test_suggestions_are_scoped(client_as, tree, viewer, sees_a1, sees_b1):  # type: ignore[no-untyped-def]
    url = reverse("orgs:organization_suggestions")
    for org, expected in ((tree.branch_a1, sees_a1), (tree.branch_b1, sees_b1)):
        body = client_as(viewer).get(url, {"field": "organization", "organization": org.code})
        assert body.status_code == 200
        assert (f'<option value="{org.code}">' in body.content.decode()) is expected


def test_suggestions_need_a_login_and_escape_names(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:organization_suggestions")
    assert client_as("anonymous").get(url, {"field": "q", "q": "党"}).status_code == 302
    tree.branch_a1.name = '<b onmouseover="x">第一党支部'
    tree.branch_a1.save(update_fields=["name"])
    body = client_as("town_admin").get(url, {"field": "q", "q": "第一党支部"}).content.decode()
    assert "<b onmouseover" not in body and "&lt;b onmouseover" in body
    assert client_as("town_admin").get(url, {"field": "q", "q": ""}).content.decode().strip() == ""


def test_form_instances_do_not_share_their_choices(tree):  # type: ignore[no-untyped-def]
    from chuangxian.orgs.forms.accounts import RoleGrantForm
    from chuangxian.orgs.models import Organization

    mine = RoleGrantForm(organizations=Organization.objects.filter(pk=tree.branch_a1.pk))
    theirs = RoleGrantForm(organizations=Organization.objects.filter(pk=tree.branch_b1.pk))
    assert mine["organization"].field.widget is not theirs["organization"].field.widget
    assert tree.branch_b1.name not in str(mine["organization"])
    assert tree.branch_a1.name in str(mine["organization"])


def test_an_initial_id_shows_as_its_code_in_the_code_box(client_as, tree, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fields, "SELECT_MAX", 2)
    page = client_as("town_admin").get(reverse("orgs:organization_move", args=[tree.group_a1.pk]))
    body = page.content.decode()
    assert 'type="text" name="new_parent"' in body
    assert f'value="{tree.branch_a1.code}"' in body
    assert f'name="new_parent" value="{tree.branch_a1.pk}"' not in body

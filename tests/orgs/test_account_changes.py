"""Changing an account needs every role it holds inside the changer's scope (issue 11, 3).

The matrix: viewers (superior, sub-administrator, branch secretary, outsider) × target
accounts (a local worker, a superior who also holds a role lower down, a member, an
administrator elsewhere) × every account-changing action (disable, grant, revoke). A change
the viewer may not make is answered 404, like a missing account, and leaves nothing changed."""

import pytest
from django.urls import reverse

from chuangxian.orgs.models import Role, RoleGrant, User

pytestmark = pytest.mark.django_db

VIEWERS = ("county_admin", "town_admin", "secretary", "outsider")
TARGETS = ("worker", "superior_with_local_role", "member_user", "outsider")
ACTIONS = ("disable", "grant", "revoke")

# Who may change whom: everything the target holds must lie in the viewer's subtrees.
MAY_CHANGE = {
    ("county_admin", "worker"),
    ("county_admin", "superior_with_local_role"),
    ("county_admin", "member_user"),
    ("county_admin", "outsider"),
    ("town_admin", "worker"),
    ("town_admin", "member_user"),
    ("outsider", "outsider"),
}


def _target(tree, name: str) -> User:  # type: ignore[no-untyped-def]
    if name == "superior_with_local_role":
        # The case: the township administrator above also holds a role in a branch
        # the sub-administrator manages.
        RoleGrant.objects.get_or_create(
            user=tree.county_admin, organization=tree.branch_a1, role=Role.WORKER
        )
        return tree.county_admin  # type: ignore[no-any-return]
    return getattr(tree, name)  # type: ignore[no-any-return]


def _post(client, tree, action: str, target: User):  # type: ignore[no-untyped-def]
    if action == "disable":
        return client.post(reverse("orgs:account_active", args=[target.pk]), {"active": "0"})
    if action == "grant":
        org = tree.branch_a2 if target != tree.outsider else tree.branch_b1
        return client.post(
            reverse("orgs:account_grant", args=[target.pk]),
            {"organization": org.pk, "role": Role.WORKER},
        )
    grant = target.role_grants.order_by("-pk").first()
    return client.post(reverse("orgs:account_revoke", args=[target.pk, grant.pk]))


def _state(target: User) -> tuple[bool, list[tuple[int, str]]]:
    target.refresh_from_db()
    grants = sorted(target.role_grants.values_list("organization_id", "role"))
    return target.is_active, grants


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target_name", TARGETS)
@pytest.mark.parametrize("viewer_name", VIEWERS)
def test_account_change_matrix(client, tree, viewer_name, target_name, action) -> None:  # type: ignore[no-untyped-def]
    target = _target(tree, target_name)
    viewer = getattr(tree, viewer_name)
    if viewer.pk == target.pk and action == "disable":
        pytest.skip("disabling one's own account is refused by a message, tested elsewhere")
    client.force_login(viewer)
    before = _state(target)
    response = _post(client, tree, action, target)
    if (viewer_name, target_name) in MAY_CHANGE:
        assert response.status_code in (200, 302), response.status_code
        assert _state(target) != before
    else:
        assert response.status_code == 404
        assert _state(target) == before


def test_sub_administrator_cannot_disable_a_superior_but_sees_why(client, tree) -> None:  # type: ignore[no-untyped-def]
    superior = _target(tree, "superior_with_local_role")
    client.force_login(tree.town_admin)
    page = client.get(reverse("orgs:account", args=[superior.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "只能由上级管理员修改" in body
    assert reverse("orgs:account_active", args=[superior.pk]) not in body
    response = client.post(reverse("orgs:account_active", args=[superior.pk]), {"active": "0"})
    assert response.status_code == 404
    superior.refresh_from_db()
    assert superior.is_active
    # The superior can still log in.
    client.logout()
    assert client.login(username="county_admin", password="Passw0rd-2026")

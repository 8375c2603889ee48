"""Accounts and role grants through the web, for administrators within their subtree."""

import pytest
from django.urls import reverse

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.orgs.models import Role, RoleGrant, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("town_admin", 200),
        ("county_admin", 200),
        ("secretary", 404),  # not an administrator
        ("member_user", 404),
        ("anonymous", 302),
    ],
)
def test_accounts_page_matrix(client_as, tree, viewer, status):  # type: ignore[no-untyped-def]
    assert client_as(viewer).get(reverse("orgs:accounts")).status_code == status


def test_accounts_page_lists_only_accounts_in_scope(client_as, tree):  # type: ignore[no-untyped-def]
    body = client_as("town_admin").get(reverse("orgs:accounts")).content.decode()
    for name in ("secretary_a1", "worker_a1", "secretary_a2", "member_a1", "town_admin"):
        assert name in body
    assert "admin_b" not in body
    assert "county_admin" not in body


@pytest.mark.parametrize(
    ("viewer", "account", "status"),
    [
        ("town_admin", "secretary", 200),  # owner
        ("county_admin", "secretary", 200),  # superior
        ("outsider", "secretary", 404),
        ("town_admin", "outsider", 404),
        ("secretary", "worker", 404),
    ],
)
def test_account_page_matrix(client_as, tree, viewer, account, status):  # type: ignore[no-untyped-def]
    url = reverse("orgs:account", args=[getattr(tree, account).pk])
    assert client_as(viewer).get(url).status_code == status


def test_create_account_with_first_role(client_as, tree):  # type: ignore[no-untyped-def]
    data = {
        "username": "new_worker",
        "display_name": "周九",
        "phone": "13700001234",
        "password": "Dangwu-2026x",
        "organization": tree.branch_a2.pk,
        "role": Role.WORKER,
    }
    response = client_as("town_admin").post(reverse("orgs:account_create"), data)
    created = User.objects.get(username="new_worker")
    assert response["Location"] == reverse("orgs:account", args=[created.pk])
    assert created.phone == "13700001234"
    assert RoleGrant.objects.filter(user=created, organization=tree.branch_a2).exists()
    assert AuditEvent.objects.filter(action=AuditAction.GRANT, object_id=str(created.pk)).exists()


def test_create_account_for_member(client_as, tree):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    url = reverse("orgs:account_create") + f"?member={tree.member_a2.pk}"
    assert "王五" in client.get(url).content.decode()
    data = {
        "username": "wangwu",
        "display_name": "",
        "phone": "",
        "password": "Dangyuan-2026",
        "organization": tree.branch_a2.pk,
        "role": Role.MEMBER,
    }
    assert client.post(url, data).status_code == 302
    assert User.objects.get(username="wangwu").member == tree.member_a2
    assert client_as("outsider").get(url).status_code == 404


def test_create_account_weak_password_writes_nothing(client_as, tree):  # type: ignore[no-untyped-def]
    data = {
        "username": "weak",
        "password": "abcdefgh",
        "organization": tree.branch_a2.pk,
        "role": Role.WORKER,
    }
    response = client_as("town_admin").post(reverse("orgs:account_create"), data)
    assert response.status_code == 200
    assert "密码须同时包含字母和数字" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()
    assert not AuditEvent.objects.exists()


def test_failed_grant_rolls_back_the_new_account(client_as, tree):  # type: ignore[no-untyped-def]
    # A 党员 role needs a linked member of that organization: the account must not stay behind.
    data = {
        "username": "orphan",
        "password": "Dangyuan-2026",
        "organization": tree.branch_a2.pk,
        "role": Role.MEMBER,
    }
    response = client_as("town_admin").post(reverse("orgs:account_create"), data)
    assert "党员角色只能授予本组织党员本人的账号" in response.content.decode()
    assert not User.objects.filter(username="orphan").exists()
    assert not AuditEvent.objects.exists()


def test_grant_and_revoke_are_audited(client_as, tree):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    account = tree.sibling_secretary
    grant_url = reverse("orgs:account_grant", args=[account.pk])
    response = client.post(grant_url, {"organization": tree.branch_a1.pk, "role": Role.WORKER})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=account, organization=tree.branch_a1)
    assert AuditEvent.objects.filter(action=AuditAction.GRANT).count() == 1
    duplicate = client.post(grant_url, {"organization": tree.branch_a1.pk, "role": Role.WORKER})
    assert "该账号在此组织已有这个角色" in duplicate.content.decode()
    revoke_url = reverse("orgs:account_revoke", args=[account.pk, grant.pk])
    assert client.post(revoke_url).status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    revoked = AuditEvent.objects.get(action=AuditAction.REVOKE)
    assert revoked.org_path == tree.branch_a1.path


def test_grant_outside_scope_refused(client_as, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:account_grant", args=[tree.secretary.pk])
    response = client_as("town_admin").post(url, {"organization": tree.county.pk, "role": "admin"})
    assert response.status_code == 200
    assert not RoleGrant.objects.filter(user=tree.secretary, organization=tree.county).exists()


def test_revoke_outside_scope_is_404(client_as, tree):  # type: ignore[no-untyped-def]
    foreign = RoleGrant.objects.create(
        user=tree.secretary, organization=tree.branch_b1, role="worker"
    )
    url = reverse("orgs:account_revoke", args=[tree.secretary.pk, foreign.pk])
    assert client_as("town_admin").post(url).status_code == 404
    assert RoleGrant.objects.filter(pk=foreign.pk).exists()


def test_deactivate_and_reactivate(client_as, tree):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    url = reverse("orgs:account_active", args=[tree.worker.pk])
    client.post(url, {"active": "0"})
    tree.worker.refresh_from_db()
    assert not tree.worker.is_active
    client.post(url, {"active": "1"})
    tree.worker.refresh_from_db()
    assert tree.worker.is_active
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="user").count() == 2


def test_cannot_deactivate_oneself(client_as, tree):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    client.post(reverse("orgs:account_active", args=[tree.town_admin.pk]), {"active": "0"})
    tree.town_admin.refresh_from_db()
    assert tree.town_admin.is_active

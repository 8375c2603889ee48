import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from chuangxian.audit.models import AppendOnlyError, AuditAction, AuditEvent
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs import access
from chuangxian.orgs.authentication import LoginLocked
from chuangxian.orgs.models import LoginThrottle, Role, RoleGrant
from chuangxian.orgs.services.accounts import account_create, role_grant, role_revoke
from chuangxian.orgs.services.errors import RosterError

pytestmark = pytest.mark.django_db


def test_account_needs_a_strong_password(tree):
    for weak in ("short1", "12345678901", "abcdefghij", "password1"):
        with pytest.raises(RosterError) as caught:
            account_create(actor=Actor(), username=f"u{len(weak)}", password=weak)
        assert "password" in caught.value.message_dict
    user = account_create(
        actor=Actor(user=tree.town_admin),
        username="newbie",
        password="Strong2026pw",
        phone="139 0000 1111",
        organization=tree.branch_a1,
    )
    assert user.phone == "13900001111"
    assert (
        AuditEvent.objects.get(action=AuditAction.CREATE, object_type="user").org_path
        == tree.branch_a1.path
    )


def test_duplicate_username_and_phone_refused(tree):
    account_create(actor=Actor(), username="dup", password="Strong2026pw", phone="13900001111")
    with pytest.raises(RosterError) as caught:
        account_create(actor=Actor(), username="DUP", password="Strong2026pw", phone="13900001111")
    assert set(caught.value.message_dict) == {"username", "phone"}


def test_grant_widens_scope_and_revoke_narrows_it(tree):
    user = tree.sibling_secretary
    assert not access.members_for(user).filter(pk=tree.member_a1.pk).exists()
    grant = role_grant(
        actor=Actor(user=tree.town_admin), user=user, organization=tree.branch_a1, role=Role.WORKER
    )
    assert access.members_for(user).filter(pk=tree.member_a1.pk).exists()
    role_revoke(actor=Actor(user=tree.town_admin), grant=grant, reason="调岗")
    assert not access.members_for(user).filter(pk=tree.member_a1.pk).exists()
    actions = list(AuditEvent.objects.filter(object_type="user").values_list("action", flat=True))
    assert sorted(actions) == [AuditAction.GRANT, AuditAction.REVOKE]


def test_member_role_only_for_own_member(tree):
    with pytest.raises(RosterError, match="党员角色"):
        role_grant(actor=Actor(), user=tree.worker, organization=tree.branch_a1, role=Role.MEMBER)
    assert not RoleGrant.objects.filter(user=tree.worker, role=Role.MEMBER).exists()


def test_login_by_username_or_phone(tree):
    tree.secretary.phone = "13711112222"
    tree.secretary.save()
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.1.1.1")
    assert (
        authenticate(request, username="secretary_a1", password="Passw0rd-2026") == tree.secretary
    )
    assert authenticate(request, username="13711112222", password="Passw0rd-2026") == tree.secretary
    assert authenticate(request, username="13711112222", password="wrong") is None


def test_lockout_after_repeated_failures(tree, settings):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.1.1.2")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert authenticate(request, username="secretary_a1", password="wrong") is None
    with pytest.raises(LoginLocked):
        authenticate(request, username="secretary_a1", password="Passw0rd-2026")
    # Another account from the same office address still works.
    assert authenticate(request, username="worker_a1", password="Passw0rd-2026") == tree.worker
    LoginThrottle.objects.all().delete()
    assert (
        authenticate(request, username="secretary_a1", password="Passw0rd-2026") == tree.secretary
    )


def test_audit_events_are_append_only(tree):
    event = audit_record(
        actor=Actor(user=tree.county_admin), action=AuditAction.UPDATE, obj=tree.county
    )
    event.reason = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""

"""The audit trail of logins: success, failure, lockout and logout (等保 2.0 level 3).

Each function appends one AuditEvent under the organization of the account concerned (or
none when the typed name matches no account), so the audit page shows an administrator the
logins of their own subtree. A failure is recorded only when a password was actually checked
(the limits in login_limits bound how many that can be); a lockout once per account name and
lockout period, however often the locked form is posted."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs.authentication import account_for
from chuangxian.orgs.models import User


def account_org_path(user: User | None) -> str:
    """The organization an account's events are filed under: its member's, else its first
    role grant's."""
    if user is None:
        return ""
    if user.member_id is not None and user.member is not None:
        return user.member.organization.path
    grant = user.role_grants.select_related("organization").order_by("pk").first()
    return grant.organization.path if grant else ""


def _record(action: AuditAction, *, user: User | None, label: str, ip: str | None) -> None:
    audit_record(
        actor=Actor(user=user, ip_address=ip, label=label),
        action=action,
        object_type="user",
        object_id=str(user.pk) if user is not None else "",
        object_label=(str(user) if user is not None else label)[:200],
        org_path=account_org_path(user),
    )


def login_succeeded(*, user: User, ip: str | None) -> None:
    _record(AuditAction.LOGIN, user=user, label=user.get_username(), ip=ip)


def login_failed(*, typed: str, ip: str | None) -> None:
    label = typed.strip()[:150] or "匿名"
    _record(AuditAction.LOGIN_FAILED, user=account_for(typed), label=label, ip=ip)


def login_locked(*, typed: str, ip: str | None) -> None:
    label = typed.strip()[:150] or "匿名"
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    account = account_for(typed)
    already = AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED, at__gte=since)
    if account is not None:
        already = already.filter(object_type="user", object_id=str(account.pk))
    else:
        already = already.filter(object_label=label)
    if already.exists():
        return
    _record(AuditAction.LOGIN_LOCKED, user=account, label=label, ip=ip)


def logged_out(*, user: User, ip: str | None) -> None:
    _record(AuditAction.LOGOUT, user=user, label=user.get_username(), ip=ip)

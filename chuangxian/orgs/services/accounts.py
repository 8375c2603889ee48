"""Accounts and role grants. Every change is audited under the organization it concerns."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs.access import forget_scope
from chuangxian.orgs.models import Member, Organization, Role, RoleGrant, User
from chuangxian.orgs.phone import PhoneError, normalize_mobile
from chuangxian.orgs.services.errors import RosterError


def _account_org_path(user: User, organization: Organization | None) -> str:
    if organization is not None:
        return organization.path
    if user.member is not None:
        return user.member.organization.path
    grant = user.role_grants.select_related("organization").first()
    return grant.organization.path if grant else ""


@transaction.atomic
def account_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    member: Member | None = None,
    organization: Organization | None = None,
) -> User:
    """A new login. The password must pass the strength rules; username and phone are unique."""
    errors: dict[str, list[str]] = {}
    username = username.strip()
    if not username:
        errors["username"] = ["不能为空"]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["该用户名已被使用"]
    normalized_phone: str | None = None
    if phone.strip():
        try:
            normalized_phone = normalize_mobile(phone)
        except PhoneError as error:
            errors["phone"] = [str(error)]
        else:
            if User.objects.filter(phone=normalized_phone).exists():
                errors["phone"] = ["该手机号码已绑定其他账号"]
    if member is not None and User.objects.filter(member=member).exists():
        errors["member"] = ["该党员已有账号"]
    candidate = User(username=username, display_name=display_name.strip(), phone=normalized_phone)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise RosterError(errors)
    candidate.member = member
    candidate.set_password(password)
    candidate.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=candidate,
        object_type="user",
        org_path=_account_org_path(candidate, organization),
        changes={
            "username": [None, candidate.username],
            "display_name": [None, candidate.display_name],
            "phone": [None, candidate.phone],
            "member": [None, str(member) if member else None],
        },
    )
    return candidate


@transaction.atomic
def account_set_password(*, actor: Actor, user: User, password: str) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise RosterError({"password": list(error.messages)})
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        object_type="user",
        org_path=_account_org_path(user, None),
        changes={"password": ["***", "***(已修改)"]},
    )


@transaction.atomic
def account_set_active(*, actor: Actor, user: User, active: bool, reason: str = "") -> None:
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        object_type="user",
        org_path=_account_org_path(user, None),
        changes={"is_active": [not active, active]},
        reason=reason,
    )


@transaction.atomic
def role_grant(*, actor: Actor, user: User, organization: Organization, role: str) -> RoleGrant:
    """Give `user` a role on `organization`. A 党员 role needs the account to be linked to a
    member of that organization."""
    if role not in Role.values:
        raise RosterError({"role": "未知角色"})
    if role == Role.MEMBER and (
        user.member is None or user.member.organization_id != organization.pk
    ):
        raise RosterError({"role": "党员角色只能授予本组织党员本人的账号"})
    grant, created = RoleGrant.objects.get_or_create(
        user=user,
        organization=organization,
        role=role,
        defaults={"granted_by": actor.user if actor.user is not None and actor.user.pk else None},
    )
    if not created:
        raise RosterError({"role": "该账号在此组织已有这个角色"})
    forget_scope(user)
    audit_record(
        actor=actor,
        action=AuditAction.GRANT,
        obj=user,
        object_type="user",
        org_path=organization.path,
        changes={"role": [None, f"{Role(role).label} @ {organization.code}"]},
    )
    return grant


@transaction.atomic
def role_revoke(*, actor: Actor, grant: RoleGrant, reason: str = "") -> None:
    organization, user, role = grant.organization, grant.user, grant.role
    grant.delete()
    forget_scope(user)
    audit_record(
        actor=actor,
        action=AuditAction.REVOKE,
        obj=user,
        object_type="user",
        org_path=organization.path,
        changes={"role": [f"{Role(role).label} @ {organization.code}", None]},
        reason=reason,
    )


@transaction.atomic
def account_display_set(*, actor: Actor, user: User, large: bool) -> User:
    """Remember the 适老化 large display for the user (on every device they log in from)."""
    if user.large_display is large:
        return user
    before = user.large_display
    user.large_display = large
    user.save(update_fields=["large_display"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        org_path=_account_org_path(user, None),
        changes={"large_display": [before, large]},
    )
    return user

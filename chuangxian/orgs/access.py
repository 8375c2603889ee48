"""The one way code fetches organizations and members for a user.

Every view, export, import and command asks this module, never the model managers directly.
A user's scope is the set of tree paths their roles cover:

- 管理员 on an organization: that organization and everything below it;
- 书记 / 党务干部 on an organization: that organization and its 党小组;
- 党员: only their own member record.

An object outside the scope is answered with Http404, exactly like a missing one, so that
nobody learns what exists beyond what they may see.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from chuangxian.audit.models import AuditEvent
from chuangxian.orgs.models import Member, Organization, OrgKind, Role, RoleGrant, User

_CACHE_ATTR = "_chuangxian_scope"


@dataclass(frozen=True)
class Scope:
    admin_paths: tuple[str, ...] = ()
    branch_paths: tuple[str, ...] = ()
    secretary_paths: tuple[str, ...] = ()
    own_member_id: int | None = None
    roots: tuple[int, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not (self.admin_paths or self.branch_paths or self.own_member_id)

    def organization_q(self, prefix: str = "") -> Q:
        """A filter on Organization (or on a relation to it, with prefix 'organization__')."""
        condition = Q(pk__in=[])
        for path in self.admin_paths:
            condition |= Q(**{f"{prefix}path__startswith": path})
        for path in self.branch_paths:
            condition |= Q(**{f"{prefix}path": path})
            # Its own 党小组 only: the groups directly below, not those of branches further down.
            condition |= Q(
                **{
                    f"{prefix}path__startswith": path,
                    f"{prefix}kind": OrgKind.GROUP,
                    f"{prefix}depth": _child_depth(path),
                }
            )
        return condition

    def admin_q(self, path_field: str) -> Q:
        """A filter keeping rows whose `path_field` lies in an administered subtree."""
        condition = Q(pk__in=[])
        for path in self.admin_paths:
            condition |= Q(**{f"{path_field}__startswith": path})
        return condition

    def administers(self, org: Organization) -> bool:
        return any(org.path.startswith(path) for path in self.admin_paths)

    def works_in(self, org: Organization) -> bool:
        """Administers it, or is 书记/党务干部 of it (or of the branch above its 党小组)."""
        if self.administers(org):
            return True
        return any(org.path == path or _own_group(org, path) for path in self.branch_paths)

    def is_secretary_of(self, org: Organization) -> bool:
        return any(org.path == path or _own_group(org, path) for path in self.secretary_paths)


def _child_depth(path: str) -> int:
    """The depth of an organization directly below the one at `path` ("/1/" is depth 0)."""
    return path.count("/") - 1


def _own_group(org: Organization, path: str) -> bool:
    """`org` is a 党小组 directly below the organization at `path`."""
    return (
        org.kind == OrgKind.GROUP and org.path.startswith(path) and org.depth == _child_depth(path)
    )


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one, so each filter is as small as it can be."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(shorter) for shorter in kept):
            kept.append(path)
    return tuple(sorted(kept))


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    admin: set[str] = set()
    branch: set[str] = set()
    secretary: set[str] = set()
    grants = RoleGrant.objects.filter(user=user).values_list("role", "organization__path")
    for role, path in grants:
        if role == Role.ADMIN:
            admin.add(path)
        elif role in (Role.SECRETARY, Role.WORKER):
            branch.add(path)
            if role == Role.SECRETARY:
                secretary.add(path)
    admin_paths = _minimal(admin)
    branch_paths = tuple(sorted(p for p in branch if not any(p.startswith(a) for a in admin_paths)))
    top = _minimal(set(admin_paths) | set(branch_paths))
    roots = tuple(int(p.strip("/").split("/")[-1]) for p in top)
    scope = Scope(
        admin_paths=admin_paths,
        branch_paths=branch_paths,
        secretary_paths=tuple(sorted(secretary)),
        own_member_id=user.member_id,
        roots=roots,
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope after the user's grants change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def organizations_for(user: Any) -> QuerySet[Organization]:
    """Every organization the user may see."""
    scope = scope_for(user)
    return Organization.objects.filter(scope.organization_q())


def members_for(user: Any) -> QuerySet[Member]:
    """Every member record the user may see: those of organizations in scope, and their own."""
    scope = scope_for(user)
    condition = scope.organization_q(prefix="organization__")
    if scope.own_member_id is not None:
        condition |= Q(pk=scope.own_member_id)
    return Member.objects.filter(condition)


def access_organization_by_id(user: Any, org_id: int) -> Organization:
    try:
        return organizations_for(user).get(pk=org_id)
    except Organization.DoesNotExist:
        raise Http404("没有找到该党组织")


def access_organization_by_code(user: Any, code: str) -> Organization:
    try:
        return organizations_for(user).get(code=code)
    except Organization.DoesNotExist:
        raise Http404("没有找到该党组织")


def access_member_by_id(user: Any, member_id: int) -> Member:
    try:
        return members_for(user).select_related("organization").get(pk=member_id)
    except Member.DoesNotExist:
        raise Http404("没有找到该党员")


def access_managed_organization_by_id(user: Any, org_id: int) -> Organization:
    """An organization the user administers (管理员 over it): for structural changes."""
    org = access_organization_by_id(user, org_id)
    if not scope_for(user).administers(org):
        raise Http404("没有找到该党组织")
    return org


def can_manage_organization(user: Any, org: Organization) -> bool:
    """May change the organization itself, add children below it, grant roles on it."""
    return scope_for(user).administers(org)


def can_edit_members_of(user: Any, org: Organization) -> bool:
    """May add and change member records in this organization."""
    return scope_for(user).works_in(org)


def can_view_id_number(user: Any, member: Member) -> bool:
    """Unmasked 公民身份号码: 管理员 and 书记 in scope, and the member themself."""
    scope = scope_for(user)
    if scope.own_member_id is not None and scope.own_member_id == member.pk:
        return True
    org = member.organization
    return scope.administers(org) or scope.is_secretary_of(org)


def is_administrator(user: Any) -> bool:
    return bool(scope_for(user).admin_paths)


def is_top_administrator(user: Any) -> bool:
    """管理员 of a root of the tree: keeps what is shared by the whole installation (the
    working-day calendar)."""
    return any(path.count("/") == 2 for path in scope_for(user).admin_paths)


def is_staff_in_tree(user: Any) -> bool:
    """Holds any role beyond 党员 (sees organizations, not only their own record)."""
    scope = scope_for(user)
    return bool(scope.admin_paths or scope.branch_paths)


def administered_organizations(user: Any) -> QuerySet[Organization]:
    """The organizations the user administers (管理员 over them), in tree order."""
    return Organization.objects.filter(scope_for(user).admin_q("path")).order_by("path")


def accounts_for(user: Any) -> QuerySet[User]:
    """Accounts an administrator may manage: those with a grant or a member record in one of
    the administered subtrees (the queryset form of user_in_scope)."""
    scope = scope_for(user)
    condition = scope.admin_q("role_grants__organization__path") | scope.admin_q(
        "member__organization__path"
    )
    return User.objects.filter(pk__in=User.objects.filter(condition).values("pk"))


def audit_events_for(user: Any) -> QuerySet[AuditEvent]:
    """The part of the audit trail an administrator may read: events filed under an
    organization of their subtrees. Empty for everyone else."""
    return AuditEvent.objects.filter(scope_for(user).admin_q("org_path"))


def user_in_scope(viewer: User, account: User) -> bool:
    """An account is visible to an administrator when one of its grants, or its member
    record, lies in the administrator's subtree."""
    scope = scope_for(viewer)
    if not scope.admin_paths:
        return False
    grant_paths = account.role_grants.values_list("organization__path", flat=True)
    paths = list(grant_paths)
    if account.member_id is not None:
        paths.append(account.member.organization.path)  # type: ignore[union-attr]
    return any(p.startswith(a) for p in paths for a in scope.admin_paths)


def account_changeable(viewer: User, account: User) -> bool:
    """An administrator may change an account — enable or disable it, grant or revoke its
    roles, reset its password or two-factor authentication — only when everything the account
    holds lies inside the administrator's subtrees: every role grant and its member record.
    Seeing an account needs one of them inside (user_in_scope); changing it needs all, or a
    sub-administrator could lock out a superior who also holds a role lower down."""
    scope = scope_for(viewer)
    if not scope.admin_paths:
        return False
    paths = list(account.role_grants.values_list("organization__path", flat=True))
    if account.member_id is not None:
        paths.append(account.member.organization.path)  # type: ignore[union-attr]
    return bool(paths) and all(any(p.startswith(a) for a in scope.admin_paths) for p in paths)


def access_account_by_id(viewer: User, account_id: int, *, change: bool = False) -> User:
    """The account, if the viewer may see it (change=False) or change it (change=True);
    Http404 for missing and forbidden alike."""
    account = User.objects.select_related("member__organization").filter(pk=account_id).first()
    if account is None:
        raise Http404("没有找到该账号")
    if not user_in_scope(viewer, account):
        raise Http404("没有找到该账号")
    if change and not account_changeable(viewer, account):
        raise Http404("没有找到该账号")
    return account

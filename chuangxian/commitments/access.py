"""Who may see and do what with commitments. Built on chuangxian.orgs.access: a sheet is in a
user's scope when its organization is, or when it is the user's own.

Roles, for a sheet whose organization lies in branch B (a 党小组's sheets belong to the branch
above it):

- drafter (定诺, 践诺, 兑现): the member themself, or anyone who works in the organization
  (管理员 above, 书记, 党务干部) drafting on their behalf;
- reviewer (审诺, 公诺, 评诺结束): for a member's sheet the 书记 of B or an administrator over
  it, never for their own sheet; for an organization's own sheet an administrator of a
  superior organization;
- superior (领导点评, 组织评): an administrator or 书记 of an organization strictly above B;
- fellow member (党员评): a member of B (or of its 党小组), not the subject.

Published items are public anyway, so a superior secretary (whose role covers only their own
organization) may open them here too.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from chuangxian.commitments.models import (
    PUBLIC_STATUSES,
    CommitmentItem,
    CommitmentSheet,
    RaterGroup,
)
from chuangxian.orgs.access import scope_for
from chuangxian.orgs.models import Member, Organization, OrgKind


def branch_path(org: Organization) -> str:
    """The path of the branch an organization's commitments belong to: a 党小组 answers with
    its parent's path, anything else with its own."""
    if org.kind == OrgKind.GROUP:
        return parent_path(org.path)
    return org.path


def parent_path(path: str) -> str:
    parts = path.strip("/").split("/")
    return "/" + "".join(f"{part}/" for part in parts[:-1])


def _superior_q(user: Any, prefix: str) -> Q:
    """Published items below an organization where the user is 书记 (outside their scope)."""
    condition = Q(pk__in=[])
    for path in scope_for(user).secretary_paths:
        condition |= Q(**{f"{prefix}organization__path__startswith": path})
    return condition


def sheets_for(user: Any) -> QuerySet[CommitmentSheet]:
    scope = scope_for(user)
    condition = scope.organization_q(prefix="organization__")
    if scope.own_member_id is not None:
        condition |= Q(member_id=scope.own_member_id)
    return CommitmentSheet.objects.filter(condition)


def items_for(user: Any) -> QuerySet[CommitmentItem]:
    scope = scope_for(user)
    condition = scope.organization_q(prefix="sheet__organization__")
    if scope.own_member_id is not None:
        condition |= Q(sheet__member_id=scope.own_member_id)
    condition |= _superior_q(user, "sheet__") & Q(status__in=PUBLIC_STATUSES)
    return CommitmentItem.objects.filter(condition)


def access_sheet_by_id(user: Any, sheet_id: int) -> CommitmentSheet:
    try:
        return (
            sheets_for(user).select_related("campaign", "organization", "member").get(pk=sheet_id)
        )
    except CommitmentSheet.DoesNotExist:
        raise Http404("没有找到该承诺书")


def access_item_by_id(user: Any, item_id: int) -> CommitmentItem:
    try:
        return (
            items_for(user)
            .select_related("sheet__campaign", "sheet__organization", "sheet__member")
            .get(pk=item_id)
        )
    except CommitmentItem.DoesNotExist:
        raise Http404("没有找到该承诺事项")


def is_own_sheet(user: Any, sheet: CommitmentSheet) -> bool:
    member_id = scope_for(user).own_member_id
    return member_id is not None and sheet.member_id == member_id


def can_draft(user: Any, sheet: CommitmentSheet) -> bool:
    """May write items, report progress and declare the outcome."""
    return is_own_sheet(user, sheet) or scope_for(user).works_in(sheet.organization)


def can_open_sheet_for_member(user: Any, member: Member) -> bool:
    scope = scope_for(user)
    return scope.own_member_id == member.pk or scope.works_in(member.organization)


def can_open_sheet_for_organization(user: Any, org: Organization) -> bool:
    return scope_for(user).works_in(org)


def is_superior(user: Any, sheet: CommitmentSheet) -> bool:
    """Administrator or 书记 of an organization strictly above the sheet's branch."""
    branch = branch_path(sheet.organization)
    scope = scope_for(user)
    above = [p for p in (*scope.admin_paths, *scope.secretary_paths) if p != branch]
    return any(branch.startswith(path) for path in above)


def can_review(user: Any, sheet: CommitmentSheet) -> bool:
    if is_own_sheet(user, sheet):
        return False
    scope = scope_for(user)
    if sheet.member_id is None:
        parent = parent_path(sheet.organization.path)
        return any(parent.startswith(path) for path in scope.admin_paths) and parent != "/"
    return scope.is_secretary_of(sheet.organization) or scope.administers(sheet.organization)


def can_comment(user: Any, sheet: CommitmentSheet) -> bool:
    return is_superior(user, sheet)


def rater_group_for(user: Any, sheet: CommitmentSheet) -> str | None:
    """The group a logged-in user rates this sheet's items in, or None when they may not
    (they may still rate as the public on the wall, if they are not the subject)."""
    if not getattr(user, "is_authenticated", False) or is_own_sheet(user, sheet):
        return None
    if is_superior(user, sheet):
        return RaterGroup.SUPERIOR
    member = getattr(user, "member", None)
    if member is not None and branch_path(member.organization) == branch_path(sheet.organization):
        return RaterGroup.MEMBER
    return None


def superior_organization_id(user: Any, sheet: CommitmentSheet) -> int | None:
    """The organization in whose name the user comments or rates as the superior: the nearest
    one above the sheet's branch where they are 管理员 or 书记 (None if there is none)."""
    branch = branch_path(sheet.organization)
    scope = scope_for(user)
    above = [
        p
        for p in (*scope.admin_paths, *scope.secretary_paths)
        if p != branch and branch.startswith(p)
    ]
    if not above:
        return None
    nearest = max(above, key=len)
    return int(nearest.strip("/").split("/")[-1])

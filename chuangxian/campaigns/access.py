"""The one way code fetches campaigns, targets, letters and evidence for a user.

Built on orgs.access: what a user may see of a campaign follows from the organizations in
their scope. Out of scope answers Http404, exactly like missing."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from chuangxian.campaigns.models import (
    Campaign,
    Evidence,
    ResponsibilityLetter,
    TargetItem,
)
from chuangxian.orgs.access import scope_for
from chuangxian.orgs.models import Member, Organization, Role, RoleGrant


def _ancestor_or_self_ids(paths: list[str]) -> set[int]:
    return {int(part) for path in paths for part in path.strip("/").split("/") if part}


def campaigns_for(user: Any) -> QuerySet[Campaign]:
    """Campaigns owned by an organization in the user's scope or by an ancestor of one: a
    branch secretary sees the county's campaign that covers the branch."""
    scope = scope_for(user)
    paths = list(scope.admin_paths) + list(scope.branch_paths)
    if scope.own_member_id is not None:
        member = Member.objects.filter(pk=scope.own_member_id).values_list(
            "organization__path", flat=True
        )
        paths.extend(member)
    if not paths:
        return Campaign.objects.none()
    condition = Q(owner_id__in=_ancestor_or_self_ids(paths)) | scope.organization_q(
        prefix="owner__"
    )
    return Campaign.objects.filter(condition).select_related("owner")


def access_campaign_by_id(user: Any, campaign_id: int) -> Campaign:
    try:
        return campaigns_for(user).get(pk=campaign_id)
    except Campaign.DoesNotExist:
        raise Http404("没有找到该活动")


def can_manage_campaign(user: Any, campaign: Campaign) -> bool:
    """Edit the campaign, move its status, refine its standards: administrators of the owner."""
    return scope_for(user).administers(campaign.owner)


def can_work_for(user: Any, org: Organization) -> bool:
    """Act for an organization (set and decompose its targets, add its own standard items):
    its administrators (also from above), its 书记 and 党务干部."""
    return scope_for(user).works_in(org)


def is_first_responsible(user: Any, org: Organization) -> bool:
    """第一责任人 of an organization: a 书记 or 管理员 grant on the organization itself (a
    higher administrator is not its first-responsible person)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return RoleGrant.objects.filter(
        user=user, organization=org, role__in=[Role.ADMIN, Role.SECRETARY]
    ).exists()


def targets_for(user: Any) -> QuerySet[TargetItem]:
    """Targets held by organizations in scope, set by them, or assigned to the user's own
    member record."""
    scope = scope_for(user)
    condition = scope.organization_q(prefix="organization__") | scope.organization_q(
        prefix="set_by__"
    )
    if scope.own_member_id is not None:
        condition |= Q(member_id=scope.own_member_id)
    return TargetItem.objects.filter(condition)


def access_target_by_id(user: Any, item_id: int) -> TargetItem:
    try:
        return (
            targets_for(user)
            .select_related("campaign__owner", "organization", "set_by", "member", "letter")
            .get(pk=item_id)
        )
    except TargetItem.DoesNotExist:
        raise Http404("没有找到该目标")


def can_edit_target(user: Any, item: TargetItem) -> bool:
    """Change or remove a target: whoever acts for the organization that set it."""
    return can_work_for(user, item.set_by)


def can_report_on(user: Any, item: TargetItem) -> bool:
    """Report progress: whoever acts for the responsible organization, or the named member."""
    if item.member_id is not None:
        scope = scope_for(user)
        if scope.own_member_id == item.member_id:
            return True
    return can_work_for(user, item.organization)


def letters_for(user: Any) -> QuerySet[ResponsibilityLetter]:
    scope = scope_for(user)
    condition = scope.organization_q(prefix="organization__") | scope.organization_q(
        prefix="superior__"
    )
    return ResponsibilityLetter.objects.filter(condition)


def access_letter_by_id(user: Any, letter_id: int) -> ResponsibilityLetter:
    try:
        return (
            letters_for(user)
            .select_related("campaign__owner", "organization", "superior")
            .get(pk=letter_id)
        )
    except ResponsibilityLetter.DoesNotExist:
        raise Http404("没有找到该责任书")


def access_evidence_by_token(user: Any, token: str) -> Evidence:
    """A file is reachable only by someone who may see its target; its name is random, but
    the name is never the permission."""
    try:
        evidence = Evidence.objects.select_related("report__item").get(token=token)
    except Evidence.DoesNotExist:
        raise Http404("没有找到该文件")
    if not targets_for(user).filter(pk=evidence.report.item_id).exists():
        raise Http404("没有找到该文件")
    return evidence

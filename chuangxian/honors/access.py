"""Who may see and do what in honors; every object is fetched here (404 for missing and
forbidden alike). Scopes come from chuangxian.orgs.access only.

- A batch is seen by the staff of its organizer's subtree (they nominate into it) and by
  those above; it is run (categories, quotas, 纪检 step, shortlist, 公示, objections,
  approval) by the organizer's administrators.
- A nomination is seen by the staff of the nominee's organization and of every organization
  above it; the organization whose turn it is (its `reviewer`) acts on it.
- Points: a member sees their own ledger; staff see and approve for the organizations they
  work in."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from chuangxian.honors.models import (
    AwardBatch,
    AwardRecord,
    ClaimStatus,
    Nomination,
    PointClaim,
    PointRule,
)
from chuangxian.orgs.access import organizations_for, scope_for
from chuangxian.orgs.models import Organization
from chuangxian.orgs.selectors import subtree


def _ids_on_paths(paths: tuple[str, ...]) -> set[int]:
    return {int(part) for path in paths for part in path.strip("/").split("/") if part}


def batches_for(user: Any) -> QuerySet[AwardBatch]:
    """Batches organized within the user's scope or by an organization above it."""
    scope = scope_for(user)
    above = _ids_on_paths(scope.admin_paths + scope.branch_paths)
    return AwardBatch.objects.filter(
        Q(organization__in=organizations_for(user)) | Q(organization_id__in=above)
    ).select_related("organization")


def access_batch_by_id(user: Any, batch_id: int) -> AwardBatch:
    try:
        return batches_for(user).get(pk=batch_id)
    except AwardBatch.DoesNotExist:
        raise Http404("没有找到该表彰")


def can_run_batch(user: Any, batch: AwardBatch) -> bool:
    return scope_for(user).administers(batch.organization)


def access_run_batch_by_id(user: Any, batch_id: int) -> AwardBatch:
    batch = access_batch_by_id(user, batch_id)
    if not can_run_batch(user, batch):
        raise Http404("没有找到该表彰")
    return batch


def nominations_for(user: Any) -> QuerySet[Nomination]:
    return Nomination.objects.filter(organization__in=organizations_for(user)).select_related(
        "batch", "category", "member", "organization", "nominated_by", "reviewer"
    )


def access_nomination_by_id(user: Any, nomination_id: int) -> Nomination:
    try:
        return nominations_for(user).get(pk=nomination_id)
    except Nomination.DoesNotExist:
        raise Http404("没有找到该推荐")


def can_review(user: Any, nomination: Nomination) -> bool:
    return nomination.reviewer is not None and scope_for(user).works_in(nomination.reviewer)


def can_nominate_from(user: Any, org: Organization) -> bool:
    return scope_for(user).works_in(org)


def nominating_organizations(user: Any, batch: AwardBatch) -> QuerySet[Organization]:
    """The organizations in the batch's subtree the user may nominate from."""
    return subtree(user, batch.organization).order_by("path")


def awards_for(user: Any) -> QuerySet[AwardRecord]:
    scope = scope_for(user)
    condition = Q(organization__in=organizations_for(user))
    if scope.own_member_id is not None:
        condition |= Q(member_id=scope.own_member_id)
    return AwardRecord.objects.filter(condition).select_related("batch", "category")


def access_award_by_id(user: Any, award_id: int) -> AwardRecord:
    try:
        return awards_for(user).get(pk=award_id)
    except AwardRecord.DoesNotExist:
        raise Http404("没有找到该表彰记录")


def access_rule_by_id(user: Any, rule_id: int) -> PointRule:
    """A rule the user may change: one of an organization they administer."""
    try:
        rule = PointRule.objects.select_related("organization").get(pk=rule_id)
    except PointRule.DoesNotExist:
        raise Http404("没有找到该积分项目")
    if not scope_for(user).administers(rule.organization):
        raise Http404("没有找到该积分项目")
    return rule


def claims_for(user: Any) -> QuerySet[PointClaim]:
    scope = scope_for(user)
    condition = Q(organization__in=organizations_for(user))
    if scope.own_member_id is not None:
        condition |= Q(member_id=scope.own_member_id)
    return PointClaim.objects.filter(condition).select_related("member", "rule", "organization")


def access_claim_by_id(user: Any, claim_id: int) -> PointClaim:
    try:
        return claims_for(user).get(pk=claim_id)
    except PointClaim.DoesNotExist:
        raise Http404("没有找到该申报")


def can_decide_claim(user: Any, claim: PointClaim) -> bool:
    """Branch step: staff of the member's organization; superior step: an administrator of
    an organization above it."""
    scope = scope_for(user)
    if claim.status == ClaimStatus.SUBMITTED:
        return scope.works_in(claim.organization)
    if claim.status == ClaimStatus.BRANCH_APPROVED:
        parent = claim.organization.parent
        return parent is not None and scope.administers(parent)
    return False

"""Who may see and handle opinions, disclosures and requests: through `orgs.access` only.

Handling (answering, moderating, proposing, reviewing) belongs to those who work in the
organization — its 书记 and 党务干部, and the 管理员 above it, who also see what is escalated
to them. A member sees the disclosures of their own organization and their own requests."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from chuangxian.openness.models import (
    Consultation,
    Disclosure,
    DisclosureRequest,
    DisclosureScope,
    DisclosureStatus,
    Notice,
    NoticeReceipt,
    Opinion,
    PostCard,
    SituationReport,
)
from chuangxian.orgs.access import organizations_for, scope_for
from chuangxian.orgs.models import Organization


def opinions_for(user: Any) -> QuerySet[Opinion]:
    return Opinion.objects.filter(scope_for(user).organization_q(prefix="organization__"))


def access_opinion_by_id(user: Any, opinion_id: int) -> Opinion:
    try:
        return opinions_for(user).select_related("organization").get(pk=opinion_id)
    except Opinion.DoesNotExist:
        raise Http404("没有找到该意见建议")


def disclosures_for(user: Any) -> QuerySet[Disclosure]:
    """Disclosures the user handles (any status) within the organizations they work in."""
    return Disclosure.objects.filter(scope_for(user).organization_q(prefix="organization__"))


def access_disclosure_by_id(user: Any, disclosure_id: int) -> Disclosure:
    try:
        return disclosures_for(user).select_related("organization").get(pk=disclosure_id)
    except Disclosure.DoesNotExist:
        raise Http404("没有找到该公开事项")


def member_organization(user: Any) -> Organization | None:
    """The organization of the user's own member record (None without one)."""
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    return member.organization if member is not None else None


def disclosures_visible_to(user: Any) -> QuerySet[Disclosure]:
    """Published disclosures the user may read as a reader: public ones anywhere; those for
    members in their own organization; those for members and superiors also in every
    organization below one they administer."""
    condition = Q(scope=DisclosureScope.PUBLIC)
    own = member_organization(user)
    if own is not None:
        condition |= Q(organization=own)
    scope = scope_for(user)
    condition |= scope.admin_q("organization__path") & Q(
        scope=DisclosureScope.MEMBERS_AND_SUPERIORS
    )
    condition |= scope.organization_q(prefix="organization__")
    return Disclosure.objects.filter(condition, status=DisclosureStatus.PUBLISHED)


def can_handle(user: Any, org: Organization) -> bool:
    """Works in the organization: 书记, 党务干部, or 管理员 over it."""
    return scope_for(user).works_in(org)


def can_approve(user: Any, org: Organization) -> bool:
    """审批: the organization's 书记, or a 管理员 over it."""
    scope = scope_for(user)
    return scope.is_secretary_of(org) or scope.administers(org)


def requests_for(user: Any) -> QuerySet[DisclosureRequest]:
    """Requests the user handles, and the user's own."""
    condition = scope_for(user).organization_q(prefix="organization__")
    if getattr(user, "is_authenticated", False):
        condition |= Q(requester=user)
    return DisclosureRequest.objects.filter(condition)


def access_request_by_id(user: Any, request_id: int) -> DisclosureRequest:
    try:
        return requests_for(user).select_related("organization", "requester").get(pk=request_id)
    except DisclosureRequest.DoesNotExist:
        raise Http404("没有找到该申请")


def handled_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations the user works in, for the choosers on the staff pages."""
    return organizations_for(user).order_by("path")


def cards_for(user: Any) -> QuerySet[PostCard]:
    """Post cards of the organizations the user works in, and the user's own."""
    scope = scope_for(user)
    condition = scope.organization_q(prefix="organization__")
    if scope.own_member_id is not None:
        condition |= Q(member_id=scope.own_member_id)
    return PostCard.objects.filter(condition)


def access_card_by_id(user: Any, card_id: int) -> PostCard:
    try:
        return cards_for(user).select_related("member", "organization").get(pk=card_id)
    except PostCard.DoesNotExist:
        raise Http404("没有找到该岗位卡")


def can_edit_card_of(user: Any, member: Any) -> bool:
    """The member themself, or someone who works in the member's organization."""
    scope = scope_for(user)
    return scope.own_member_id == member.pk or scope.works_in(member.organization)


def consultations_handled(user: Any) -> QuerySet[Consultation]:
    return Consultation.objects.filter(scope_for(user).organization_q(prefix="organization__"))


def consultations_open_to(user: Any) -> QuerySet[Consultation]:
    """Those the user handles, and those of their own organization or one above it."""
    condition = scope_for(user).organization_q(prefix="organization__")
    own = member_organization(user)
    if own is not None:
        condition |= Q(organization_id__in=[*own.ancestor_ids, own.pk])
    return Consultation.objects.filter(condition)


def access_consultation_by_id(user: Any, consultation_id: int) -> Consultation:
    try:
        return consultations_open_to(user).select_related("organization").get(pk=consultation_id)
    except Consultation.DoesNotExist:
        raise Http404("没有找到该征求意见事项")


def notices_sent_by(user: Any) -> QuerySet[Notice]:
    return Notice.objects.filter(scope_for(user).organization_q(prefix="organization__"))


def receipts_for(user: Any) -> QuerySet[NoticeReceipt]:
    """The receipts of the organizations the user works in: their notices to read."""
    return NoticeReceipt.objects.filter(scope_for(user).organization_q(prefix="organization__"))


def access_notice_by_id(user: Any, notice_id: int) -> Notice:
    """A notice the user sent (within scope) or one received by an organization they work in."""
    condition = scope_for(user).organization_q(prefix="organization__") | Q(
        pk__in=receipts_for(user).values("notice_id")
    )
    try:
        return Notice.objects.filter(condition).select_related("organization").get(pk=notice_id)
    except Notice.DoesNotExist:
        raise Http404("没有找到该通报")


def reports_for(user: Any) -> QuerySet[SituationReport]:
    """Reports received or sent by organizations the user works in, and the user's own."""
    scope = scope_for(user)
    condition = scope.organization_q(prefix="to_organization__") | scope.organization_q(
        prefix="from_organization__"
    )
    if scope.own_member_id is not None:
        condition |= Q(from_member_id=scope.own_member_id)
    return SituationReport.objects.filter(condition)


def access_report_by_id(user: Any, report_id: int) -> SituationReport:
    try:
        return (
            reports_for(user)
            .select_related("from_organization", "to_organization", "from_member")
            .get(pk=report_id)
        )
    except SituationReport.DoesNotExist:
        raise Http404("没有找到该情况反映")

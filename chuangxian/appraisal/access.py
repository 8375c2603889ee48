"""Who may see, run, rate in and read the results of a round. Built on chuangxian.orgs.access:
out of scope is Http404, like missing.

- A round is *managed* by the administrators of its organization (that subtree's 管理员).
- A round is *visible* to anyone whose scope touches its subtree: administrators and branch
  staff inside it, the members enrolled in it, and administrators above it.
- Results: staff see the subjects of the organizations in their scope; a member sees their own
  result once the round is published.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from chuangxian.appraisal.models import Round, RoundStatus, RoundSubject, Scheme, SubjectType
from chuangxian.orgs.access import scope_for
from chuangxian.orgs.models import Member, Organization, OrgKind


def _ids_on_path(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def own_member(user: Any) -> Member | None:
    """The member record linked to the account, with its organization (None for staff-only)."""
    member_id = scope_for(user).own_member_id
    if member_id is None:
        return None
    return Member.objects.select_related("organization").filter(pk=member_id).first()


def rater_branch(member: Member) -> Organization:
    """The branch a member rates in: a 党小组 counts as its branch."""
    org = member.organization
    if org.kind == OrgKind.GROUP and org.parent_id is not None:
        return Organization.objects.get(pk=org.parent_id)
    return org


def rounds_for(user: Any) -> QuerySet[Round]:
    """Every round the user may open: over (or under) their administered subtrees, over their
    branches, over their own member record."""
    scope = scope_for(user)
    if scope.is_empty:
        return Round.objects.none()
    condition = scope.admin_q("organization__path")
    above: set[int] = set()
    for path in (*scope.admin_paths, *scope.branch_paths):
        above.update(_ids_on_path(path))
    member = own_member(user)
    if member is not None:
        above.update(_ids_on_path(member.organization.path))
    condition |= Q(organization_id__in=sorted(above))
    return Round.objects.filter(condition)


def access_round_by_id(user: Any, round_id: int) -> Round:
    try:
        return rounds_for(user).select_related("scheme", "organization").get(pk=round_id)
    except Round.DoesNotExist:
        raise Http404("没有找到该考评") from None


def can_manage_round(user: Any, round_: Round) -> bool:
    """Move the round through its states, issue tokens, veto: 管理员 of the round's subtree."""
    return scope_for(user).administers(round_.organization)


def access_managed_round_by_id(user: Any, round_id: int) -> Round:
    round_ = access_round_by_id(user, round_id)
    if not can_manage_round(user, round_):
        raise Http404("没有找到该考评")
    return round_


def results_subjects_for(user: Any, round_: Round) -> QuerySet[RoundSubject]:
    """The subjects whose results the user may read in this round."""
    scope = scope_for(user)
    condition = scope.organization_q(prefix="organization__")
    published = round_.status == RoundStatus.PUBLISHED and round_.published_version
    if published and scope.own_member_id is not None:
        condition |= Q(member_id=scope.own_member_id, kind=SubjectType.MEMBER)
    return RoundSubject.objects.filter(condition, round=round_)


def access_subject_by_id(user: Any, round_: Round, subject_id: int) -> RoundSubject:
    try:
        return (
            results_subjects_for(user, round_)
            .select_related("organization", "member")
            .get(pk=subject_id)
        )
    except RoundSubject.DoesNotExist:
        raise Http404("没有找到该考评对象") from None


def can_override_grade(user: Any, subject: RoundSubject) -> bool:
    """The branch decides (不以票取人): its secretary, or an administrator above it."""
    scope = scope_for(user)
    return scope.administers(subject.organization) or scope.is_secretary_of(subject.organization)


def member_subjects_to_rate(round_: Round, member: Member) -> QuerySet[RoundSubject]:
    """A member's sheet: the subjects of their own branch in this round (themselves included)."""
    return RoundSubject.objects.filter(round=round_, organization=rater_branch(member))


def superior_subjects_to_rate(user: Any, round_: Round) -> QuerySet[RoundSubject]:
    """A superior's sheet: subjects strictly below an organization the user administers."""
    scope = scope_for(user)
    condition = Q(pk__in=[])
    for path in scope.admin_paths:
        condition |= Q(organization__path__startswith=path) & ~Q(organization__path=path)
    return RoundSubject.objects.filter(condition, round=round_)


def schemes_for(user: Any) -> QuerySet[Scheme]:
    """The schemes an administrator may read and use for a round: the shipped ones (no owner),
    those maintained in the subtrees they administer, and those of the organizations above
    them (a county's scheme serves its townships)."""
    scope = scope_for(user)
    if not scope.admin_paths:
        return Scheme.objects.none()
    above: set[int] = set()
    for path in scope.admin_paths:
        above.update(_ids_on_path(path))
    return Scheme.objects.filter(
        Q(owner__isnull=True) | scope.admin_q("owner__path") | Q(owner_id__in=sorted(above))
    )


def access_scheme_by_id(user: Any, scheme_id: int) -> Scheme:
    try:
        return schemes_for(user).select_related("owner").get(pk=scheme_id)
    except Scheme.DoesNotExist:
        raise Http404("没有找到该考评方案") from None


def can_edit_scheme(user: Any, scheme: Scheme) -> bool:
    """Edit (while no round uses it): the administrators of the organization maintaining it.
    The shipped schemes are copied, never edited."""
    return scheme.owner is not None and scope_for(user).administers(scheme.owner)

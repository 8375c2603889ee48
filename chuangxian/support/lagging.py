"""Which organizations are lagging (软弱涣散/后进), and why, from the records.

A small registry of conditions: each one takes the candidate organizations and a day and
answers {organization id: reason in words}. The built-in ones read the latest closed
appraisal (lowest tier), the meetings held (none for a year) and the term of office (换届
overdue) and the public's satisfaction with the answers to their opinions (openness); a module
above or beside this one may `register` another. Open manual marks
(LaggingMark) are added as a reason of their own. Nothing here writes."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Max, QuerySet

from chuangxian.appraisal.models import Round, RoundStatus, RoundSubject, SubjectResult, SubjectType
from chuangxian.openness.figures import opinion_figures
from chuangxian.orglife.models import HELD_STATUSES, Meeting
from chuangxian.orgs.models import Organization
from chuangxian.orgs.models.organization import BRANCH_KINDS
from chuangxian.support.models import LaggingMark

Finder = Callable[[Sequence[Organization], dt.date], dict[int, str]]


@dataclass(frozen=True)
class Condition:
    code: str
    label: str
    find: Finder


_conditions: dict[str, Condition] = {}


def register(code: str, label: str) -> Callable[[Finder], Finder]:
    def decorator(find: Finder) -> Finder:
        _conditions[code] = Condition(code, label, find)
        return find

    return decorator


def conditions() -> list[Condition]:
    return list(_conditions.values())


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    text: str


@dataclass
class Lagging:
    organization: Organization
    reasons: list[Reason]


CLOSED_ROUND_STATUSES = (RoundStatus.CLOSED, RoundStatus.REVIEWED, RoundStatus.PUBLISHED)
MANUAL = "manual"


@register("appraisal_tier", "考评最低档次")
def lowest_tier(orgs: Sequence[Organization], today: dt.date) -> dict[int, str]:
    """The organization's latest closed appraisal round placed it in the scheme's last tier."""
    ids = [org.pk for org in orgs]
    subjects = (
        RoundSubject.objects.filter(
            kind=SubjectType.ORGANIZATION,
            organization_id__in=ids,
            round__status__in=CLOSED_ROUND_STATUSES,
        )
        .select_related("round__scheme")
        .order_by("organization_id", "-round__year", "-round_id")
    )
    latest: dict[int, RoundSubject] = {}
    for subject in subjects:
        latest.setdefault(subject.organization_id, subject)
    # One query per round involved (a handful), not one per organization.
    by_round: dict[int, list[RoundSubject]] = {}
    for subject in latest.values():
        by_round.setdefault(subject.round_id, []).append(subject)
    found: dict[int, str] = {}
    for subjects_of_round in by_round.values():
        round_ = subjects_of_round[0].round
        tiers = round_.scheme.tiers
        if not tiers:
            continue
        lowest = str(tiers[-1]["name"])
        version = round_.published_version or round_.version
        in_lowest = set(
            SubjectResult.objects.filter(
                round=round_,
                version=version,
                subject__in=[s.pk for s in subjects_of_round],
                tier=lowest,
            ).values_list("subject_id", flat=True)
        )
        for subject in subjects_of_round:
            if subject.pk in in_lowest:
                found[subject.organization_id] = f"“{round_.name}”评为{lowest}（最低档次）"
    return found


@register("no_meeting", "一年未开展组织生活")
def no_meeting_for_a_year(orgs: Sequence[Organization], today: dt.date) -> dict[int, str]:
    """A branch that has held no meeting of any kind in the last 365 days (and existed then)."""
    branches = [org for org in orgs if org.kind in BRANCH_KINDS]
    since = today - dt.timedelta(days=365)
    last_held = dict(
        Meeting.objects.filter(
            organization_id__in=[org.pk for org in branches], status__in=list(HELD_STATUSES)
        )
        .values_list("organization_id")
        .annotate(last=Max("held_start"))
    )
    found: dict[int, str] = {}
    for org in branches:
        if org.established_on is not None and org.established_on > since:
            continue
        last = last_held.get(org.pk)
        if last is None:
            found[org.pk] = "近一年未召开任何会议（从未记录会议）"
        elif last.date() < since:
            found[org.pk] = f"近一年未召开任何会议（最近一次：{last:%Y-%m-%d}）"
    return found


@register("term_overdue", "超期未换届")
def term_overdue(orgs: Sequence[Organization], today: dt.date) -> dict[int, str]:
    return {
        org.pk: f"任期已于{org.term_ends_on:%Y-%m-%d}届满，尚未换届"
        for org in orgs
        if org.term_ends_on is not None and org.term_ends_on < today
    }


# Below this many rated answers in a year, a share says too little to call anyone lagging.
SATISFACTION_MIN_RATED = 5


@register("public_satisfaction", "群众满意度低于50%")
def public_satisfaction_below_half(orgs: Sequence[Organization], today: dt.date) -> dict[int, str]:
    """Of the answers to the public's opinions rated in the last year (at least
    SATISFACTION_MIN_RATED of them), fewer than half were rated 满意."""
    since = today - dt.timedelta(days=365)
    found: dict[int, str] = {}
    for org_id, figures in opinion_figures([o.pk for o in orgs], since, today, today=today).items():
        rate = figures.satisfaction_rate
        if figures.rated >= SATISFACTION_MIN_RATED and rate is not None and rate < 0.5:
            found[org_id] = (
                f"近一年群众对意见答复的满意率{rate * 100:.0f}%"
                f"（{figures.satisfied}/{figures.rated}），低于50%"
            )
    return found


def lagging_among(orgs: QuerySet[Organization], today: dt.date) -> list[Lagging]:
    """The lagging organizations among `orgs` (already scoped by the caller), each with every
    reason that holds, in tree order. One or two queries per condition, none per organization."""
    candidates = list(orgs.order_by("path"))
    by_id = {org.pk: org for org in candidates}
    reasons: dict[int, list[Reason]] = {}
    for condition in conditions():
        for org_id, text in condition.find(candidates, today).items():
            if org_id in by_id:
                reasons.setdefault(org_id, []).append(Reason(condition.code, condition.label, text))
    marks = LaggingMark.objects.filter(organization_id__in=list(by_id), cleared_at__isnull=True)
    for mark in marks:
        reasons.setdefault(mark.organization_id, []).append(
            Reason(MANUAL, "人工认定", f"{mark.reason}（{mark.marked_by_label}认定）")
        )
    return [Lagging(org, reasons[org.pk]) for org in candidates if org.pk in reasons]


def reasons_for(org: Organization, today: dt.date) -> list[Reason]:
    found = lagging_among(Organization.objects.filter(pk=org.pk), today)
    return found[0].reasons if found else []


def latest_tier(org: Organization) -> str:
    """The tier of the organization's latest closed appraisal, or "" (for plan figures)."""
    subject = (
        RoundSubject.objects.filter(
            kind=SubjectType.ORGANIZATION,
            organization=org,
            round__status__in=CLOSED_ROUND_STATUSES,
        )
        .select_related("round")
        .order_by("-round__year", "-round_id")
        .first()
    )
    if subject is None:
        return ""
    round_: Round = subject.round
    version = round_.published_version or round_.version
    result = SubjectResult.objects.filter(round=round_, version=version, subject=subject).first()
    return result.tier if result is not None else ""

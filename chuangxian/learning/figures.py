"""Study figures for later modules (appraisal, points, reports): a stable, typed interface.

All per-year figures count the calendar year (1 January – 31 December) and carry nothing over.
Hours are Decimal with one decimal place; points are 学习强国 points, never added to hours."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum

from chuangxian.learning.models import Attempt, AttemptStatus, StudyRecord, XuexiPoints
from chuangxian.learning.rules import requirement_for_post, year_bounds
from chuangxian.orgs.models import Member, MemberStatus, Organization

ZERO = Decimal("0.0")


def study_hours(member: Member, year: int) -> Decimal:
    """The member's 学时 earned in `year`, from every source."""
    first, last = year_bounds(year)
    total = StudyRecord.objects.filter(member=member, day__gte=first, day__lte=last).aggregate(
        total=Sum("hours")
    )["total"]
    return Decimal(total or ZERO).quantize(Decimal("0.1"))


def study_requirement(member: Member, year: int) -> int:
    """32 学时, or 56 for a branch secretary or committee member (by current 党内职务)."""
    return requirement_for_post(member.party_post)


def progress_of(hours: Decimal, requirement: int) -> float:
    """Hours against the requirement as 0.0–1.0 (capped at 1.0: more is complete)."""
    if requirement <= 0:
        return 1.0
    return min(1.0, float(hours) / requirement)


def study_progress(member: Member, year: int) -> float:
    return progress_of(study_hours(member, year), study_requirement(member, year))


def xuexi_points(member: Member, year: int) -> int:
    """学习强国 points recorded for the member and year (0 when none were imported)."""
    row = XuexiPoints.objects.filter(member=member, year=year).first()
    return row.points if row else 0


@dataclass(frozen=True)
class ExamResult:
    exam_id: int
    title: str
    attempts: int
    best_score: int | None
    passed: bool
    last_submitted_at: dt.datetime | None


def exam_results(member: Member, year: int) -> list[ExamResult]:
    """Per exam the member attempted in `year`: attempts used, best score, whether passed."""
    first, last = year_bounds(year)
    rows = (
        Attempt.objects.filter(
            member=member, started_at__date__gte=first, started_at__date__lte=last
        )
        .values("exam_id", "exam__title")
        .annotate(
            attempts=Count("id"),
            best=Max("score", filter=~Q(status=AttemptStatus.IN_PROGRESS)),
            passed_count=Count("id", filter=Q(passed=True)),
            last=Max("submitted_at"),
        )
        .order_by("-last", "exam_id")
    )
    return [
        ExamResult(
            exam_id=row["exam_id"],
            title=row["exam__title"],
            attempts=row["attempts"],
            best_score=row["best"],
            passed=row["passed_count"] > 0,
            last_submitted_at=row["last"],
        )
        for row in rows
    ]


@dataclass
class MemberStudy:
    member_id: int
    name: str
    organization_id: int
    party_post: str
    requirement: int
    hours: Decimal
    by_source: dict[str, Decimal]
    points: int

    @property
    def progress(self) -> float:
        return progress_of(self.hours, self.requirement)

    @property
    def met(self) -> bool:
        return self.hours >= self.requirement


@dataclass
class OrgStudySummary:
    organization_id: int
    members: int = 0
    members_met: int = 0
    hours: Decimal = ZERO
    points: int = 0

    @property
    def average_hours(self) -> Decimal:
        if not self.members:
            return ZERO
        return (self.hours / self.members).quantize(Decimal("0.1"))

    @property
    def met_rate(self) -> float:
        return self.members_met / self.members if self.members else 0.0


def member_study_rows(
    org: Organization,
    year: int,
    *,
    member_ids: list[int] | None = None,
    visible: QuerySet[Member] | None = None,
) -> list[MemberStudy]:
    """Every active member of `org`'s subtree with their year's hours by source and points:
    three queries, whatever the size of the subtree. `visible` (orgs.access.members_for of
    the viewer) limits the rows to the members a page may show."""
    first, last = year_bounds(year)
    members = Member.objects.filter(
        status=MemberStatus.ACTIVE, organization__path__startswith=org.path
    )
    if member_ids is not None:
        members = members.filter(pk__in=member_ids)
    if visible is not None:
        members = members.filter(pk__in=visible.values("pk"))
    in_subtree = Q(
        member__status=MemberStatus.ACTIVE, member__organization__path__startswith=org.path
    )
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    records = (
        StudyRecord.objects.filter(in_subtree, day__gte=first, day__lte=last)
        .values_list("member_id", "source")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for member_id, source, total in records:
        sums[member_id][source] = Decimal(total)
    points = dict(
        XuexiPoints.objects.filter(in_subtree, year=year).values_list("member_id", "points")
    )
    rows = []
    for member_id, name, org_id, post in members.order_by(
        "organization__path", "name", "id"
    ).values_list("id", "name", "organization_id", "party_post"):
        by_source = sums.get(member_id, {})
        rows.append(
            MemberStudy(
                member_id=member_id,
                name=name,
                organization_id=org_id,
                party_post=post,
                requirement=requirement_for_post(post),
                hours=sum(by_source.values(), ZERO).quantize(Decimal("0.1")),
                by_source=by_source,
                points=points.get(member_id, 0),
            )
        )
    return rows


def organization_study_summaries(org: Organization, year: int) -> dict[int, OrgStudySummary]:
    """For `org` and every organization below it: active members (whole subtree, rolled up),
    how many met their requirement, total 学时 and 学习强国 points — in one pass over the
    subtree (four queries in all)."""
    paths = dict(Organization.objects.filter(path__startswith=org.path).values_list("id", "path"))
    summaries = {org_id: OrgStudySummary(organization_id=org_id) for org_id in paths}
    for row in member_study_rows(org, year):
        path = paths.get(row.organization_id, "")
        for part in path.strip("/").split("/"):
            summary = summaries.get(int(part)) if part else None
            if summary is None:
                continue
            summary.members += 1
            summary.members_met += row.met
            summary.hours += row.hours
            summary.points += row.points
    return summaries


def study_hours_many(member_ids: list[int], year: int) -> dict[int, Decimal]:
    """study_hours for many members in one grouped query (members without records absent)."""
    first, last = year_bounds(year)
    rows = (
        StudyRecord.objects.filter(member_id__in=member_ids, day__gte=first, day__lte=last)
        .values_list("member_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    return {member_id: Decimal(total).quantize(Decimal("0.1")) for member_id, total in rows}

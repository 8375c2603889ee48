"""Figures other modules read (appraisal engine, points ledger, dues' 党章第九条 check).

A stable interface: each function is typed, documented and tested; callers never query the
meeting tables themselves. Only meetings that took place count (HELD_STATUSES: held, submitted,
approved, returned), dated by their actual start in Asia/Shanghai."""

import datetime as dt
from typing import NamedTuple

from django.db.models import Count, Max, Min, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from chuangxian.orglife.cadence import org_class_of
from chuangxian.orglife.compliance import TYPES, RuleResult, compute_compliance, held_masks
from chuangxian.orglife.models import HELD_STATUSES, Attendance, AttendanceStatus, MeetingType
from chuangxian.orglife.periods import Period
from chuangxian.orgs.models import Member, Organization


class HeldRequired(NamedTuple):
    """Meetings of a type held in the period, and the number of rule periods (months,
    quarters, the year) that required one by the reference day (0 where no rule applies)."""

    held: int
    required: int


def _figures(results: list[RuleResult], held_counts: dict[str, int]) -> dict[str, HeldRequired]:
    figures = {t: HeldRequired(held_counts.get(t, 0), 0) for t in MeetingType.values}
    for result in results:
        figures[result.rule.meeting_type] = HeldRequired(result.held, result.required)
    return figures


def meetings_held_vs_required_subtree(
    root: Organization, period: Period, today: dt.date | None = None
) -> dict[int, dict[str, HeldRequired]]:
    """For every branch and 党小组 under `root` (itself included): {meeting type: (held,
    required)}. One pass over the subtree (compliance.compute_compliance)."""
    report = compute_compliance(root=root, period=period, today=today or timezone.localdate())
    return {row.org_id: _figures(row.results, row.held_counts) for row in report.rows}


def meetings_held_vs_required(
    org: Organization, period: Period, today: dt.date | None = None
) -> dict[str, HeldRequired]:
    """{meeting type: (held, required)} for one organization. Organizations without cadence
    rules (党委, 党总支) get their held counts with required 0."""
    if org_class_of(org.kind) is not None:
        return meetings_held_vs_required_subtree(org, period, today)[org.pk]
    held = held_masks(
        root=org, year=period.year, window_months=period.month_mask, extra=Q(organization=org)
    ).get(org.pk)
    count = len(TYPES)
    return {t: HeldRequired(held[1 + count + i] if held else 0, 0) for i, t in enumerate(TYPES)}


def _held_in(period: Period) -> Q:
    start, end = period.aware_bounds()
    return Q(
        meeting__status__in=list(HELD_STATUSES),
        meeting__held_start__gte=start,
        meeting__held_start__lt=end,
    )


def attendance_rate(member: Member, period: Period) -> float | None:
    """出席率: meetings attended / meetings the member was expected at, among those held in
    the period (a 请假 counts as not attended). None when they were expected at none."""
    rows = Attendance.objects.filter(_held_in(period), member=member)
    expected = rows.count()
    if expected == 0:
        return None
    present = rows.filter(status=AttendanceStatus.PRESENT).count()
    return present / expected


def last_attended(member: Member) -> dt.date | None:
    """The local date of the last held meeting the member attended, or None."""
    latest = Attendance.objects.filter(
        member=member,
        status=AttendanceStatus.PRESENT,
        meeting__status__in=list(HELD_STATUSES),
    ).aggregate(at=Max("meeting__held_start"))["at"]
    return timezone.localtime(latest).date() if latest else None


def months_without_orglife(member: Member, today: dt.date) -> int:
    """Whole calendar months, before the current one, since the month of the member's last
    attended meeting: attended in May, today in November → 5 (June to October).

    A member who never attended is counted from the month of the first held meeting they were
    expected at; with no such meeting there is no record to judge by, and the answer is 0 (the
    system does not invent absences from before it was used)."""
    last = last_attended(member)
    if last is None:
        first = Attendance.objects.filter(
            member=member, meeting__status__in=list(HELD_STATUSES)
        ).aggregate(at=Min("meeting__held_start"))["at"]
        if first is None:
            return 0
        start = timezone.localtime(first).date()
        # The month of that first meeting counts as a month without attendance.
        return max(0, (today.year * 12 + today.month) - (start.year * 12 + start.month))
    return max(0, (today.year * 12 + today.month) - (last.year * 12 + last.month) - 1)


class AttendanceCounts(NamedTuple):
    """A member's held meetings in a period: expected at, present (出席), on leave (请假)."""

    expected: int
    present: int
    leave: int


def attendance_counts(member_ids: list[int], period: Period) -> dict[int, AttendanceCounts]:
    """attendance_rate's counts for many members in one grouped query; members expected at
    no held meeting of the period are absent from the answer."""
    rows = (
        Attendance.objects.filter(_held_in(period), member_id__in=member_ids)
        .values_list("member_id")
        .annotate(
            expected=Count("id"),
            present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
            leave=Count("id", filter=Q(status=AttendanceStatus.LEAVE)),
        )
        .order_by()
    )
    return {member_id: AttendanceCounts(e, p, le) for member_id, e, p, le in rows}


def organization_attendance_counts(org: Organization, period: Period) -> AttendanceCounts:
    """The same counts over every attendance row of the held meetings of `org` and the
    organizations below it: how fully its members take part in organizational life."""
    counts = Attendance.objects.filter(
        _held_in(period), meeting__organization__path__startswith=org.path
    ).aggregate(
        expected=Count("id"),
        present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
        leave=Count("id", filter=Q(status=AttendanceStatus.LEAVE)),
    )
    return AttendanceCounts(counts["expected"], counts["present"], counts["leave"])


def attendance_by_month(root: Organization, year: int) -> dict[int, dict[int, int]]:
    """{member id: {month: meetings attended}} for the members of `root`'s subtree in `year`
    (held meetings only, dated in Asia/Shanghai): one grouped query, for the points ledger."""
    rows = (
        Attendance.objects.filter(
            _held_in(Period(year, 1, 12)),
            status=AttendanceStatus.PRESENT,
            member__organization__path__startswith=root.path,
        )
        .annotate(month=ExtractMonth("meeting__held_start"))
        .values_list("member_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    result: dict[int, dict[int, int]] = {}
    for member_id, month, n in rows:
        result.setdefault(member_id, {})[month] = n
    return result

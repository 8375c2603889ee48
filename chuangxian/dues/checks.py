"""党章第九条: "党员如果没有正当理由，连续六个月不参加党的组织生活，或不交纳党费，或不做党所
分配的工作，就被认为是自行脱党。"

Two rules read the records, the same way:

- dues: consecutive months, ending with the last month already over, with no payment at all;
- organizational life: consecutive months without being present (出席) at any held meeting
  (a 请假 is not attendance), counted from the first held meeting the member was expected at —
  the same definition as chuangxian.orglife.figures.months_without_orglife, computed in bulk.

Months covered by a recorded good reason (正当理由) break a run: only months *without* good
reason count towards the ladder — 3 months: the branch secretary is warned; 5 months: the
superior organization is told; 6 months: the member is flagged as 党章第九条 requires. The flag
is a signal for the branch to act (谈话, 教育, and if it stands, the decision the 党章 prescribes);
the software never changes anyone's 党籍状态 by itself.

Everything here is computed from the records on each call, in chunks of members with a fixed
number of queries per chunk, so it serves one member's page, a branch list and the nightly
sweep over a province alike.
"""

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import DateField, Min, Q
from django.db.models.functions import TruncMonth

from chuangxian.dues.ledger import obligation_start
from chuangxian.dues.models import DuesSetting, GoodReason, PaymentMonth, ReasonScope
from chuangxian.dues.months import add_months, last_complete_month, month_of, month_range
from chuangxian.orglife.models import HELD_STATUSES, Attendance, AttendanceStatus
from chuangxian.orgs.models import Member, MemberStatus, OrgKind

# How far back the bulk checks look; longer runs show as "LOOKBACK_MONTHS or more".
LOOKBACK_MONTHS = 24
CHUNK = 2000
WARN_MONTHS = 3
ESCALATE_MONTHS = 5
ARTICLE9_MONTHS = 6


class Rule(enum.StrEnum):
    DUES = "dues"
    ORGLIFE = "orglife"


RULE_LABELS = {Rule.DUES: "不交纳党费", Rule.ORGLIFE: "不参加组织生活"}


class Level(enum.IntEnum):
    NONE = 0
    WARNING = WARN_MONTHS
    ESCALATED = ESCALATE_MONTHS
    ARTICLE9 = ARTICLE9_MONTHS

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    Level.NONE: "",
    Level.WARNING: "预警（满3个月）",
    Level.ESCALATED: "已报上级（满5个月）",
    Level.ARTICLE9: "党章第九条（满6个月）",
}


def level_for(unexcused_months: int) -> Level:
    for level in (Level.ARTICLE9, Level.ESCALATED, Level.WARNING):
        if unexcused_months >= level.value:
            return level
    return Level.NONE


@dataclass(frozen=True)
class Run:
    """Consecutive months missed, ending with the last month over."""

    months: int  # every missed month, good reason or not
    unexcused: int  # the part of the run, from its end, with no good reason
    started: dt.date | None  # first month of the unexcused run

    @property
    def level(self) -> Level:
        return level_for(self.unexcused)


NO_RUN = Run(0, 0, None)


def run_of(
    *,
    end: dt.date,
    start: dt.date | None,
    done: set[dt.date],
    excused: set[dt.date],
    limit: int = 10_000,
) -> Run:
    """Count back from `end` over months not in `done`, no earlier than `start`."""
    if start is None or end < start:
        return NO_RUN
    months = unexcused = 0
    counting_unexcused = True
    started: dt.date | None = None
    month = end
    while month >= start and month not in done and months < limit:
        months += 1
        if month in excused:
            counting_unexcused = False
        elif counting_unexcused:
            unexcused += 1
            started = month
        month = add_months(month, -1)
    return Run(months, unexcused, started)


def excused_months(
    reasons: Iterable[tuple[str, dt.date, dt.date | None]], rule: Rule, *, until: dt.date
) -> set[dt.date]:
    """Months touched by a good reason for `rule` (applies_to, starts_on, ends_on)."""
    months: set[dt.date] = set()
    for applies_to, starts_on, ends_on in reasons:
        if applies_to not in (rule.value, ReasonScope.BOTH):
            continue
        last = month_of(ends_on) if ends_on else until
        months.update(month_range(month_of(starts_on), min(last, until)))
    return months


@dataclass(frozen=True)
class MemberCheck:
    member_id: int
    name: str
    organization_id: int
    organization_path: str
    organization_kind: str
    parent_id: int | None
    dues: Run
    orglife: Run

    @property
    def branch_id(self) -> int:
        """The branch responsible: the member's organization, or the branch above a 党小组."""
        if self.organization_kind == OrgKind.GROUP and self.parent_id is not None:
            return self.parent_id
        return self.organization_id

    def run(self, rule: Rule) -> Run:
        return self.dues if rule == Rule.DUES else self.orglife


def check_members(member_filter: Q, *, today: dt.date) -> Iterator[MemberCheck]:
    """Both runs for every 在册 member matching `member_filter` (a Q on Member), by chunks."""
    members = (
        Member.objects.filter(member_filter, status=MemberStatus.ACTIVE)
        .order_by("pk")
        .values_list(
            "pk",
            "name",
            "joined_on",
            "organization_id",
            "organization__path",
            "organization__kind",
            "organization__parent_id",
        )
    )
    chunk: list[tuple[int, str, dt.date, int, str, str, int | None]] = []
    for row in members.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield from _check_chunk(chunk, today)
            chunk = []
    if chunk:
        yield from _check_chunk(chunk, today)


def _check_chunk(
    rows: list[tuple[int, str, dt.date, int, str, str, int | None]], today: dt.date
) -> Iterator[MemberCheck]:
    ids = [row[0] for row in rows]
    end = last_complete_month(today)
    window = add_months(end, 1 - LOOKBACK_MONTHS)
    window_start_at = dt.datetime.combine(window, dt.time.min, tzinfo=_tz())
    first_setting = dict(
        DuesSetting.objects.filter(member_id__in=ids)
        .values("member_id")
        .annotate(first=Min("effective_from"))
        .values_list("member_id", "first")
    )
    paid: dict[int, set[dt.date]] = defaultdict(set)
    for member_id, month in (
        PaymentMonth.objects.filter(member_id__in=ids, month__gte=window, month__lte=end)
        .values_list("member_id", "month")
        .distinct()
    ):
        paid[member_id].add(month)
    attended: dict[int, set[dt.date]] = defaultdict(set)
    for member_id, month in (
        Attendance.objects.filter(
            member_id__in=ids,
            status=AttendanceStatus.PRESENT,
            meeting__status__in=HELD_STATUSES,
            meeting__held_start__gte=window_start_at,
        )
        .annotate(month=TruncMonth("meeting__held_start", output_field=DateField()))
        .values_list("member_id", "month")
        .distinct()
    ):
        attended[member_id].add(month)
    reasons: dict[int, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
    for member_id, applies_to, starts_on, ends_on in GoodReason.objects.filter(
        member_id__in=ids
    ).values_list("member_id", "applies_to", "starts_on", "ends_on"):
        reasons[member_id].append((applies_to, starts_on, ends_on))
    first_expected = _first_expected(ids)
    for member_id, name, joined_on, org_id, path, kind, parent_id in rows:
        own_reasons = reasons.get(member_id, [])
        dues_start = obligation_start(joined_on, first_setting.get(member_id))
        dues = run_of(
            end=end,
            start=max(dues_start, window) if dues_start else None,
            done=paid.get(member_id, set()),
            excused=excused_months(own_reasons, Rule.DUES, until=end),
        )
        life_start = first_expected.get(member_id)
        orglife = NO_RUN
        if month_of(today) not in attended.get(member_id, set()):
            orglife = run_of(
                end=end,
                start=max(life_start, window) if life_start else None,
                done=attended.get(member_id, set()),
                excused=excused_months(own_reasons, Rule.ORGLIFE, until=end),
            )
        yield MemberCheck(member_id, name, org_id, path, kind, parent_id, dues, orglife)


def _first_expected(member_ids: list[int]) -> dict[int, dt.date]:
    """Organizational life is counted from the first held meeting each member was expected at
    (has an attendance row, whatever its status), as chuangxian.orglife.figures does: a branch
    that has not started recording meetings does not turn every member into an absentee."""
    rows = (
        Attendance.objects.filter(
            member_id__in=member_ids,
            meeting__status__in=HELD_STATUSES,
            meeting__held_start__isnull=False,
        )
        .values("member_id")
        .annotate(first=Min(TruncMonth("meeting__held_start", output_field=DateField())))
        .values_list("member_id", "first")
    )
    # An aggregate over a truncation comes back as a datetime on PostgreSQL.
    return {
        member_id: first.date() if isinstance(first, dt.datetime) else first
        for member_id, first in rows
    }


def check_member(member: Member, *, today: dt.date) -> MemberCheck | None:
    """The runs of one member (None when not 在册)."""
    return next(iter(check_members(Q(pk=member.pk), today=today)), None)


def _tz() -> dt.tzinfo:
    from django.utils import timezone

    return timezone.get_current_timezone()

"""The points ledger: accrual from records, reversal, and totals.

Accrual (`accrue`) is set-based: for a subtree and a year it reads each source once in bulk
(the lower modules' figures.py), works out what every member should have per rule and cap
period ("record key"), compares it with the net of the ledger per key, and appends only the
difference: the live entries of a changed key are reversed and one new entry is posted. Run
twice, it appends nothing the second time.

A year's total is the sum of its entries, or zero while a 一票否决 entry stands."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from chuangxian.honors.catalogue import rules_by_organization
from chuangxian.honors.models import (
    AUTOMATIC_SOURCES,
    ZERO,
    AwardRecord,
    Bucket,
    CapPeriod,
    PointEntry,
    PointRule,
    PointSource,
)
from chuangxian.orgs.models import Member, MemberStatus, Organization
from chuangxian.roster_io.bulk_insert import copy_rows, db_datetime

Counts = dict[int, dict[int, int]]  # member id → {month (0: the year) → count}
SYSTEM_LABEL = "系统（自动计分）"
QUARTERS = "一二三四"


def signed(rule: PointRule, points: Decimal) -> Decimal:
    return -points if rule.bucket == Bucket.DEDUCTION else points


def _period_of(month: int, cap_period: str) -> tuple[str, str]:
    """(record key suffix, words) of the cap period a month falls in; month 0 is the year."""
    if month == 0 or cap_period == CapPeriod.YEAR:
        return "", "全年"
    if cap_period == CapPeriod.QUARTER:
        quarter = (month - 1) // 3 + 1
        return f"-Q{quarter}", f"第{QUARTERS[quarter - 1]}季度"
    return f"-{month:02d}", f"{month}月"


@dataclass(frozen=True)
class Due:
    """What a member should hold for one rule and cap period."""

    member_id: int
    organization_id: int
    rule: PointRule
    record_key: str
    points: Decimal
    detail: str


def _source_counts(root: Organization, year: int) -> dict[str, Counts]:
    from chuangxian.campaigns import figures as campaign_figures
    from chuangxian.commitments import figures as commitment_figures
    from chuangxian.dues import figures as dues_figures
    from chuangxian.learning import figures as learning_figures
    from chuangxian.orglife import figures as orglife_figures

    def yearly(values: dict[int, int]) -> Counts:
        return {member_id: {0: n} for member_id, n in values.items() if n}

    study = {row.member_id: 1 for row in learning_figures.member_study_rows(root, year) if row.met}
    awards = (
        AwardRecord.objects.filter(
            member__isnull=False,
            awarded_on__year=year,
            member__organization__path__startswith=root.path,
        )
        .values_list("member_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        PointSource.ATTENDANCE: orglife_figures.attendance_by_month(root, year),
        PointSource.STUDY: yearly(study),
        PointSource.DUES: dues_figures.months_paid_on_time(root, year),
        PointSource.COMMITMENT: yearly(
            commitment_figures.fulfilled_and_rated_by_member(root, year)
        ),
        PointSource.TARGET: yearly(campaign_figures.member_targets_met(root, year)),
        PointSource.AWARD: yearly(dict(awards.values_list("member_id", "n"))),
    }


DETAIL: dict[str, str] = {
    PointSource.ATTENDANCE: "{period}参加组织生活 {n} 次",
    PointSource.STUDY: "{year}年学时达到要求",
    PointSource.DUES: "{period}按时交纳党费 {n} 个月",
    PointSource.COMMITMENT: "{year}年公开承诺兑现并经评议 {n} 项",
    PointSource.TARGET: "{year}年完成个人目标任务 {n} 项",
    PointSource.AWARD: "{year}年获得表彰 {n} 项",
}


UNIT: dict[str, str] = {
    PointSource.ATTENDANCE: "次",
    PointSource.STUDY: "年",
    PointSource.DUES: "月",
    PointSource.COMMITMENT: "项",
    PointSource.TARGET: "项",
    PointSource.AWARD: "项",
}


def entries_due(
    year: int, rule: PointRule, member_id: int, org_id: int, by_month: dict[int, int]
) -> list[Due]:
    """The member's entries for one rule: counts summed per cap period, points capped."""
    periods: dict[str, tuple[str, int]] = {}
    for month, n in sorted(by_month.items()):
        suffix, words = _period_of(month, rule.cap_period)
        periods[suffix] = (words, periods.get(suffix, ("", 0))[1] + n)
    result = []
    for suffix, (words, n) in periods.items():
        points = rule.points * n
        capped = rule.cap is not None and points > rule.cap
        if capped:
            points = rule.cap  # type: ignore[assignment]
        detail = DETAIL[rule.source].format(period=f"{year}年{words}", year=year, n=n)
        detail += f"，每{UNIT[rule.source]} {rule.points} 分" if n > 1 else ""
        detail += f"，封顶 {rule.cap} 分" if capped else ""
        result.append(
            Due(member_id, org_id, rule, f"{rule.source}:{year}{suffix}", signed(rule, points),
                detail)
        )  # fmt: skip
    return result


@dataclass
class AccrualResult:
    members: int = 0
    posted: int = 0
    reversed: int = 0


class Live(NamedTuple):
    """A live entry (neither reversed nor a reversal), as read for comparison."""

    id: int
    member_id: int
    organization_id: int
    rule_id: int
    bucket: str
    veto: bool
    record_key: str
    points: Decimal


def _live_entries(
    member_ids: list[int], year: int, rule_ids: list[int]
) -> dict[tuple[int, str, int], list[Live]]:
    """The live entries of the given rules by (member, key, rule): one plain query, the
    reversals matched in Python (a self-join per row cost more than the whole accrual)."""
    rows = (
        PointEntry.objects.filter(year=year, rule_id__in=rule_ids, member_id__in=member_ids)
        .order_by()
        .values_list(
            "id",
            "member_id",
            "organization_id",
            "rule_id",
            "bucket",
            "veto",
            "record_key",
            "points",
            "reverses_id",
        )
    )
    entries: list[Live] = []
    reversed_ids: set[int] = set()
    for *values, reverses_id in rows:
        if reverses_id is None:
            entries.append(Live(*values))
        else:
            reversed_ids.add(reverses_id)
    live: dict[tuple[int, str, int], list[Live]] = defaultdict(list)
    for entry in entries:
        if entry.id not in reversed_ids:
            live[(entry.member_id, entry.record_key, entry.rule_id)].append(entry)
    return live


def reversal_of(
    entry: PointEntry | Live, *, year: int, actor_label: str, reason: str
) -> PointEntry:
    return PointEntry(
        member_id=entry.member_id,
        organization_id=entry.organization_id,
        year=year,
        rule_id=entry.rule_id,
        bucket=entry.bucket,
        veto=entry.veto,
        record_key=entry.record_key,
        points=-entry.points,
        detail=f"冲销：{reason}"[:300],
        reverses_id=entry.id,
        actor_label=actor_label,
    )


CHUNK = 5000
REVERSAL_DETAIL = "冲销：记录变化，重新计算"
ENTRY_COLUMNS = (
    "member_id",
    "organization_id",
    "year",
    "rule_id",
    "bucket",
    "veto",
    "record_key",
    "points",
    "detail",
    "reverses_id",
    "actor_label",
    "created_at",
)


def accrue(root: Organization, year: int) -> AccrualResult:
    """Bring the automatic entries of `root`'s active members for `year` in line with their
    records. Atomic; idempotent (a second run appends nothing)."""
    rules = rules_by_organization(root)
    counts = _source_counts(root, year)
    members = list(
        Member.objects.filter(
            status=MemberStatus.ACTIVE, organization__path__startswith=root.path
        ).values_list("id", "organization_id")
    )
    result = AccrualResult(members=len(members))
    now = db_datetime(timezone.now())
    # Every automatic rule that could hold entries of these members, those switched off too
    # (their entries are reversed).
    automatic_rule_ids = list(
        PointRule.objects.filter(source__in=AUTOMATIC_SOURCES).values_list("id", flat=True)
    )
    with transaction.atomic():
        for start in range(0, len(members), CHUNK):
            chunk = members[start : start + CHUNK]
            due: dict[tuple[int, str, int], Due] = {}
            for member_id, org_id in chunk:
                for rule in rules.get(org_id, {}).values():
                    if rule.source not in AUTOMATIC_SOURCES:
                        continue
                    by_month = counts[rule.source].get(member_id)
                    if by_month:
                        for item in entries_due(year, rule, member_id, org_id, by_month):
                            due[(member_id, item.record_key, rule.pk)] = item
            live = _live_entries([m for m, _ in chunk], year, automatic_rule_ids)
            rows: list[tuple[object, ...]] = []
            for key, entries in live.items():
                wanted = due.get(key)
                if wanted is not None and sum(e.points for e in entries) == wanted.points:
                    due.pop(key)
                    continue
                rows.extend(
                    (e.member_id, e.organization_id, year, e.rule_id, e.bucket, e.veto,
                     e.record_key, -e.points, REVERSAL_DETAIL, e.id, SYSTEM_LABEL, now)
                    for e in entries
                )  # fmt: skip
                result.reversed += len(entries)
            for item in due.values():
                if item.points == 0:
                    continue
                rule = item.rule
                rows.append(
                    (item.member_id, item.organization_id, year, rule.pk, rule.bucket, rule.veto,
                     item.record_key, item.points, item.detail[:300], None, SYSTEM_LABEL, now)
                )  # fmt: skip
                result.posted += 1
            # New rows only, of plain values: COPY on PostgreSQL, executemany on SQLite
            # (bulk_create's per-value preparation was most of a large accrual's time).
            copy_rows(PointEntry._meta.db_table, ENTRY_COLUMNS, rows)
    return result


def roots() -> list[Organization]:
    return list(Organization.objects.filter(parent__isnull=True).order_by("path"))


# ---------------------------------------------------------------- totals


def _total(rows: dict[str, Decimal | int | None]) -> Decimal:
    if (rows["vetoes"] or 0) - (rows["vetoes_undone"] or 0) > 0:
        return ZERO
    return Decimal(rows["points"] or ZERO).quantize(Decimal("0.1"))


def _aggregates() -> dict[str, Sum | Count]:
    return {
        "points": Sum("points"),
        "vetoes": Count("id", filter=Q(veto=True, reverses__isnull=True)),
        "vetoes_undone": Count("id", filter=Q(veto=True, reverses__isnull=False)),
    }


def member_year_total(member_id: int, year: int) -> Decimal:
    """Σ entries of the member's year, or 0 while a 一票否决 entry stands."""
    rows = PointEntry.objects.filter(member_id=member_id, year=year).aggregate(**_aggregates())
    return _total(rows)


def member_totals(member_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """{member id: year total} for many members in one grouped query (absent: no entries)."""
    rows = (
        PointEntry.objects.filter(member_id__in=list(member_ids), year=year)
        .values("member_id")
        .annotate(**_aggregates())
        .order_by()
    )
    return {row["member_id"]: _total(row) for row in rows}


def subtree_member_totals(root: Organization, year: int) -> dict[int, Decimal]:
    rows = (
        PointEntry.objects.filter(member__organization__path__startswith=root.path, year=year)
        .values("member_id")
        .annotate(**_aggregates())
        .order_by()
    )
    return {row["member_id"]: _total(row) for row in rows}


def member_bucket_totals(member_id: int, year: int) -> dict[str, Decimal]:
    rows = (
        PointEntry.objects.filter(member_id=member_id, year=year)
        .values_list("bucket")
        .annotate(total=Sum("points"))
        .order_by()
    )
    return {bucket: Decimal(total) for bucket, total in rows}


def organization_year_total(org: Organization, year: int) -> Decimal:
    """The sum of the year totals of the members of the organization's subtree (each member's
    own 一票否决 zeroing only that member)."""
    return sum(subtree_member_totals(org, year).values(), ZERO)


def today_year(day: dt.date | None = None) -> int:
    return (day or timezone.localdate()).year

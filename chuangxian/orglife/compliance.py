"""Cadence compliance of a subtree for a period: which organizations met each rule.

The whole computation is a handful of grouped queries over the subtree, whatever its size:

1. the organizations that rules apply to (branches and 党小组), one row each;
2. the cadence-rule overrides above and inside the subtree;
3. the meetings held in the calendar year, grouped by organization and type, each group giving
   a 12-bit mask of the months with a meeting (SUM over per-month groups) and a count;
4. the exemptions overlapping the year; 5. full-member counts, only when a rule depends on them.

Everything after that is bit arithmetic per organization and rule (periods.FOLD_* tables), no
loop over months and no query per organization.

Per rule period the states are: met (a meeting held), missed (ended without one), pending (not
over yet, none held so far), exempt (recorded exemption), and not counted (the organization was
founded after the period began)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections
from django.db.models import Count, F, Max, Q, Sum, Value

from chuangxian.orglife.cadence import Rule, RuleBook
from chuangxian.orglife.models import Exemption, MeetingTally, MeetingType
from chuangxian.orglife.periods import (
    FOLD_ALL,
    FOLD_ANY,
    Period,
    ended_months,
    months_from,
    months_mask_between,
    rule_periods,
)
from chuangxian.orgs.access import scope_for
from chuangxian.orgs.models import Member, MemberCategory, MemberStatus, Organization, OrgKind
from chuangxian.orgs.models.organization import BRANCH_KINDS

ALL_MONTHS = (1 << 12) - 1
TYPES: tuple[str, ...] = tuple(MeetingType.values)


class CellState:
    MET = "met"
    MISSED = "missed"
    PENDING = "pending"
    EXEMPT = "exempt"
    NOT_COUNTED = "not_counted"


CELL_SYMBOLS = {
    CellState.MET: "✓",
    CellState.MISSED: "✗",
    CellState.PENDING: "…",
    CellState.EXEMPT: "免",
    CellState.NOT_COUNTED: "—",
}
CELL_LABELS = {
    CellState.MET: "已召开",
    CellState.MISSED: "未召开",
    CellState.PENDING: "尚未到期",
    CellState.EXEMPT: "免于考核",
    CellState.NOT_COUNTED: "组织尚未成立",
}


@dataclass(frozen=True)
class Cell:
    period: Period
    state: str
    symbol: str
    label: str


@dataclass(slots=True)
class RuleResult:
    """One organization against one rule in the report window. Masks are over the rule's
    periods of the year (bit i = i-th month, quarter, or the year)."""

    rule: Rule
    year: int
    held: int  # meetings of the type held in the report window
    held_mask: int
    window: int
    eligible: int  # counted: in the window, organization existing, not exempt
    exempt: int
    due: int  # periods over on the report day

    @property
    def met(self) -> int:
        return (self.held_mask & self.eligible).bit_count()

    @property
    def required(self) -> int:
        """Periods that had to have a meeting by the report day (over, or met early)."""
        return (self.eligible & (self.due | self.held_mask)).bit_count()

    @property
    def missed(self) -> int:
        return (self.eligible & self.due & ~self.held_mask).bit_count()

    @property
    def pending(self) -> int:
        return (self.eligible & ~self.due & ~self.held_mask).bit_count()

    @property
    def ok(self) -> bool:
        return self.missed == 0

    def cells(self) -> list[Cell]:
        cells: list[Cell] = []
        for index, period in enumerate(rule_periods(self.rule.frequency, self.year)):
            bit = 1 << index
            if not self.window & bit:
                continue
            if self.exempt & bit:
                state = CellState.EXEMPT
            elif not self.eligible & bit:
                state = CellState.NOT_COUNTED
            elif self.held_mask & bit:
                state = CellState.MET
            elif self.due & bit:
                state = CellState.MISSED
            else:
                state = CellState.PENDING
            cells.append(Cell(period, state, CELL_SYMBOLS[state], CELL_LABELS[state]))
        return cells

    def missed_periods(self) -> list[Period]:
        return [cell.period for cell in self.cells() if cell.state == CellState.MISSED]


@dataclass(eq=False)
class _Plan:
    """A rule made ready for the pass: all that does not depend on the organization, and the
    running totals of its summary."""

    rule: Rule
    mask_at: int  # where the type's month mask sits in a held row
    count_at: int  # and its count of meetings in the window
    window: int
    due: int
    fold_any: list[int]
    fold_all: list[int]
    totals: list[int]  # organizations, ok, held, required, met


# (plan, meetings held in the window, held periods, eligible periods, exempt periods)
Evaluated = tuple[_Plan, int, int, int, int]
_NOTHING_HELD: tuple[int, ...] = (0,) * (1 + 2 * len(MeetingType.values))


def _evaluate(
    plans: tuple[_Plan, ...],
    held: tuple[int, ...],
    from_mask: int,
    exemptions: list[tuple[str, int]] | None,
    full_count: int,
) -> list[Evaluated]:
    """One organization against its rules (the general case; the pass inlines the common one:
    founded before the year, no exemption)."""
    evaluated: list[Evaluated] = []
    for plan in plans:
        rule = plan.rule
        if rule.min_full_members and full_count < rule.min_full_members:
            continue
        eligible = plan.window & plan.fold_all[from_mask]
        exempt = 0
        if exemptions:
            exempt_months = 0
            for meeting_type, mask in exemptions:
                if not meeting_type or meeting_type == rule.meeting_type:
                    exempt_months |= mask
            exempt = plan.window & plan.fold_any[exempt_months]
            eligible &= ~exempt
        held_periods = plan.fold_any[held[plan.mask_at]]
        evaluated.append((plan, held[plan.count_at], held_periods, eligible, exempt))
    return evaluated


class OrgCompliance:
    """One organization's row of the report. The per-rule details (RuleResult, cells) are
    worked out only when someone reads them: a province has 76,000 rows, a page shows 50."""

    __slots__ = (
        "_inputs",
        "_results",
        "code",
        "kind",
        "missed",
        "name",
        "org_id",
        "parent_id",
        "path",
        "year",
    )

    def __init__(
        self,
        row: tuple[int, str, str, str, str, int | None],
        inputs: tuple[tuple[_Plan, ...], tuple[int, ...], int, list[tuple[str, int]] | None, int],
        missed: int,
        year: int,
    ) -> None:
        self.org_id, self.name, self.code, self.kind, self.path, self.parent_id = row
        self._inputs = inputs
        self._results: list[RuleResult] | None = None
        self.missed = missed  # rule periods over without a meeting, all rules together
        self.year = year

    @property
    def ok(self) -> bool:
        return self.missed == 0

    @property
    def results(self) -> list[RuleResult]:
        if self._results is None:
            self._results = [
                RuleResult(
                    plan.rule, self.year, count, held, plan.window, eligible, exempt, plan.due
                )
                for plan, count, held, eligible, exempt in _evaluate(*self._inputs)
            ]
        return self._results

    @property
    def held_counts(self) -> dict[str, int]:
        """Meetings held in the report window, per type (every type, with or without rule)."""
        held = self._inputs[1]
        count = len(TYPES)
        return {t: held[1 + count + i] for i, t in enumerate(TYPES) if held[1 + count + i]}

    def result_for(self, meeting_type: str) -> RuleResult | None:
        for result in self.results:
            if result.rule.meeting_type == meeting_type:
                return result
        return None


@dataclass
class RuleSummary:
    rule_key: tuple[str, str]
    label: str
    frequency_label: str
    organizations: int = 0
    ok: int = 0
    held: int = 0
    required: int = 0
    met: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.ok / self.organizations) if self.organizations else 100


@dataclass
class ChildSummary:
    org_id: int
    name: str
    organizations: int = 0
    ok: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.ok / self.organizations) if self.organizations else 100


@dataclass
class ComplianceReport:
    root: Organization
    period: Period
    today: dt.date
    rows: list[OrgCompliance]
    rules: list[RuleSummary]
    children: list[ChildSummary]
    meetings: int
    columns: list[tuple[str, str]] = field(default_factory=list)  # (meeting_type, label)

    @property
    def organizations(self) -> int:
        return len(self.rows)

    @property
    def ok(self) -> int:
        return sum(1 for row in self.rows if row.ok)


def _covers_whole_database(root: Organization) -> bool:
    """Whether `root` is the only tree root: then every meeting lies in its subtree and the
    path filter (a join with the organizations) can be left out."""
    return (
        root.parent_id is None
        and not Organization.objects.filter(parent=None).exclude(pk=root.pk).exists()
    )


def held_masks(
    *,
    root: Organization,
    year: int,
    window_months: int,
    extra: Q | None = None,
    whole_tree: bool = False,
) -> dict[int, tuple[int, ...]]:
    """{organization id: (id, month mask per type…, meetings in the window per type…)}, types
    in TYPES order, for the subtree and calendar year; only organizations that held anything.

    A month mask has bit m-1 set when a meeting was held in month m (Asia/Shanghai). Read from
    MeetingTally (one row per organization, year and type, kept by meeting_hold) and pivoted
    to one row per organization in the database: one grouped statement."""
    tallies = MeetingTally.objects.filter(year=year)
    if not whole_tree:
        tallies = tallies.filter(organization__path__startswith=root.path)
    if extra is not None:
        tallies = tallies.filter(extra)
    window = [F(f"m{m + 1}") for m in range(12) if window_months & (1 << m)]
    in_window: Any = Value(0)
    for column in window:
        in_window = in_window + column
    # default=0 (COALESCE) for a type not held, so rows arrive as plain tuples of ints.
    masks = {
        f"k{i}": Max("month_mask", filter=Q(meeting_type=t), default=0) for i, t in enumerate(TYPES)
    }
    counts = {
        f"n{i}": Sum(in_window, filter=Q(meeting_type=t), default=0) for i, t in enumerate(TYPES)
    }
    pivot = (
        tallies.order_by()
        .values("organization_id")
        .annotate(**masks, **counts)
        .values_list("organization_id", *masks, *counts)
    )
    # Straight from the cursor: 17 integers a row need no model conversion.
    sql, params = pivot.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row for row in cursor.fetchall()}


def _exemption_masks(root: Organization, year: int) -> dict[int, list[tuple[str, int]]]:
    rows = Exemption.objects.filter(
        organization__path__startswith=root.path,
        starts_on__lte=dt.date(year, 12, 31),
        ends_on__gte=dt.date(year, 1, 1),
    ).values_list("organization_id", "meeting_type", "starts_on", "ends_on")
    masks: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for org_id, meeting_type, starts_on, ends_on in rows:
        masks[org_id].append((meeting_type, months_mask_between(starts_on, ends_on, year)))
    return masks


def _full_member_counts(root: Organization, *, whole_tree: bool) -> dict[int, int]:
    """正式党员 per organization (directly in it)."""
    members = Member.objects.filter(status=MemberStatus.ACTIVE, category=MemberCategory.FULL)
    if not whole_tree:
        members = members.filter(organization__path__startswith=root.path)
    return dict(members.order_by().values_list("organization_id").annotate(n=Count("id")))


def _with_groups(
    direct: dict[int, int], org_rows: list[tuple[int, str, str, str, str, int | None, Any]]
) -> dict[int, int]:
    """A branch counts the members of its 党小组 too."""
    counts = dict(direct)
    for org_id, _name, _code, kind, _path, parent_id, _est in org_rows:
        if kind == OrgKind.GROUP and parent_id is not None and org_id in direct:
            counts[parent_id] = counts.get(parent_id, 0) + direct[org_id]
    return counts


def compute_compliance(
    *,
    root: Organization,
    period: Period,
    today: dt.date,
    organizations: Q | None = None,
    meetings: Q | None = None,
) -> ComplianceReport:
    """The compliance of every branch and 党小组 under `root` (itself included) for `period`.
    `organizations` / `meetings` narrow the rows to a viewer's scope."""
    year = period.year
    book = RuleBook.for_subtree(root)
    needs_counts = book.has_overrides or any(
        rule.min_full_members
        for kind in (OrgKind.BRANCH, OrgKind.GROUP)
        for rule in book.rules_for(kind, root.path)
    )
    whole_tree = meetings is None and _covers_whole_database(root)
    org_rows, held, direct_counts = _in_parallel(
        lambda: _organization_rows(root, organizations),
        lambda: held_masks(
            root=root,
            year=year,
            window_months=period.month_mask,
            extra=meetings,
            whole_tree=whole_tree,
        ),
        lambda: _full_member_counts(root, whole_tree=whole_tree) if needs_counts else {},
    )
    full_counts = _with_groups(direct_counts, org_rows)
    exemptions = _exemption_masks(root, year)
    window_of = {f: FOLD_ANY[f][period.month_mask] for f in FOLD_ANY}
    due_of = {f: FOLD_ALL[f][ended_months(today, year)] for f in FOLD_ALL}
    year_start = dt.date(year, 1, 1)
    type_index = {t: i for i, t in enumerate(TYPES)}
    totals_of: dict[tuple[str, str], list[int]] = {}
    rule_of: dict[tuple[str, str], Rule] = {}
    plans_of: dict[int, tuple[_Plan, ...]] = {}

    def plans_for(rules: tuple[Rule, ...]) -> tuple[_Plan, ...]:
        plans = plans_of.get(id(rules))
        if plans is None:
            made = []
            for rule in rules:
                f, index = rule.frequency, type_index[rule.meeting_type]
                totals = totals_of.setdefault(rule.key, [0, 0, 0, 0, 0])
                rule_of.setdefault(rule.key, rule)
                made.append(
                    _Plan(
                        rule,
                        1 + index,
                        1 + len(TYPES) + index,
                        window_of[f],
                        due_of[f],
                        FOLD_ANY[f],
                        FOLD_ALL[f],
                        totals,
                    )
                )
            plans = plans_of[id(rules)] = tuple(made)
        return plans

    rows: list[OrgCompliance] = []
    meetings_total = 0
    count_slice = slice(1 + len(TYPES), None)
    for org_id, name, code, kind, path, parent_id, established_on in org_rows:
        plans = plans_for(book.rules_for(kind, path))
        org_held = held.get(org_id)
        if org_held is None:
            org_held = _NOTHING_HELD
        else:
            meetings_total += sum(org_held[count_slice])
        from_mask = (
            months_from(established_on, year)
            if established_on is not None and established_on > year_start
            else ALL_MONTHS
        )
        org_exemptions = exemptions.get(org_id)
        full_count = full_counts.get(org_id, 0)
        missed_total = 0
        if from_mask == ALL_MONTHS and not org_exemptions:
            # The common case, inlined: every period in the window counts.
            for plan in plans:
                minimum = plan.rule.min_full_members
                if minimum and full_count < minimum:
                    continue
                held_periods = plan.fold_any[org_held[plan.mask_at]]
                eligible, due = plan.window, plan.due
                missed = (eligible & due & ~held_periods).bit_count()
                missed_total += missed
                totals = plan.totals
                totals[0] += 1
                totals[1] += not missed
                totals[2] += org_held[plan.count_at]
                totals[3] += (eligible & (due | held_periods)).bit_count()
                totals[4] += (eligible & held_periods).bit_count()
        else:
            for plan, count, held_periods, eligible, _exempt in _evaluate(
                plans, org_held, from_mask, org_exemptions, full_count
            ):
                missed = (eligible & plan.due & ~held_periods).bit_count()
                missed_total += missed
                totals = plan.totals
                totals[0] += 1
                totals[1] += not missed
                totals[2] += count
                totals[3] += (eligible & (plan.due | held_periods)).bit_count()
                totals[4] += (eligible & held_periods).bit_count()
        rows.append(
            OrgCompliance(
                (org_id, name, code, kind, path, parent_id),
                (plans, org_held, from_mask, org_exemptions, full_count),
                missed_total,
                year,
            )
        )
    rule_summaries = [
        RuleSummary(key, rule_of[key].meeting_type_label, rule_of[key].frequency_label, *totals)
        for key, totals in totals_of.items()
        if totals[0]
    ]
    return _summarize(root, period, today, rows, rule_summaries, meetings_total)


def _organization_rows(
    root: Organization, organizations: Q | None
) -> list[tuple[int, str, str, str, str, int | None, dt.date | None]]:
    orgs = Organization.objects.filter(
        path__startswith=root.path, kind__in=[*BRANCH_KINDS, OrgKind.GROUP]
    )
    if organizations is not None:
        orgs = orgs.filter(organizations)
    return list(
        orgs.order_by("path").values_list(
            "id", "name", "code", "kind", "path", "parent_id", "established_on"
        )
    )


def _in_parallel(*calls: Callable[[], Any]) -> list[Any]:
    """Run independent reads at once on PostgreSQL, each in its own connection, so the
    database's cores work together. Inside a transaction (tests, or a caller's atomic block)
    another connection would not see its uncommitted rows: then one after the other."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(_in_own_connection, calls))


def _in_own_connection(call: Callable[[], Any]) -> Any:
    try:
        return call()
    finally:
        connections.close_all()  # this thread's connections only


def _summarize(
    root: Organization,
    period: Period,
    today: dt.date,
    rows: list[OrgCompliance],
    rules: list[RuleSummary],
    meetings: int,
) -> ComplianceReport:
    """The share of fully compliant organizations under each child of the root."""
    depth = root.path.count("/") - 1  # segments in the root's path
    children: dict[int, ChildSummary] = {}
    for row in rows:
        parts = row.path.strip("/").split("/")
        if len(parts) > depth:
            child_id = int(parts[depth])
            child = children.get(child_id)
            if child is None:
                child = children[child_id] = ChildSummary(child_id, "")
            child.organizations += 1
            child.ok += row.missed == 0
    names = dict(Organization.objects.filter(pk__in=list(children)).values_list("id", "name"))
    child_list = []
    for child in children.values():
        child.name = names.get(child.org_id, "")
        child_list.append(child)
    child_list.sort(key=lambda c: (c.percent, c.name))
    rule_list = sorted(rules, key=lambda s: _TYPE_ORDER.get(s.rule_key[1], 99))
    columns = list({s.rule_key[1]: (s.rule_key[1], s.label) for s in rule_list}.values())
    return ComplianceReport(root, period, today, rows, rule_list, child_list, meetings, columns)


_TYPE_ORDER: dict[str, int] = {t: i for i, t in enumerate(TYPES)}


def report_for_user(
    user: Any, *, root: Organization, period: Period, today: dt.date
) -> ComplianceReport:
    """The report as the viewer may see it: only organizations (and meetings) in their scope."""
    scope = scope_for(user)
    if scope.administers(root):  # the whole subtree is theirs: no narrowing needed
        return compute_compliance(root=root, period=period, today=today)
    return compute_compliance(
        root=root,
        period=period,
        today=today,
        organizations=scope.organization_q(),
        meetings=scope.organization_q(prefix="organization__"),
    )

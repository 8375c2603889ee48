"""Reading the dues ledger: what a member owes and paid month by month, and the monthly totals
of an organization's subtree.

A member owes dues from the later of the month they joined (预备党员 pay from the day the
branch admits them) and the first month the branch recorded a dues setting for them: months
before the branch began keeping the ledger here are not invented as arrears. A month counts as
paid when any payment covers it; paying less than the computed amount shows as 少缴 (an amount),
paying more as 多交 (the regulation welcomes voluntary extra dues).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from chuangxian.dues.models import DuesSetting, PaymentMonth
from chuangxian.dues.months import add_months, month_of, month_range
from chuangxian.dues.rates import to_fen
from chuangxian.orgs.models import Member, MemberStatus, Organization, OrgKind

ZERO = Decimal("0.00")


class MonthState:
    NOT_DUE = "not_due"
    PAID = "paid"
    UNDERPAID = "underpaid"
    UNPAID = "unpaid"
    OPEN = "open"  # the current month or later, not paid yet: not in arrears


STATE_LABELS = {
    MonthState.NOT_DUE: "无需交纳",
    MonthState.PAID: "已交",
    MonthState.UNDERPAID: "少缴",
    MonthState.UNPAID: "未交",
    MonthState.OPEN: "待交",
}


@dataclass(frozen=True)
class Version:
    effective_from: dt.date
    amount: Decimal


class Timeline:
    """A member's setting versions, oldest first: the amount due in any month."""

    def __init__(self, versions: Iterable[Version]) -> None:
        self.versions = sorted(versions, key=lambda v: v.effective_from)

    @property
    def first_month(self) -> dt.date | None:
        return self.versions[0].effective_from if self.versions else None

    def amount_for(self, month: dt.date) -> Decimal | None:
        found: Decimal | None = None
        for version in self.versions:
            if version.effective_from > month:
                break
            found = version.amount
        return found


def obligation_start(joined_on: dt.date, first_setting: dt.date | None) -> dt.date | None:
    if first_setting is None:
        return None
    return max(month_of(joined_on), first_setting)


@dataclass(frozen=True)
class MonthLine:
    month: dt.date
    due: Decimal | None
    paid: Decimal
    state: str

    @property
    def difference(self) -> Decimal | None:
        """Paid minus due: negative is 少缴, positive 多交."""
        if self.due is None or self.state in (MonthState.NOT_DUE, MonthState.OPEN):
            return None
        return self.paid - self.due

    @property
    def outstanding(self) -> Decimal:
        if self.due is None or self.state == MonthState.NOT_DUE:
            return ZERO
        return max(self.due - self.paid, ZERO)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def classify(
    month: dt.date, *, due: Decimal | None, paid: Decimal, start: dt.date | None, current: dt.date
) -> str:
    if start is None or month < start:
        return MonthState.PAID if paid > 0 else MonthState.NOT_DUE
    if paid <= 0:
        return MonthState.OPEN if month >= current else MonthState.UNPAID
    if due is not None and paid < due:
        return MonthState.UNDERPAID
    return MonthState.PAID


def member_timeline(member: Member) -> Timeline:
    rows = DuesSetting.objects.filter(member=member).values_list("effective_from", "amount")
    return Timeline(Version(month, amount) for month, amount in rows)


def paid_by_month(member: Member, first: dt.date, last: dt.date) -> dict[dt.date, Decimal]:
    rows = (
        PaymentMonth.objects.filter(member=member, month__gte=first, month__lte=last)
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    # SQLite's SUM drops the trailing zeros of a decimal: put the fen back.
    return {month: to_fen(total) for month, total in rows}


def member_months(
    member: Member, *, first: dt.date, last: dt.date, today: dt.date
) -> list[MonthLine]:
    """The ledger of one member from `first` to `last` (months), oldest first: two queries."""
    timeline = member_timeline(member)
    paid = paid_by_month(member, first, last)
    start = obligation_start(member.joined_on, timeline.first_month)
    current = month_of(today)
    lines = []
    for month in month_range(first, last):
        due = timeline.amount_for(month)
        amount = paid.get(month, ZERO)
        state = classify(month, due=due, paid=amount, start=start, current=current)
        lines.append(MonthLine(month, due, amount, state))
    return lines


# --- statements ------------------------------------------------------------------------------


@dataclass
class DuesTotals:
    """One organization's month (its own members and, rolled up, everything below it)."""

    members: int = 0  # 在册 members
    owing: int = 0  # of whom owe dues this month
    unassessed: int = 0  # 在册 without any dues setting yet (未核定)
    due: Decimal = ZERO
    paid: Decimal = ZERO
    arrears: Decimal = ZERO  # what the members owing still owe, never offset by overpayment
    overpaid: Decimal = ZERO
    paid_members: int = 0
    unpaid_members: int = 0

    def add(self, other: "DuesTotals") -> None:
        for name in (
            "members",
            "owing",
            "unassessed",
            "due",
            "paid",
            "arrears",
            "overpaid",
            "paid_members",
            "unpaid_members",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def paid_share(self) -> float | None:
        return self.paid_members / self.owing if self.owing else None


@dataclass
class MemberMonth:
    member_id: int
    name: str
    organization_id: int
    line: MonthLine


@dataclass
class Statement:
    month: dt.date
    totals: dict[int, DuesTotals] = field(default_factory=dict)
    rows: list[MemberMonth] = field(default_factory=list)


def subtree_statement(
    root: Organization,
    month: dt.date,
    *,
    today: dt.date,
    member_rows_for: Sequence[int] = (),
) -> Statement:
    """Totals for `month` for every organization of `root`'s subtree, each rolled up over its
    own subtree, in three queries whatever the size of the tree. Member rows are kept for the
    organizations in `member_rows_for` (a branch and its 党小组 on the statement page)."""
    statement = Statement(month)
    members = list(
        Member.objects.filter(organization__path__startswith=root.path, status=MemberStatus.ACTIVE)
        .order_by("name", "id")
        .values_list("id", "name", "joined_on", "organization_id", "organization__path")
    )
    member_q = Q(member__organization__path__startswith=root.path) & Q(
        member__status=MemberStatus.ACTIVE
    )
    versions: dict[int, list[Version]] = defaultdict(list)
    for member_id, effective_from, amount in DuesSetting.objects.filter(
        member_q, effective_from__lte=month
    ).values_list("member_id", "effective_from", "amount"):
        versions[member_id].append(Version(effective_from, amount))
    paid = dict(
        PaymentMonth.objects.filter(member_q, month=month)
        .values("member_id")
        .annotate(total=Sum("amount"))
        .values_list("member_id", "total")
    )
    keep_rows = set(member_rows_for)
    current = month_of(today)
    totals: dict[int, DuesTotals] = defaultdict(DuesTotals)
    for member_id, name, joined_on, org_id, path in members:
        timeline = Timeline(versions.get(member_id, ()))
        start = obligation_start(joined_on, timeline.first_month)
        due = timeline.amount_for(month)
        amount = to_fen(paid.get(member_id, ZERO))
        state = classify(month, due=due, paid=amount, start=start, current=current)
        line = MonthLine(month, due, amount, state)
        own = _member_totals(line, assessed=timeline.first_month is not None)
        for part in path.strip("/").split("/"):
            totals[int(part)].add(own)
        if org_id in keep_rows:
            statement.rows.append(MemberMonth(member_id, name, org_id, line))
    statement.totals = totals
    return statement


def _member_totals(line: MonthLine, *, assessed: bool) -> DuesTotals:
    own = DuesTotals(members=1, unassessed=0 if assessed else 1, paid=line.paid)
    if line.state == MonthState.NOT_DUE:
        return own
    own.owing = 1
    own.due = line.due or ZERO
    own.arrears = line.outstanding
    if line.difference is not None and line.difference > 0:
        own.overpaid = line.difference
    if line.state == MonthState.PAID:
        own.paid_members = 1
    elif line.state in (MonthState.UNPAID, MonthState.UNDERPAID):
        own.unpaid_members = 1
    return own


def direct_member_orgs(org: Organization) -> list[int]:
    """The organizations whose members a statement page lists: a branch and its 党小组."""
    ids = [org.pk]
    if org.kind != OrgKind.GROUP:
        ids += list(
            Organization.objects.filter(parent=org, kind=OrgKind.GROUP).values_list("pk", flat=True)
        )
    return ids


def months_back(today: dt.date, count: int) -> tuple[dt.date, dt.date]:
    """The last `count` months up to the current one."""
    current = month_of(today)
    return add_months(current, 1 - count), current

"""Dues and 党章第九条 figures for later modules (appraisal, points, reports): a stable interface.

Every function reads the records only; none writes. Months are counted as the ledger counts
them (see ledger.py): a month is paid when any payment covers it, due from the later of the
month the member joined and the first dues setting recorded for them, and only months already
over can be missed.

`orglife_absence_months` is orglife's figure re-exported; the bulk checks of checks.py follow
the same definition (tests hold the two together).
"""

import datetime as dt
from decimal import Decimal

from django.db.models import F
from django.db.models.functions import TruncMonth

from chuangxian.dues import checks, ledger
from chuangxian.dues.ledger import DuesTotals, MonthState
from chuangxian.dues.models import PaymentMonth
from chuangxian.dues.months import last_complete_month, month_of
from chuangxian.orglife.figures import months_without_orglife
from chuangxian.orgs.models import Member, Organization

__all__ = [
    "DuesTotals",
    "article9_levels",
    "dues_arrears_months",
    "dues_compliance",
    "dues_outstanding",
    "months_paid_on_time",
    "organization_dues",
    "orglife_absence_months",
]


def _due_months(
    member: Member, first: dt.date, last: dt.date, today: dt.date
) -> list[ledger.MonthLine]:
    lines = ledger.member_months(member, first=first, last=last, today=today)
    return [line for line in lines if line.state not in (MonthState.NOT_DUE, MonthState.OPEN)]


def dues_compliance(
    member: Member, period: tuple[dt.date, dt.date], *, today: dt.date
) -> float | None:
    """Months paid / months due within `period` (two days, both included), counting months
    already over by `today`. None when nothing was due in the period (not assessed yet, joined
    after it, or the period lies in the future). Two queries."""
    first = month_of(period[0])
    last = min(month_of(period[1]), last_complete_month(today))
    if last < first:
        return None
    lines = _due_months(member, first, last, today)
    if not lines:
        return None
    paid = sum(1 for line in lines if line.state != MonthState.UNPAID)
    return paid / len(lines)


def dues_arrears_months(member: Member, today: dt.date) -> int:
    """Consecutive months with no payment, ending with the last month already over (0 when
    that month is paid or nothing is due). Good reasons do not change it: arrears are owed."""
    timeline = ledger.member_timeline(member)
    start = ledger.obligation_start(member.joined_on, timeline.first_month)
    end = last_complete_month(today)
    if start is None or end < start:
        return 0
    lines = ledger.member_months(member, first=start, last=end, today=today)
    count = 0
    for line in reversed(lines):
        if line.state != MonthState.UNPAID:
            break
        count += 1
    return count


def dues_outstanding(member: Member, today: dt.date) -> Decimal:
    """What the member still owes for months already over (unpaid and 少缴 amounts)."""
    timeline = ledger.member_timeline(member)
    start = ledger.obligation_start(member.joined_on, timeline.first_month)
    end = last_complete_month(today)
    if start is None or end < start:
        return ledger.ZERO
    lines = ledger.member_months(member, first=start, last=end, today=today)
    return sum((line.outstanding for line in lines), ledger.ZERO)


def organization_dues(
    root: Organization, month: dt.date, *, today: dt.date
) -> dict[int, DuesTotals]:
    """For every organization of `root`'s subtree, its month rolled up over its own subtree:
    members, owing, due, paid, arrears, paid / unpaid members. Three queries in all."""
    return ledger.subtree_statement(root, month_of(month), today=today).totals


def orglife_absence_months(member: Member, today: dt.date) -> int:
    """Consecutive months, ending with the last month over, in which the member was present
    (出席) at no held meeting; 0 when they attended this month. This is orglife's own figure
    (chuangxian.orglife.figures.months_without_orglife), re-exported so that the appraisal
    engine finds both 党章第九条 figures here; checks.py computes the same definition in bulk."""
    return months_without_orglife(member, today)


def article9_levels(member: Member, today: dt.date) -> dict[str, checks.Level]:
    """The 党章第九条 ladder for both rules ("dues", "orglife"), months with a recorded good
    reason excluded: Level.NONE, WARNING (3), ESCALATED (5) or ARTICLE9 (6)."""
    result = checks.check_member(member, today=today)
    if result is None:
        return {rule.value: checks.Level.NONE for rule in checks.Rule}
    return {rule.value: result.run(rule).level for rule in checks.Rule}


def months_paid_on_time(root: Organization, year: int) -> dict[int, dict[int, int]]:
    """{member id: {month: 1}} for each month of `year` that the members of `root`'s subtree
    paid by the end of that month (a payment not voided, made in or before the month it
    covers): one grouped query, for the points ledger."""
    rows = (
        PaymentMonth.objects.filter(
            member__organization__path__startswith=root.path,
            month__year=year,
            payment__voided_at__isnull=True,
        )
        .alias(paid_month=TruncMonth("payment__paid_on"))
        .filter(paid_month__lte=F("month"))
        .values_list("member_id", "month")
        .distinct()
        .order_by()
    )
    result: dict[int, dict[int, int]] = {}
    for member_id, month in rows:
        result.setdefault(member_id, {})[month.month] = 1
    return result

"""Reads composed for the dues pages (the per-member and per-organization logic is in ledger.py
and checks.py; this module only gathers what a page shows)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chuangxian.dues import checks, ledger
from chuangxian.dues.access import member_filter_in
from chuangxian.dues.checks import MemberCheck
from chuangxian.dues.ledger import MonthLine, MonthState
from chuangxian.dues.models import DuesSetting, GoodReason, Payment
from chuangxian.dues.months import add_months, month_of
from chuangxian.orgs.models import Member, Organization

LEDGER_MONTHS = 12


@dataclass
class MemberDues:
    member: Member
    lines: list[MonthLine]  # newest first
    setting: DuesSetting | None
    settings: list[DuesSetting]
    payments: list[Payment]
    reasons: list[GoodReason]
    check: MemberCheck | None

    @property
    def outstanding_lines(self) -> list[MonthLine]:
        return [
            line for line in self.lines if line.state in (MonthState.UNPAID, MonthState.UNDERPAID)
        ]

    @property
    def outstanding(self) -> Decimal:
        return sum((line.outstanding for line in self.outstanding_lines), ledger.ZERO)


def member_dues(member: Member, *, today: dt.date, months: int = LEDGER_MONTHS) -> MemberDues:
    current = month_of(today)
    first = add_months(current, 1 - months)
    lines = ledger.member_months(member, first=first, last=current, today=today)
    settings = list(
        DuesSetting.objects.filter(member=member)
        .select_related("recorded_by")
        .order_by("-effective_from")
    )
    in_force = next((s for s in settings if s.effective_from <= current), None)
    payments = list(
        Payment.objects.filter(member=member)
        .select_related("recorded_by")
        .order_by("-paid_on", "-id")[:24]
    )
    reasons = list(GoodReason.objects.filter(member=member).select_related("recorded_by"))
    return MemberDues(
        member=member,
        lines=list(reversed(lines)),
        setting=in_force,
        settings=settings,
        payments=payments,
        reasons=reasons,
        check=checks.check_member(member, today=today),
    )


@dataclass
class FlagRow:
    check: MemberCheck
    organization: Organization

    @property
    def runs(self) -> list[checks.Run]:
        return [self.check.dues, self.check.orglife]


def flagged_members(
    user: Any,
    org: Organization,
    *,
    today: dt.date,
    rule: str | None = None,
    minimum: int = checks.WARN_MONTHS,
    raw: bool = False,
) -> list[FlagRow]:
    """Members of the subtree (in the user's scope) whose run reaches `minimum` months, worst
    first. `raw` counts every missed month (the arrears list), else only those without good
    reason (the 第九条 list)."""
    rules = [checks.Rule(rule)] if rule else list(checks.Rule)
    found: list[MemberCheck] = []
    for check in checks.check_members(member_filter_in(user, org), today=today):
        counts = [check.run(r).months if raw else check.run(r).unexcused for r in rules]
        if max(counts) >= minimum:
            found.append(check)
    orgs = Organization.objects.in_bulk([c.organization_id for c in found])
    found.sort(key=lambda c: (-max(c.dues.unexcused, c.orglife.unexcused), -c.dues.months, c.name))
    return [FlagRow(check, orgs[check.organization_id]) for check in found]

"""学时 warnings, through the reminders registry (the daily `chuangxian send_reminders`).

- After each quarter (from April, July and October on), a member whose hours so far are below
  the pro-rata pace (requirement × completed quarters / 4) is told, and so is their branch with
  the count. Catching up resolves both on the next sweep.
- After the year, a branch with members who ended it below their requirement is flagged to the
  superior organization for the whole following year (no carry-over: the year is closed).

The sweep first brings the attendance-derived rows up to date, so nobody is warned for hours
the orglife records already give them."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.urls import reverse

from chuangxian.learning.figures import MemberStudy, member_study_rows
from chuangxian.learning.services.hours import study_hours_sync
from chuangxian.orgs.models import Organization, OrgKind, User
from chuangxian.reminders.models import Severity
from chuangxian.reminders.registry import Due, register

SOURCE = "learning.hours"


def _rows(year: int) -> list[MemberStudy]:
    rows: list[MemberStudy] = []
    for root in Organization.objects.filter(parent=None):
        rows.extend(member_study_rows(root, year))
    return rows


def _branches() -> dict[int, tuple[int, str, int | None]]:
    """org id → (id of the branch it belongs to, that branch's name, the branch's parent id):
    a 党小组's members are counted with their branch."""
    orgs = {
        org_id: (kind, name, parent_id)
        for org_id, kind, name, parent_id in Organization.objects.values_list(
            "id", "kind", "name", "parent_id"
        )
    }
    result: dict[int, tuple[int, str, int | None]] = {}
    for org_id, (kind, name, parent_id) in orgs.items():
        if kind == OrgKind.GROUP and parent_id in orgs:
            branch_id = parent_id
            _, name, parent_id = orgs[branch_id]
        else:
            branch_id = org_id
        result[org_id] = (branch_id, name, parent_id)
    return result


@register(SOURCE)
def study_hour_reminders(today: dt.date) -> Iterator[Due]:
    study_hours_sync(year=today.year)
    branches = _branches()
    orgs = Organization.objects.in_bulk(
        list({b for b, _, _ in branches.values()} | {p for _, _, p in branches.values() if p})
    )
    quarters = (today.month - 1) // 3
    if quarters:
        yield from _pace(today, quarters, branches, orgs)
    yield from _year_end(today.year - 1, branches, orgs)


def _pace(
    today: dt.date,
    quarters: int,
    branches: dict[int, tuple[int, str, int | None]],
    orgs: dict[int, Organization],
) -> Iterator[Due]:
    year = today.year
    behind = [row for row in _rows(year) if row.hours < Decimal(row.requirement * quarters) / 4]
    accounts = {
        user.member_id: user
        for user in User.objects.filter(
            member_id__in=[row.member_id for row in behind], is_active=True
        )
    }
    home = reverse("learning:home")
    per_branch: dict[int, int] = defaultdict(int)
    for row in behind:
        per_branch[branches[row.organization_id][0]] += 1
        target = Decimal(row.requirement * quarters) / 4
        account = accounts.get(row.member_id)
        if account is None:
            continue
        yield Due(
            key=f"{SOURCE}:pace:{row.member_id}:{year}Q{quarters}",
            source=SOURCE,
            severity=Severity.AHEAD,
            text=(
                f"您{year}年已累计{row.hours}学时，低于第{quarters}季度末应达到的"
                f"{target.normalize():f}学时（全年要求{row.requirement}学时）"
            ),
            link=home,
            due_on=dt.date(year, 12, 31),
            user=account,
        )
    for branch_id, count in per_branch.items():
        branch = orgs.get(branch_id)
        if branch is None:
            continue
        yield Due(
            key=f"{SOURCE}:pace-org:{branch_id}:{year}Q{quarters}",
            source=SOURCE,
            severity=Severity.AHEAD,
            text=f"{branch.name}有{count}名党员学时低于第{quarters}季度进度",
            link=f"{reverse('learning:ledger', args=[branch_id])}?year={year}",
            due_on=dt.date(year, 12, 31),
            organization=branch,
        )


def _year_end(
    year: int,
    branches: dict[int, tuple[int, str, int | None]],
    orgs: dict[int, Organization],
) -> Iterator[Due]:
    short: dict[int, int] = defaultdict(int)
    for row in _rows(year):
        if not row.met:
            short[branches[row.organization_id][0]] += 1
    for branch_id, count in short.items():
        _, name, parent_id = branches[branch_id]
        target = orgs.get(parent_id) if parent_id else orgs.get(branch_id)
        if target is None:
            continue
        yield Due(
            key=f"{SOURCE}:year:{branch_id}:{year}",
            source=SOURCE,
            severity=Severity.ESCALATED,
            text=f"{name}{year}年度有{count}名党员学时未达到要求",
            link=f"{reverse('learning:ledger', args=[branch_id])}?year={year}",
            due_on=dt.date(year, 12, 31),
            organization=target,
        )

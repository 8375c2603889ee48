"""Cadence reminders, through the reminders registry (the daily sweep turns them into rows).

- ahead: in the last days of a period (7 for a month, 15 for a quarter, 30 for a year) a branch
  or 党小组 that has not yet held the meeting its rule asks for is reminded (filed on the
  organization: its 书记 and 党务干部 see it);
- after: a period that ended without the meeting raises a red flag to the superior (filed on
  the parent organization) for ESCALATE_DAYS after its end. Holding a meeting late does not
  clear a missed period; recording an exemption does.

Computed with the same one-pass compliance as the compliance page, once per tree root."""

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from chuangxian.orglife.compliance import CellState, OrgCompliance, compute_compliance
from chuangxian.orglife.models import Frequency
from chuangxian.orglife.periods import Period
from chuangxian.orgs.models import Organization
from chuangxian.reminders.models import Severity
from chuangxian.reminders.registry import Due, register

SOURCE = "orglife.cadence"
AHEAD_DAYS: dict[str, int] = {Frequency.MONTH: 7, Frequency.QUARTER: 15, Frequency.YEAR: 30}
ESCALATE_DAYS = 90


@register(SOURCE)
def cadence_reminders(today: dt.date) -> Iterator[Due]:
    years = sorted({today.year, (today - dt.timedelta(days=ESCALATE_DAYS)).year})
    roots = list(Organization.objects.filter(parent=None))
    for root in roots:
        for year in years:
            report = compute_compliance(root=root, period=Period(year, 1, 12), today=today)
            yield from _dues(report.rows, today)


def _dues(rows: list[OrgCompliance], today: dt.date) -> Iterator[Due]:
    for row in rows:
        link = reverse("orglife:compliance") + f"?org={row.org_id}"
        for result in row.results:
            if not (result.missed or result.pending):
                continue
            rule = result.rule
            for cell in result.cells():
                period = cell.period
                last_day = period.end - dt.timedelta(days=1)
                if cell.state == CellState.PENDING and period.start <= today:
                    if (period.end - today).days <= AHEAD_DAYS[rule.frequency]:
                        yield Due(
                            key=f"{SOURCE}:{row.org_id}:{rule.meeting_type}:{period.code}:ahead",
                            source=SOURCE,
                            severity=Severity.AHEAD,
                            text=f"{row.name}{period.label}尚未召开{rule.meeting_type_label}"
                            f"（{rule.frequency_label}至少一次），请在{last_day:%m月%d日}前安排",
                            link=link,
                            due_on=last_day,
                            organization=Organization(pk=row.org_id, name=row.name),
                        )
                elif (
                    cell.state == CellState.MISSED
                    and row.parent_id is not None
                    and (today - period.end).days < ESCALATE_DAYS
                ):
                    yield Due(
                        key=f"{SOURCE}:{row.org_id}:{rule.meeting_type}:{period.code}:missed",
                        source=SOURCE,
                        severity=Severity.ESCALATED,
                        text=f"{row.name}{period.label}未召开{rule.meeting_type_label}"
                        f"（要求{rule.frequency_label}至少一次）",
                        link=link,
                        due_on=last_day,
                        organization=Organization(pk=row.parent_id),
                    )

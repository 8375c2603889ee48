"""The figures of a periodic report, generated from the records.

Each line is a number and, where it is a share, what it is a share of, with the path of the
page that lists the records behind it (the module's own scoped list), so a reviewer can trace
any number. `report_lines` is what the page shows while a report is a draft; submitting
freezes the lines in the report.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from chuangxian.orglife.compliance import compute_compliance
from chuangxian.orglife.periods import Period, PeriodError
from chuangxian.orgs.models import Organization
from chuangxian.reports.catalogue import GROUPS
from chuangxian.reports.models import ReportKind
from chuangxian.reports.sources import compute


@dataclass(frozen=True)
class Line:
    label: str
    value: int
    base: int | None = None
    detail: str = ""

    @property
    def percent(self) -> float | None:
        if self.base is None or not self.base:
            return None
        return round(100 * self.value / self.base, 1)

    def as_json(self) -> list[object]:
        return [self.label, self.value, self.base, self.detail]

    @classmethod
    def from_json(cls, row: list[object]) -> "Line":
        label, value, base, detail = row
        return cls(str(label), int(value), None if base is None else int(base), str(detail))  # type: ignore[call-overload]


def parse_period(kind: str, text: str) -> Period:
    """The period of a report of `kind`: a quarter ('2026Q3') or a year ('2026')."""
    period = Period.parse(text)
    wanted = 3 if kind == ReportKind.QUARTERLY_MEETINGS else 12
    if period.months != wanted:
        raise PeriodError(
            _("期间应为季度，如 2026Q3") if wanted == 3 else _("期间应为年度，如 2026")
        )
    return period


def current_period(kind: str, today: dt.date) -> Period:
    """The last period over (the one a report is due for), or the current year-to-date for
    an annual report in December."""
    if kind == ReportKind.QUARTERLY_MEETINGS:
        quarter = (today.month - 1) // 3
        if quarter == 0:
            return Period(today.year - 1, 10, 3)
        return Period(today.year, (quarter - 1) * 3 + 1, 3)
    return Period(today.year if today.month == 12 else today.year - 1, 1, 12)


def report_lines(org: Organization, kind: str, period: Period, today: dt.date) -> list[Line]:
    if kind == ReportKind.QUARTERLY_MEETINGS:
        return _meeting_lines(org, period, today)
    return _annual_lines(org, period, today)


def _meeting_lines(org: Organization, period: Period, today: dt.date) -> list[Line]:
    report = compute_compliance(root=org, period=period, today=today)
    detail = f"{reverse('orglife:compliance')}?org={org.pk}&period={period.code}"
    lines = [
        Line(_("召开会议（次）"), report.meetings, None, detail),
        Line(_("组织生活全部按期落实的支部和党小组"), report.ok, report.organizations, detail),
    ]
    for rule in report.rules:
        lines.append(
            Line(
                f"{rule.label}（{rule.frequency_label}）",
                rule.met,
                rule.required,
                detail + "&missed=1",
            )
        )
    return lines


def _annual_lines(org: Organization, period: Period, today: dt.date) -> list[Line]:
    values: Counter[str] = compute(org, period.year, today).get(org.pk, Counter())
    lines = []
    for group in GROUPS:
        for figure in group.figures:
            base = values.get(figure.base, 0) if figure.base else None
            lines.append(
                Line(
                    f"{group.label}：{figure.label}",
                    values.get(figure.key, 0),
                    base,
                    figure.detail_url(org.pk, period.year),
                )
            )
    return lines


def rolled_up(reports: list[list[Line]]) -> list[Line]:
    """The lines of several reports of one kind and period added up by label, in the order
    the labels first appear (a superior's roll-up of its children's submitted reports)."""
    order: list[str] = []
    totals: dict[str, list[int | None]] = {}
    for lines in reports:
        for line in lines:
            if line.label not in totals:
                order.append(line.label)
                totals[line.label] = [0, None if line.base is None else 0]
            total = totals[line.label]
            total[0] = (total[0] or 0) + line.value
            if line.base is not None:
                total[1] = (total[1] or 0) + line.base
    return [Line(label, totals[label][0] or 0, totals[label][1]) for label in order]

"""Counting Chinese working days.

`WorkCalendar` is the pure rule — Monday to Friday, minus the official holidays, plus the
weekend dates worked in exchange (调休) — over a mapping of the dates that depart from it.
`add_working_days` and `working_days_between` load that mapping for the dates they need (one
query each) and are the only way code adds or counts working days. A year whose schedule was
never entered still counts (Monday to Friday); `calendar_warning` says so, for pages to show.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chuangxian.workdays.models import CalendarYear, DayKind, SpecialDay

_ONE_DAY = dt.timedelta(days=1)
# The longest run of consecutive non-working days a schedule has had is nine (Spring Festival
# with weekends); a window of two calendar days per working day plus this margin always
# holds n working days, and the loop below widens it anyway if an edited year does not.
_MARGIN_DAYS = 40


@dataclass(frozen=True)
class WorkCalendar:
    """Working days given the dates that depart from Monday-to-Friday."""

    special: Mapping[dt.date, str]

    def is_working_day(self, day: dt.date) -> bool:
        kind = self.special.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5

    def count(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d <= end (negative when end is before start)."""
        if end < start:
            return -self.count(end, start)
        total = _weekdays_after(start, end)
        for day, kind in self.special.items():
            if not start < day <= end:
                continue
            weekday = day.weekday() < 5
            if kind == DayKind.HOLIDAY and weekday:
                total -= 1
            elif kind == DayKind.WORKDAY and not weekday:
                total += 1
        return total

    def add(self, start: dt.date, n: int, *, limit: dt.date | None = None) -> dt.date | None:
        """The n-th working day after `start` (before it when n < 0; `start` itself for 0),
        or None if it lies beyond `limit`."""
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        day = start
        while remaining:
            day += step
            if limit is not None and (day > limit if n > 0 else day < limit):
                return None
            if self.is_working_day(day):
                remaining -= 1
        return day


def _weekdays_after(start: dt.date, end: dt.date) -> int:
    """Monday-to-Friday dates d with start < d <= end (end >= start)."""
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    total = weeks * 5
    weekday = start.weekday()
    for offset in range(1, rest + 1):
        if (weekday + offset) % 7 < 5:
            total += 1
    return total


def _special_days(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    rows = SpecialDay.objects.filter(date__range=(first, last)).values_list("date", "kind")
    return dict(rows)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (n > 0), before it (n < 0), or `start` (n == 0)."""
    span = dt.timedelta(days=2 * abs(n) + _MARGIN_DAYS)
    while True:
        if n >= 0:
            first, last = start + _ONE_DAY, start + span
            found = WorkCalendar(_special_days(first, last)).add(start, n, limit=last)
        else:
            first, last = start - span, start - _ONE_DAY
            found = WorkCalendar(_special_days(first, last)).add(start, n, limit=first)
        if found is not None:
            return found
        span *= 2


def working_days_between(a: dt.date, b: dt.date) -> int:
    """The working days d with a < d <= b, so that
    `working_days_between(a, add_working_days(a, n)) == n`; negative when b is before a."""
    first, last = min(a, b), max(a, b)
    return WorkCalendar(_special_days(first + _ONE_DAY, last)).count(a, b)


def is_working_day(day: dt.date) -> bool:
    return WorkCalendar(_special_days(day, day)).is_working_day(day)


def known_years() -> set[int]:
    return set(CalendarYear.objects.values_list("year", flat=True))


def missing_years(days: Iterable[dt.date]) -> list[int]:
    """The years among those spanned by `days` whose holiday schedule was never entered."""
    dates = list(days)
    if not dates:
        return []
    wanted = set(range(min(dates).year, max(dates).year + 1))
    return sorted(wanted - known_years())


def calendar_warning(*days: dt.date) -> str:
    """The warning a page shows beside a working-day count over `days`, or ""."""
    missing = missing_years(days)
    if not missing:
        return ""
    years = "、".join(str(year) for year in missing)
    return _("%(years)s 年节假日安排尚未录入，按周一至周五计算") % {"years": years}

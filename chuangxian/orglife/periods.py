"""Report periods (a year, a quarter, a month) and the periods a cadence rule counts in.

Everything works inside one calendar year: a report period never crosses a year boundary, and
neither does a rule period (month, quarter, year), so twelve month bits describe any of them."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from chuangxian.orglife.models import Frequency

_PATTERN = re.compile(r"^(\d{4})(?:-?Q([1-4])|-(\d{1,2}))?$")


class PeriodError(ValueError):
    """An unreadable period; the message is Chinese."""


@dataclass(frozen=True)
class Period:
    year: int
    first_month: int  # 1-12
    months: int  # 1, 3 or 12

    @classmethod
    def parse(cls, text: str) -> "Period":
        """'2026', '2026Q3' (or '2026-Q3'), '2026-05'."""
        match = _PATTERN.match(text.strip().upper())
        if not match:
            raise PeriodError("期间格式应为 2026、2026Q3 或 2026-05")
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            raise PeriodError("年份超出范围")
        if match.group(2):
            return cls(year, (int(match.group(2)) - 1) * 3 + 1, 3)
        if match.group(3):
            month = int(match.group(3))
            if not 1 <= month <= 12:
                raise PeriodError("月份应在1到12之间")
            return cls(year, month, 1)
        return cls(year, 1, 12)

    @classmethod
    def year_of(cls, day: dt.date) -> "Period":
        return cls(day.year, 1, 12)

    @classmethod
    def month_of(cls, day: dt.date) -> "Period":
        return cls(day.year, day.month, 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        last = self.first_month + self.months
        return dt.date(self.year + 1, 1, 1) if last > 12 else dt.date(self.year, last, 1)

    def aware_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes in the current time zone (Asia/Shanghai)."""
        tz = timezone.get_current_timezone()
        start, end = self.start, self.end
        return (
            dt.datetime(start.year, start.month, 1, tzinfo=tz),
            dt.datetime(end.year, end.month, 1, tzinfo=tz),
        )

    @property
    def month_mask(self) -> int:
        """Bit m-1 set for each month m of the period."""
        return ((1 << self.months) - 1) << (self.first_month - 1)

    @property
    def code(self) -> str:
        if self.months == 12:
            return str(self.year)
        if self.months == 3:
            return f"{self.year}Q{(self.first_month - 1) // 3 + 1}"
        return f"{self.year}-{self.first_month:02d}"

    @property
    def label(self) -> str:
        if self.months == 12:
            return f"{self.year}年"
        if self.months == 3:
            return f"{self.year}年第{(self.first_month - 1) // 3 + 1}季度"
        return f"{self.year}年{self.first_month}月"

    @property
    def short_label(self) -> str:
        if self.months == 12:
            return f"{self.year}年"
        if self.months == 3:
            return f"{(self.first_month - 1) // 3 + 1}季度"
        return f"{self.first_month}月"

    def __str__(self) -> str:
        return self.label


def rule_periods(frequency: str, year: int) -> list[Period]:
    """The periods of `year` a rule of this frequency is counted in, in order."""
    if frequency == Frequency.MONTH:
        return [Period(year, month, 1) for month in range(1, 13)]
    if frequency == Frequency.QUARTER:
        return [Period(year, month, 3) for month in (1, 4, 7, 10)]
    if frequency == Frequency.YEAR:
        return [Period(year, 1, 12)]
    return []


def _fold(month_mask: int, periods: list[Period], *, whole: bool) -> int:
    folded = 0
    for index, period in enumerate(periods):
        overlap = month_mask & period.month_mask
        if overlap == period.month_mask if whole else overlap:
            folded |= 1 << index
    return folded


_COUNTED = (Frequency.MONTH, Frequency.QUARTER, Frequency.YEAR)
# month mask (12 bits) → period mask for each frequency, precomputed: the compliance pass over
# a province does one table look-up per organization and rule instead of a loop over periods.
# FOLD_ANY: periods touching any of the months; FOLD_ALL: periods lying wholly in them.
FOLD_ANY: dict[str, list[int]] = {
    f: [_fold(m, rule_periods(f, 2000), whole=False) for m in range(1 << 12)] for f in _COUNTED
}
FOLD_ALL: dict[str, list[int]] = {
    f: [_fold(m, rule_periods(f, 2000), whole=True) for m in range(1 << 12)] for f in _COUNTED
}


def months_mask_between(start: dt.date, end: dt.date, year: int) -> int:
    """Months of `year` that overlap [start, end] (both inclusive)."""
    if end < dt.date(year, 1, 1) or start > dt.date(year, 12, 31):
        return 0
    first = 1 if start.year < year else start.month
    last = 12 if end.year > year else end.month
    return ((1 << (last - first + 1)) - 1) << (first - 1)


def months_from(day: dt.date, year: int) -> int:
    """Months of `year` starting on or after `day` (a month counts only from its first day)."""
    if day.year < year or day == dt.date(year, 1, 1):
        return (1 << 12) - 1
    if day.year > year:
        return 0
    first = day.month if day.day == 1 else day.month + 1
    if first > 12:
        return 0
    return ((1 << (13 - first)) - 1) << (first - 1)


def ended_months(today: dt.date, year: int) -> int:
    """Months of `year` that are over on `today`."""
    if today.year > year:
        return (1 << 12) - 1
    if today.year < year:
        return 0
    return (1 << (today.month - 1)) - 1

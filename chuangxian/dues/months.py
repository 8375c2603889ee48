"""Months as the dues ledger counts them: a month is the date of its first day.

Parsing accepts what branch ledgers write: 202601, 2026-01, 2026/1, 2026年1月, a date cell, and
ranges such as 202601-202603, 2026-01至2026-03 or 2026年1月~3月.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator

_ONE = r"(\d{4})\s*(?:[-/.年]\s*)?(\d{1,2})\s*月?"
_SINGLE = re.compile(rf"^{_ONE}$")
_RANGE = re.compile(
    rf"^{_ONE}\s*(?:-|~|—|–|至|到)\s*(?:(\d{{4}})\s*(?:[-/.年]\s*)?)?(\d{{1,2}})\s*月?$"
)


class MonthError(ValueError):
    """The text is not a month or a range of months; the message says why, in Chinese."""


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    """How many months from `first` to `last`, both included (0 when last is before first)."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def month_range(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    for index in range(months_between(first, last)):
        yield add_months(first, index)


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def last_complete_month(today: dt.date) -> dt.date:
    """Dues for a month are paid during that month: only months already over can be in arrears."""
    return add_months(month_of(today), -1)


def label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def parse_month(text: str) -> dt.date:
    first, last = parse_month_range(text)
    if first != last:
        raise MonthError(f"“{text}”是一段月份，这里只能填一个月")
    return first


def parse_month_range(text: str) -> tuple[dt.date, dt.date]:
    """(first, last) months, both included, from one month or a range."""
    cleaned = "".join(unicodedata.normalize("NFKC", text).split())
    if not cleaned:
        raise MonthError("不能为空")
    if match := _SINGLE.match(cleaned):
        month = _month(int(match[1]), int(match[2]), cleaned)
        return month, month
    if match := _RANGE.match(cleaned):
        first = _month(int(match[1]), int(match[2]), cleaned)
        last_year = int(match[3]) if match[3] else first.year
        last = _month(last_year, int(match[4]), cleaned)
        if last < first:
            raise MonthError(f"“{text}”的结束月份早于开始月份")
        return first, last
    raise MonthError(f"“{text}”不是可识别的月份（如 202601、2026-01 或 202601-202603）")


def _month(year: int, month: int, text: str) -> dt.date:
    if not 1 <= month <= 12 or not 1900 <= year <= 2999:
        raise MonthError(f"“{text}”中的月份不存在")
    return dt.date(year, month, 1)

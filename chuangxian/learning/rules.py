"""学时 rules (中国共产党党员教育管理工作条例, 2019), in one place.

A full day is 8 学时, a half-day lecture 4, anything else 1 per hour; hours count in the
calendar year they were earned, with no carry-over. Members need 32 a year, branch secretaries
and committee members 56 (read from 党内职务 through orgs.posts)."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from chuangxian.orgs.posts import is_committee_member

FULL_DAY_HOURS = Decimal(8)
HALF_DAY_HOURS = Decimal(4)
MEMBER_REQUIREMENT = 32
COMMITTEE_REQUIREMENT = 56
# One import row or one course is worth at most this much (a two-week full-time course).
MAX_HOURS_PER_ENTRY = Decimal(80)
HOURS_STEP = Decimal("0.5")

# 党课 and 主题党日 are credited as a half day unless a MeetingCredit says otherwise.
DEFAULT_MEETING_HOURS = HALF_DAY_HOURS

_DAYS = re.compile(r"^(\d+(?:\.\d+)?)(?:个)?(?:天|日|全天)$")
_HOURS = re.compile(r"^(\d+(?:\.\d+)?)(?:个)?(?:小时|学时|课时|h|H)$")
_WORDS = {
    "全天": FULL_DAY_HOURS,
    "一天": FULL_DAY_HOURS,
    "整天": FULL_DAY_HOURS,
    "半天": HALF_DAY_HOURS,
    "半日": HALF_DAY_HOURS,
    "全日": FULL_DAY_HOURS,
}


class HoursError(ValueError):
    """Not a usable number of 学时; the message says why, in Chinese."""


def requirement_for_post(party_post: str) -> int:
    return COMMITTEE_REQUIREMENT if is_committee_member(party_post) else MEMBER_REQUIREMENT


def parse_hours(value: object) -> Decimal:
    """学时 from a number or from text: 3, 2.5, "3小时", "全天" (8), "半天" (4), "2天" (16).
    Refuses zero, negatives, more than MAX_HOURS_PER_ENTRY and anything not in half hours."""
    if isinstance(value, bool) or value is None:
        raise HoursError("应填写学时数")
    text = "".join(str(value).split())
    if not text:
        raise HoursError("应填写学时数")
    hours: Decimal | None = _WORDS.get(text)
    if hours is None and (match := _DAYS.match(text)):
        hours = Decimal(match[1]) * FULL_DAY_HOURS
    if hours is None:
        if match := _HOURS.match(text):
            text = match[1]
        try:
            hours = Decimal(text)
        except InvalidOperation:
            raise HoursError(f"“{value}”不是学时数（如 4、2.5、半天、全天）") from None
    return check_hours(hours)


def check_hours(hours: Decimal) -> Decimal:
    if not hours.is_finite() or hours <= 0:
        raise HoursError("学时应大于0")
    if hours > MAX_HOURS_PER_ENTRY:
        raise HoursError(f"学时超过单项上限{MAX_HOURS_PER_ENTRY}")
    if hours % HOURS_STEP:
        raise HoursError("学时以0.5为单位")
    return hours.quantize(Decimal("0.1"))


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)

"""The text form of a year's holiday schedule, as an administrator types it from the State
Council's notice: one line per date or date range, with 休 (holiday) or 班 (make-up working
day) and an optional name, e.g.

    2027-01-01 休 元旦
    2027-02-06~2027-02-12 休 春节
    2027-02-14 班 春节调休
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chuangxian.workdays.models import DayKind

_KINDS = {"休": DayKind.HOLIDAY, "假": DayKind.HOLIDAY, "班": DayKind.WORKDAY}
_LINE = re.compile(
    r"^(?P<first>\d{4}-\d{1,2}-\d{1,2})(?:\s*[~～至-]\s*(?P<last>\d{4}-\d{1,2}-\d{1,2}))?"
    r"\s+(?P<kind>\S)\s*(?P<name>.*)$"
)
_LONGEST_RANGE_DAYS = 31


@dataclass(frozen=True)
class ScheduledDay:
    date: dt.date
    kind: DayKind
    name: str


class ScheduleError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


def _date(text: str) -> dt.date | None:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_schedule(text: str, *, year: int) -> list[ScheduledDay]:
    """Every date of `text`, checked: raises ScheduleError listing each bad line as
    "第N行 原因" (nothing is returned unless every line is good)."""
    days: dict[dt.date, ScheduledDay] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("　", " ")
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            problems.append(_("第%(n)d行 格式应为“日期 休/班 名称”") % {"n": number})
            continue
        first = _date(match["first"])
        last = _date(match["last"]) if match["last"] else first
        kind = _KINDS.get(match["kind"])
        if first is None or last is None:
            problems.append(_("第%(n)d行 日期不存在") % {"n": number})
            continue
        if kind is None:
            problems.append(_("第%(n)d行 类型应为“休”或“班”") % {"n": number})
            continue
        if last < first or (last - first).days > _LONGEST_RANGE_DAYS:
            problems.append(_("第%(n)d行 日期范围不合理") % {"n": number})
            continue
        if first.year != year or last.year != year:
            problems.append(_("第%(n)d行 日期不在 %(year)d 年") % {"n": number, "year": year})
            continue
        day = first
        while day <= last:
            if kind == DayKind.WORKDAY and day.weekday() < 5:
                problems.append(
                    _("第%(n)d行 %(day)s 本来就是工作日，不需要调休上班")
                    % {"n": number, "day": f"{day:%Y-%m-%d}"}
                )
            elif day in days and days[day].kind != kind:
                problems.append(
                    _("第%(n)d行 %(day)s 前面已写成另一种类型")
                    % {"n": number, "day": f"{day:%Y-%m-%d}"}
                )
            else:
                days[day] = ScheduledDay(date=day, kind=kind, name=match["name"].strip()[:40])
            day += dt.timedelta(days=1)
    if problems:
        raise ScheduleError(problems)
    return sorted(days.values(), key=lambda d: d.date)


def format_schedule(days: list[ScheduledDay]) -> str:
    """The text form of `days`, one line per date (what `parse_schedule` reads back)."""
    mark = {DayKind.HOLIDAY: "休", DayKind.WORKDAY: "班"}
    return "\n".join(f"{d.date:%Y-%m-%d} {mark[d.kind]} {d.name}".rstrip() for d in days)

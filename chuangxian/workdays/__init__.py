"""Chinese working days (official holidays and 调休 make-up days), kept in an editable table.

    from chuangxian.workdays import add_working_days, working_days_between

are the only way code adds or counts working days; see `calendar.py`.
"""

import datetime as dt


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (see `calendar.add_working_days`)."""
    from chuangxian.workdays.calendar import add_working_days as add

    return add(start, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days d with a < d <= b (see `calendar.working_days_between`)."""
    from chuangxian.workdays.calendar import working_days_between as between

    return between(a, b)


def calendar_warning(*days: dt.date) -> str:
    """ "2027 年节假日安排尚未录入，按周一至周五计算" when a year among `days` is unknown."""
    from chuangxian.workdays.calendar import calendar_warning as warning

    return warning(*days)

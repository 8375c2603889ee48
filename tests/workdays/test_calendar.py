import datetime as dt

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuangxian import workdays
from chuangxian.workdays.calendar import (
    WorkCalendar,
    calendar_warning,
    is_working_day,
    missing_years,
)
from chuangxian.workdays.models import CalendarYear, DayKind, SpecialDay

D = dt.date


@pytest.mark.django_db
class TestShippedSchedule:
    def test_national_day_2026_and_its_make_up_saturday(self):
        # 2026: 10-01..10-07 off, Saturday 10-10 worked in exchange.
        assert workdays.add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 10)
        assert workdays.working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4
        assert not is_working_day(D(2026, 10, 5))
        assert is_working_day(D(2026, 10, 10))

    def test_spring_festival_2026(self):
        # Five working days of 公示 published just before the holiday end well after it.
        end = workdays.add_working_days(D(2026, 2, 13), 5)
        assert end > D(2026, 2, 23)
        assert workdays.working_days_between(D(2026, 2, 13), end) == 5

    def test_backwards_and_zero(self):
        assert workdays.add_working_days(D(2026, 10, 10), -5) == D(2026, 9, 28)
        assert workdays.add_working_days(D(2026, 10, 5), 0) == D(2026, 10, 5)
        assert workdays.working_days_between(D(2026, 10, 12), D(2026, 9, 30)) == -4

    def test_every_shipped_year_is_known(self):
        years = set(CalendarYear.objects.values_list("year", flat=True))
        assert {2004, 2020, 2026} <= years
        assert calendar_warning(D(2026, 1, 1), D(2026, 12, 31)) == ""


@pytest.mark.django_db
def test_a_year_without_data_counts_monday_to_friday_and_says_so():
    assert CalendarYear.objects.filter(year=2031).count() == 0
    # 2031-01-01 is a Wednesday: no holiday known, so it counts.
    assert workdays.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 1)
    assert workdays.working_days_between(D(2031, 1, 3), D(2031, 1, 13)) == 6
    assert missing_years([D(2030, 12, 1), D(2032, 1, 1)]) == [2030, 2031, 2032]
    with translation.override("zh-hans"):
        warning = workdays.calendar_warning(D(2031, 3, 1))
    assert warning == "2031 年节假日安排尚未录入，按周一至周五计算"


@pytest.mark.django_db
def test_database_counts_agree_with_the_pure_rule_over_two_years():
    special = dict(
        SpecialDay.objects.filter(date__range=(D(2025, 1, 1), D(2026, 12, 31))).values_list(
            "date", "kind"
        )
    )
    pure = WorkCalendar(special)
    start = D(2025, 1, 1)
    for offset in range(0, 700, 13):
        day = start + dt.timedelta(days=offset)
        for n in (1, 3, 5, 10):
            assert workdays.add_working_days(day, n) == pure.add(day, n)
        other = day + dt.timedelta(days=40)
        assert workdays.working_days_between(day, other) == pure.count(day, other)


# The pure rule over random schedules: the properties every caller relies on.
dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))
schedules = st.dictionaries(
    st.dates(min_value=D(2020, 1, 1), max_value=D(2031, 12, 31)),
    st.sampled_from([DayKind.HOLIDAY, DayKind.WORKDAY]),
    max_size=60,
)
PROPERTY = settings(deadline=None, max_examples=150, suppress_health_check=list(HealthCheck))


@PROPERTY
@given(schedules, dates, st.integers(min_value=-60, max_value=60))
def test_adding_then_counting_returns_n(special, start, n):
    calendar = WorkCalendar(special)
    end = calendar.add(start, n)
    assert end is not None
    if n >= 0:
        assert calendar.count(start, end) == n
    else:
        # Backwards: |n| working days d with end <= d < start.
        one = dt.timedelta(days=1)
        assert calendar.count(end - one, start - one) == -n
    if n != 0:
        assert calendar.is_working_day(end)


@PROPERTY
@given(schedules, dates, st.integers(min_value=0, max_value=40), st.integers(0, 40))
def test_adding_is_monotone(special, start, n, extra):
    calendar = WorkCalendar(special)
    first, second = calendar.add(start, n), calendar.add(start, n + extra)
    assert first is not None and second is not None
    assert first <= second
    assert (first == second) == (extra == 0)


@PROPERTY
@given(schedules, dates, dates, dates)
def test_counting_adds_up_over_a_split(special, a, b, c):
    calendar = WorkCalendar(special)
    assert calendar.count(a, c) == calendar.count(a, b) + calendar.count(b, c)
    assert calendar.count(a, b) == -calendar.count(b, a)

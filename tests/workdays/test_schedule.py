import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from chuangxian import workdays
from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.workdays.models import CalendarSource, CalendarYear, DayKind, SpecialDay
from chuangxian.workdays.schedule import ScheduleError, format_schedule, parse_schedule
from chuangxian.workdays.services import calendar_seed_from_package, calendar_year_replace

D = dt.date
SCHEDULE_2031 = """
# 2031 年（测试用的虚构安排）
2031-01-01 休 元旦
2031-01-22~2031-01-28 休 春节
2031-01-19 班 春节调休
"""


def test_parse_reads_ranges_and_round_trips():
    days = parse_schedule(SCHEDULE_2031, year=2031)
    assert len(days) == 9
    assert days[0].date == D(2031, 1, 1) and days[0].kind == DayKind.HOLIDAY
    assert next(d for d in days if d.kind == DayKind.WORKDAY).name == "春节调休"
    assert parse_schedule(format_schedule(days), year=2031) == days


def test_parse_reports_every_bad_line_by_number():
    text = (
        "2031-01-01 休 元旦\n2031-02-30 休 坏日期\n2030-12-31 休 别的年\n"
        "2031-01-06 班 本来上班\nhello\n"
    )
    # The messages are the user's language; another test may have left English active.
    with translation.override("zh-hans"), pytest.raises(ScheduleError) as caught:
        parse_schedule(text, year=2031)
    problems = caught.value.problems
    assert [p.split(" ")[0] for p in problems] == ["第2行", "第3行", "第4行", "第5行"]
    assert "本来就是工作日" in problems[2]


@pytest.mark.django_db
def test_replace_makes_the_year_known_and_is_audited(tree):
    actor = Actor(user=tree.county_admin)
    calendar_year_replace(
        year=2031, days=parse_schedule(SCHEDULE_2031, year=2031), actor=actor, org_path="/x/"
    )
    year = CalendarYear.objects.get(year=2031)
    assert year.source == CalendarSource.MANUAL and year.updated_by == tree.county_admin
    assert workdays.calendar_warning(D(2031, 5, 1)) == ""
    # Sunday 01-19 is worked; the Spring Festival week is not.
    assert workdays.add_working_days(D(2031, 1, 17), 1) == D(2031, 1, 19)
    assert workdays.add_working_days(D(2031, 1, 21), 1) == D(2031, 1, 29)
    event = AuditEvent.objects.get(object_type="calendaryear", object_id="2031")
    assert event.changes["节假日"] == [None, 8]
    # Replacing again replaces, it does not add.
    calendar_year_replace(
        year=2031, days=parse_schedule("2031-01-01 休 元旦", year=2031), actor=actor
    )
    assert SpecialDay.objects.filter(date__year=2031).count() == 1


@pytest.mark.django_db
def test_seed_never_touches_a_year_entered_by_hand():
    assert calendar_seed_from_package(actor=Actor(label="t")) == []
    CalendarYear.objects.filter(year=2026).delete()
    SpecialDay.objects.filter(date__year=2026).delete()
    assert calendar_seed_from_package(actor=Actor(label="t")) == [2026]
    assert workdays.add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 10)


@pytest.mark.django_db
def test_cli_add_prints_the_date_and_warns_on_stderr():
    out, err = io.StringIO(), io.StringIO()
    call_command("workdays", "add", "2026-09-28", "5", stdout=out, stderr=err)
    assert out.getvalue().strip() == "2026-10-10"
    assert err.getvalue() == ""
    out, err = io.StringIO(), io.StringIO()
    with translation.override("zh-hans"):
        call_command("workdays", "add", "2031-03-01", "5", stdout=out, stderr=err)
    assert out.getvalue().strip() == "2031-03-07"
    assert "2031 年节假日安排尚未录入" in err.getvalue()


@pytest.mark.django_db
def test_cli_years_and_load(tmp_path: Path, tree):
    good = tmp_path / "2031.txt"
    good.write_text(SCHEDULE_2031, encoding="utf-8")
    call_command(
        "workdays", "load", "2031", str(good), "--user", "county_admin", stdout=io.StringIO()
    )
    out = io.StringIO()
    call_command("workdays", "years", stdout=out)
    assert "2031\t管理员录入\tcounty_admin" in out.getvalue()
    bad = tmp_path / "bad.txt"
    bad.write_text("2031-01-01 休 元旦\n2031-13-01 休 坏\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("workdays", "load", "2031", str(bad), stderr=err)
    assert "第2行" in err.getvalue()
    assert SpecialDay.objects.filter(date__year=2031).count() == 9

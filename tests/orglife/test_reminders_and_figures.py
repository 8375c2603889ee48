"""Cadence reminders through the sweep, and the figures other modules read."""

import datetime as dt

import pytest

from chuangxian.audit.services import Actor
from chuangxian.orglife.figures import (
    HeldRequired,
    attendance_rate,
    last_attended,
    meetings_held_vs_required,
    meetings_held_vs_required_subtree,
    months_without_orglife,
)
from chuangxian.orglife.models import AttendanceStatus, MeetingType
from chuangxian.orglife.periods import Period
from chuangxian.orglife.services.cadence import exemption_create
from chuangxian.orglife.services.meetings import AttendanceEntry, attendance_record
from chuangxian.reminders.models import Reminder, Severity
from chuangxian.reminders.selectors import reminders_for
from chuangxian.reminders.services import reminders_sweep
from tests.factories import MemberFactory
from tests.orglife.conftest import at, held, plan

pytestmark = pytest.mark.django_db
SOURCE = ["orglife.cadence"]


def keys(severity: str) -> set[str]:
    return set(
        Reminder.objects.filter(severity=severity, resolved_at=None).values_list("key", flat=True)
    )


def test_ahead_to_the_branch_then_red_flag_to_the_superior(tree):
    a1 = tree.branch_a1
    for month in range(1, 11):
        held(a1, at(2026, month, 10))
    # 25 November: 6 days left in the month, no 主题党日 held yet in A1.
    reminders_sweep(today=dt.date(2026, 11, 25), sources=SOURCE)
    ahead_key = f"orglife.cadence:{a1.pk}:theme_day:2026-11:ahead"
    assert ahead_key in keys(Severity.AHEAD)
    ahead = Reminder.objects.get(key=ahead_key)
    assert ahead.organization == a1 and "尚未召开主题党日" in ahead.text
    assert ahead in reminders_for(tree.secretary)
    assert ahead not in reminders_for(tree.sibling_secretary)
    # Not yet in the window for the quarter (Q4 ends 31 Dec: 36 days left > 15).
    assert f"orglife.cadence:{a1.pk}:general:2026Q4:ahead" not in keys(Severity.AHEAD)
    # Periods already missed (Q1–Q3 党员大会) are flagged to the township above A1.
    missed = Reminder.objects.get(key=f"orglife.cadence:{a1.pk}:general:2026Q3:missed")
    assert missed.severity == Severity.ESCALATED and missed.organization == tree.town_a
    assert missed in reminders_for(tree.town_admin)
    assert missed not in reminders_for(tree.secretary)
    # Older than 90 days after the end: no longer raised (Q1 ended 1 April).
    assert f"orglife.cadence:{a1.pk}:general:2026Q1:missed" not in keys(Severity.ESCALATED)

    # Holding the meeting resolves the reminder at the next sweep; the sweep is idempotent.
    held(a1, at(2026, 11, 26))
    result = reminders_sweep(today=dt.date(2026, 11, 26), sources=SOURCE)
    assert result.opened == 0 and result.resolved >= 1
    assert ahead_key not in keys(Severity.AHEAD)
    again = reminders_sweep(today=dt.date(2026, 11, 26), sources=SOURCE)
    assert (again.opened, again.resolved) == (0, 0)

    # An exemption recorded for the missed quarter clears its flag.
    exemption_create(
        actor=Actor(label="t"),
        organization=a1,
        meeting_type=MeetingType.GENERAL_MEETING,
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
        reason="防汛",
    )
    reminders_sweep(today=dt.date(2026, 11, 26), sources=SOURCE)
    assert f"orglife.cadence:{a1.pk}:general:2026Q3:missed" not in keys(Severity.ESCALATED)


def test_held_vs_required(tree):
    for month in (1, 2, 4):
        held(tree.branch_a1, at(2026, month, 10))
    held(tree.branch_a1, at(2026, 2, 12), meeting_type=MeetingType.TALK)
    today = dt.date(2026, 5, 20)
    q1 = meetings_held_vs_required(tree.branch_a1, Period(2026, 1, 3), today)
    assert q1[MeetingType.THEME_DAY] == HeldRequired(2, 3)
    assert q1[MeetingType.TALK] == HeldRequired(1, 0)  # no rule: held only
    year = meetings_held_vs_required(tree.branch_a1, Period(2026, 1, 12), today)
    assert year[MeetingType.THEME_DAY] == HeldRequired(3, 4)  # Jan–Apr over
    assert year[MeetingType.LIFE_MEETING] == HeldRequired(0, 0)  # year not over
    subtree = meetings_held_vs_required_subtree(tree.town_a, Period(2026, 1, 12), today)
    assert set(subtree) == {tree.branch_a1.pk, tree.branch_a2.pk, tree.group_a1.pk}
    assert subtree[tree.branch_a1.pk] == year
    assert subtree[tree.group_a1.pk][MeetingType.GROUP] == HeldRequired(0, 4)
    town = meetings_held_vs_required(tree.town_a, Period(2026, 1, 12), today)
    assert all(value == HeldRequired(0, 0) for value in town.values())
    MemberFactory(organization=tree.town_a, name="镇机关党员")
    held(tree.town_a, at(2026, 3, 3), meeting_type=MeetingType.LECTURE)
    town = meetings_held_vs_required(tree.town_a, Period(2026, 1, 12), today)
    assert town[MeetingType.LECTURE] == HeldRequired(1, 0)


def test_member_figures(tree):
    member = tree.member_a1
    today = dt.date(2026, 11, 22)
    assert attendance_rate(member, Period(2026, 1, 12)) is None
    assert last_attended(member) is None
    assert months_without_orglife(member, today) == 0  # no record to judge by

    meetings = [held(tree.branch_a1, at(2026, month, 10)) for month in (3, 4, 5, 6)]
    assert months_without_orglife(member, today) == 8  # expected since March, never came
    attendance_record(
        actor=Actor(label="t"),
        meeting=meetings[1],
        entries={member.pk: AttendanceEntry(AttendanceStatus.PRESENT)},
    )
    attendance_record(
        actor=Actor(label="t"),
        meeting=meetings[2],
        entries={member.pk: AttendanceEntry(AttendanceStatus.LEAVE, "住院")},
    )
    plan(tree.branch_a1, at(2026, 12, 10))  # planned: not counted
    assert attendance_rate(member, Period(2026, 1, 12)) == 0.25
    assert attendance_rate(member, Period(2026, 4, 1)) == 1.0
    assert attendance_rate(member, Period(2025, 1, 12)) is None
    assert last_attended(member) == dt.date(2026, 4, 10)
    # Attended in April; May to October are six whole months without.
    assert months_without_orglife(member, today) == 6
    assert months_without_orglife(member, dt.date(2026, 5, 31)) == 0
    # Late in the evening, Shanghai time, is still that day.
    late = held(tree.branch_a1, at(2026, 10, 31, 23, 30))
    attendance_record(
        actor=Actor(label="t"),
        meeting=late,
        entries={member.pk: AttendanceEntry(AttendanceStatus.PRESENT)},
    )
    assert last_attended(member) == dt.date(2026, 10, 31)
    assert months_without_orglife(member, today) == 0

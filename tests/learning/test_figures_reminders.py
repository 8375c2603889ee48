"""figures.py (requirement by role, progress, aggregates) and the 学时 reminders."""

import datetime as dt
from decimal import Decimal

import pytest

from chuangxian.learning import figures
from chuangxian.learning.models import StudyRecord, StudySource
from chuangxian.reminders.models import Reminder, Severity
from chuangxian.reminders.services import reminders_sweep
from tests.learning.conftest import attend, held_meeting

pytestmark = pytest.mark.django_db


def credit(member, day, hours):  # type: ignore[no-untyped-def]
    return StudyRecord.objects.create(
        member=member,
        source=StudySource.OFFLINE,
        day=day,
        hours=Decimal(hours),
        title=f"培训{day}{hours}",
    )


@pytest.mark.parametrize(
    ("post", "required"),
    [("", 32), ("书记", 56), ("副书记", 56), ("组织委员", 56), ("委员", 56), ("党小组组长", 32)],
)
def test_requirement_by_role(tree, post, required):
    tree.member_a1.party_post = post
    tree.member_a1.save()
    assert figures.study_requirement(tree.member_a1, 2026) == required


def test_hours_progress_and_calendar_year(tree):
    credit(tree.member_a1, dt.date(2025, 12, 31), 40)  # last year: no carry-over
    credit(tree.member_a1, dt.date(2026, 1, 1), 8)
    credit(tree.member_a1, dt.date(2026, 6, 1), 8)
    assert figures.study_hours(tree.member_a1, 2026) == Decimal("16.0")
    assert figures.study_progress(tree.member_a1, 2026) == 0.5
    assert figures.study_progress(tree.member_a1, 2025) == 1.0  # capped
    assert figures.xuexi_points(tree.member_a1, 2026) == 0
    assert figures.exam_results(tree.member_a1, 2026) == []


def test_organization_aggregates_roll_up_in_few_queries(tree, django_assert_max_num_queries):
    tree.member_a1g.party_post = "组织委员"
    tree.member_a1g.save()
    credit(tree.member_a1, dt.date(2026, 3, 1), 32)  # met
    credit(tree.member_a1g, dt.date(2026, 3, 1), 40)  # committee: needs 56
    credit(tree.member_b1, dt.date(2026, 3, 1), 8)
    with django_assert_max_num_queries(4):
        summaries = figures.organization_study_summaries(tree.county, 2026)
    county, town_a, a1, group = (
        summaries[tree.county.pk],
        summaries[tree.town_a.pk],
        summaries[tree.branch_a1.pk],
        summaries[tree.group_a1.pk],
    )
    assert (county.members, county.members_met, county.hours) == (4, 1, Decimal("80.0"))
    assert (town_a.members, town_a.members_met, town_a.hours) == (3, 1, Decimal("72.0"))
    assert (a1.members, a1.members_met) == (2, 1)
    assert (group.members, group.hours) == (1, Decimal("40.0"))
    assert summaries[tree.branch_b1.pk].average_hours == Decimal("8.0")


def test_pace_warnings_at_quarter_end_and_year_end_flag(tree):
    # 张三 (with an account) has 4 学时 from a 党课 in Q1: below the 8 expected after Q1.
    lecture = held_meeting(tree.branch_a1)
    attend(lecture, tree.member_a1)
    reminders_sweep(today=dt.date(2026, 4, 2), sources=["learning.hours"])
    mine = Reminder.objects.get(user=tree.member_user)
    assert mine.severity == Severity.AHEAD
    assert "低于第1季度末应达到的8学时" in mine.text
    # The sync ran first: the attendance row exists without anyone typing it.
    assert figures.study_hours(tree.member_a1, 2026) == Decimal("4.0")
    branch = Reminder.objects.get(organization=tree.branch_a1)
    assert branch.text == "甲镇一村党支部有2名党员学时低于第1季度进度"
    again = reminders_sweep(today=dt.date(2026, 4, 2), sources=["learning.hours"])
    assert again.opened == 0

    # Catching up resolves the member's warning.
    credit(tree.member_a1, dt.date(2026, 4, 1), 8)
    reminders_sweep(today=dt.date(2026, 4, 3), sources=["learning.hours"])
    mine.refresh_from_db()
    assert mine.resolved_at is not None

    # After the year, branches with members short of the requirement go up to the superior.
    reminders_sweep(today=dt.date(2027, 1, 5), sources=["learning.hours"])
    flags = Reminder.objects.filter(severity=Severity.ESCALATED, resolved_at=None)
    texts = {(r.organization_id, r.text) for r in flags}
    assert (tree.town_a.pk, "甲镇一村党支部2026年度有2名党员学时未达到要求") in texts
    assert (tree.town_b.pk, "乙镇一村党支部2026年度有1名党员学时未达到要求") in texts
    # No pace warnings in the first quarter of the new year.
    assert not Reminder.objects.filter(resolved_at=None, severity=Severity.AHEAD).exists()

"""The attendance-derived ledger: idempotent, follows orglife, credited per meeting."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from chuangxian.learning import figures
from chuangxian.learning.errors import LearningError
from chuangxian.learning.models import StudyRecord, StudySource
from chuangxian.learning.services.hours import meeting_credit_set, study_hours_sync
from chuangxian.learning.tasks import sync_study_hours
from chuangxian.orglife.models import AttendanceStatus, MeetingStatus, MeetingType
from tests.learning.conftest import ACTOR, at, attend, held_meeting

pytestmark = pytest.mark.django_db


def test_sync_is_idempotent_and_follows_attendance(tree):
    lecture = held_meeting(tree.branch_a1, MeetingType.LECTURE, at(2026, 3, 10))
    theme = held_meeting(tree.branch_a1, MeetingType.THEME_DAY, at(2026, 4, 5))
    committee = held_meeting(tree.branch_a1, MeetingType.COMMITTEE, at(2026, 4, 6))
    attend(lecture, tree.member_a1)
    attend(lecture, tree.member_a1g)
    attend(theme, tree.member_a1)
    attend(committee, tree.member_a1)  # not a study meeting
    absent = attend(theme, tree.member_a1g, AttendanceStatus.ABSENT)

    first = study_hours_sync(year=2026)
    assert (first.created, first.updated, first.deleted) == (3, 0, 0)
    again = study_hours_sync(year=2026)
    assert again.changed == 0
    assert StudyRecord.objects.count() == 3
    # 党课 and 主题党日 are credited as a half day: 4 学时 each.
    assert figures.study_hours(tree.member_a1, 2026) == Decimal("8.0")
    assert figures.study_hours(tree.member_a1g, 2026) == Decimal("4.0")

    # Marking the absent member present adds their row; removing attendance removes it.
    absent.status = AttendanceStatus.PRESENT
    absent.save()
    assert study_hours_sync(year=2026).created == 1
    absent.delete()
    assert study_hours_sync(year=2026).deleted == 1
    assert figures.study_hours(tree.member_a1g, 2026) == Decimal("4.0")

    # A cancelled meeting no longer counts.
    lecture.status = MeetingStatus.CANCELLED
    lecture.save()
    assert study_hours_sync(year=2026).deleted == 2
    assert figures.study_hours(tree.member_a1, 2026) == Decimal("4.0")


def test_planned_meetings_and_other_years_do_not_count(tree):
    planned = held_meeting(tree.branch_a1, MeetingType.LECTURE, status=MeetingStatus.PLANNED)
    attend(planned, tree.member_a1)
    last_year = held_meeting(tree.branch_a1, MeetingType.LECTURE, at(2025, 12, 20))
    attend(last_year, tree.member_a1)
    study_hours_sync()
    assert figures.study_hours(tree.member_a1, 2026) == 0
    assert figures.study_hours(tree.member_a1, 2025) == Decimal("4.0")

    # The meeting's date is corrected into 2026: the row moves with it.
    last_year.held_start = at(2026, 1, 3)
    last_year.save()
    result = study_hours_sync(year=2026)
    assert (result.created, result.updated, result.deleted) == (0, 1, 0)
    assert figures.study_hours(tree.member_a1, 2025) == 0
    assert figures.study_hours(tree.member_a1, 2026) == Decimal("4.0")


def test_meeting_credit_changes_the_derived_hours(tree):
    theme = held_meeting(tree.branch_a1, MeetingType.THEME_DAY, at(2026, 5, 1))
    attend(theme, tree.member_a1)
    study_hours_sync(year=2026)
    meeting_credit_set(actor=ACTOR, meeting=theme, hours=Decimal(8))
    assert figures.study_hours(tree.member_a1, 2026) == Decimal("8.0")
    assert study_hours_sync(year=2026).changed == 0

    committee = held_meeting(tree.branch_a1, MeetingType.COMMITTEE, at(2026, 5, 2))
    with pytest.raises(LearningError, match="只有党课和主题党日"):
        meeting_credit_set(actor=ACTOR, meeting=committee, hours=Decimal(2))
    with pytest.raises(LearningError) as refused:
        meeting_credit_set(actor=ACTOR, meeting=theme, hours=Decimal("0.3"))
    assert "0.5" in str(refused.value)
    assert figures.study_hours(tree.member_a1, 2026) == Decimal("8.0")


def test_scoped_sync_leaves_other_subtrees_alone(tree):
    a1 = held_meeting(tree.branch_a1, MeetingType.LECTURE)
    b1 = held_meeting(tree.branch_b1, MeetingType.LECTURE)
    attend(a1, tree.member_a1)
    attend(b1, tree.member_b1)
    assert study_hours_sync(organization=tree.town_a).created == 1
    assert not StudyRecord.objects.filter(member=tree.member_b1).exists()
    assert study_hours_sync(member=tree.member_b1).created == 1


def test_command_and_task(tree):
    lecture = held_meeting(tree.branch_a1, MeetingType.LECTURE)
    attend(lecture, tree.member_a1)
    out = io.StringIO()
    call_command("sync_study_hours", "--year", "2026", "--org", "A", stdout=out)
    assert "新增 1 条" in out.getvalue()
    out = io.StringIO()
    call_command("sync_study_hours", stdout=out)
    assert "新增 0 条，更新 0 条，删除 0 条" in out.getvalue()
    assert sync_study_hours.call(2026) == 0
    assert StudyRecord.objects.filter(source=StudySource.ATTENDANCE).count() == 1

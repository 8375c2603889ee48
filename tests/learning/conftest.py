import datetime as dt
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.learning.models import QuestionKind
from chuangxian.learning.services.exams import ExamValues, exam_create
from chuangxian.learning.services.questions import QuestionValues, question_create
from chuangxian.orglife.models import Attendance, AttendanceStatus, Meeting, MeetingStatus

ACTOR = Actor(label="test")
ZONE = timezone.get_current_timezone()


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZONE)


def held_meeting(org, kind="lecture", when=None, status=MeetingStatus.HELD, topic="党课"):  # type: ignore[no-untyped-def]
    when = when or at(2026, 3, 10)
    return Meeting.objects.create(
        organization=org,
        meeting_type=kind,
        topic=topic,
        planned_start=when,
        held_start=when if status != MeetingStatus.PLANNED else None,
        status=status,
    )


def attend(meeting, member, status=AttendanceStatus.PRESENT):  # type: ignore[no-untyped-def]
    return Attendance.objects.create(meeting=meeting, member=member, status=status)


def make_bank(org, *, single=4, multiple=3, judge=3, tag=""):  # type: ignore[no-untyped-def]
    questions = []
    for i in range(single):
        questions.append(
            question_create(
                actor=ACTOR,
                organization=org,
                values=QuestionValues(
                    QuestionKind.SINGLE, f"单选{i}", ["甲", "乙", "丙", "丁"], [i % 4], tag
                ),
            )
        )
    for i in range(multiple):
        questions.append(
            question_create(
                actor=ACTOR,
                organization=org,
                values=QuestionValues(
                    QuestionKind.MULTIPLE, f"多选{i}", ["甲", "乙", "丙", "丁"], [0, 2], tag
                ),
            )
        )
    for i in range(judge):
        questions.append(
            question_create(
                actor=ACTOR,
                organization=org,
                values=QuestionValues(QuestionKind.JUDGE, f"判断{i}", [], [i % 2], tag),
            )
        )
    return questions


def make_exam(
    org,
    *,
    single=2,
    multiple=2,
    judge=1,
    minutes=30,
    attempts=1,
    pass_mark=60,
    opens=None,
    closes=None,
):  # type: ignore[no-untyped-def]
    return exam_create(
        actor=ACTOR,
        organization=org,
        values=ExamValues(
            title="党章测试",
            opens_at=opens or at(2026, 11, 1),
            closes_at=closes or at(2026, 12, 31),
            time_limit_minutes=minutes,
            pass_mark=pass_mark,
            attempt_limit=attempts,
            single_count=single,
            multiple_count=multiple,
            judge_count=judge,
        ),
    )


@pytest.fixture
def rng() -> random.Random:
    return random.Random(7)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


__all__ = ["ACTOR", "Decimal", "at", "attend", "held_meeting", "make_bank", "make_exam"]

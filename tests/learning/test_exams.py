"""Exams: drawing, grading (多选 all-or-nothing), the server-side time limit, attempt limit."""

import datetime as dt

import pytest

from chuangxian.learning import figures
from chuangxian.learning.errors import LearningError
from chuangxian.learning.models import Attempt, AttemptAnswer, AttemptStatus
from chuangxian.learning.services.exams import (
    GRACE,
    LATE_MESSAGE,
    ExamValues,
    answer_save,
    attempt_start,
    attempt_submit,
    attempts_expire,
    exam_create,
)
from tests.learning.conftest import ACTOR, at, make_bank, make_exam

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 20, 10, 0)


def right_answers(attempt):  # type: ignore[no-untyped-def]
    return {a.position: list(a.question.answer) for a in attempt.answers.select_related("question")}


def test_paper_is_drawn_by_type_from_own_and_ancestor_banks(tree, rng):
    make_bank(tree.county, single=2, multiple=0, judge=0)
    make_bank(tree.town_a, single=1, multiple=2, judge=1)
    make_bank(tree.town_b, single=5, multiple=5, judge=5)  # not shared sideways
    exam = make_exam(tree.branch_a1, single=3, multiple=2, judge=1)
    attempt = attempt_start(member=tree.member_a1, exam=exam, now=NOW, rng=rng)
    kinds = [a.question.kind for a in attempt.answers.select_related("question")]
    assert kinds == ["single"] * 3 + ["multiple"] * 2 + ["judge"]
    orgs = {a.question.organization_id for a in attempt.answers.select_related("question")}
    assert orgs <= {tree.county.pk, tree.town_a.pk}
    # Starting again returns the open attempt, not a second paper.
    assert attempt_start(member=tree.member_a1, exam=exam, now=NOW, rng=rng) == attempt


def test_exam_setup_refuses_what_the_bank_cannot_fill(tree):
    make_bank(tree.town_a, single=2, multiple=0, judge=0)
    with pytest.raises(LearningError) as refused:
        make_exam(tree.town_a, single=3, multiple=1, judge=0)
    message = str(refused.value)
    assert "单选题只有2道，少于所需的3道" in message and "多选题只有0道" in message
    with pytest.raises(LearningError) as refused:
        exam_create(
            actor=ACTOR,
            organization=tree.town_a,
            values=ExamValues("", at(2026, 12, 1), at(2026, 11, 1), 0, 101, 0, 1, 0, 0),
        )
    errors = refused.value.message_dict
    assert set(errors) >= {"title", "closes_at", "time_limit_minutes", "pass_mark", "attempt_limit"}


def test_multiple_choice_is_all_or_nothing(tree, rng):
    make_bank(tree.town_a, single=0, multiple=2, judge=0)
    exam = make_exam(tree.town_a, single=0, multiple=2, judge=0, pass_mark=50)
    attempt = attempt_start(member=tree.member_a1, exam=exam, now=NOW, rng=rng)
    # Question 1 fully right ([0, 2]); question 2 only partly ([0]) — worth nothing.
    done = attempt_submit(
        attempt=attempt, answers={1: [2, 0], 2: [0]}, now=NOW + dt.timedelta(minutes=5)
    )
    assert (done.correct_count, done.total, done.score, done.passed) == (1, 2, 50, True)
    second = AttemptAnswer.objects.get(attempt=attempt, position=2)
    assert second.is_correct is False
    # Too many options is wrong as well.
    assert not AttemptAnswer.objects.filter(attempt=attempt, chosen=[0, 1, 2]).exists()


def test_single_choice_refuses_two_answers_and_nothing_is_saved(tree, rng):
    make_bank(tree.town_a, single=1, multiple=0, judge=0)
    exam = make_exam(tree.town_a, single=1, multiple=0, judge=0)
    attempt = attempt_start(member=tree.member_a1, exam=exam, now=NOW, rng=rng)
    with pytest.raises(LearningError, match="只能选择一个答案"):
        attempt_submit(attempt=attempt, answers={1: [0, 1]}, now=NOW)
    with pytest.raises(LearningError, match="不是本题的选项"):
        answer_save(attempt=attempt, position=1, chosen=[9], now=NOW)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert AttemptAnswer.objects.get(attempt=attempt).chosen == []


def test_late_answers_are_refused_and_the_attempt_is_graded_at_the_limit(tree, rng):
    make_bank(tree.town_a, single=2, multiple=0, judge=0)
    exam = make_exam(tree.town_a, single=2, multiple=0, judge=0, minutes=10)
    attempt = attempt_start(member=tree.member_a1, exam=exam, now=NOW, rng=rng)
    assert attempt.deadline == NOW + dt.timedelta(minutes=10)
    right = right_answers(attempt)
    # One answer saved in time; the rest arrives after the limit + grace.
    answer_save(attempt=attempt, position=1, chosen=right[1], now=NOW + dt.timedelta(minutes=9))
    # Within the grace period an answer still counts.
    answer_save(attempt=attempt, position=1, chosen=right[1], now=attempt.deadline + GRACE)
    late = attempt.deadline + GRACE + dt.timedelta(seconds=1)
    with pytest.raises(LearningError, match="已超过答题时限"):
        answer_save(attempt=attempt, position=2, chosen=right[2], now=late)
    with pytest.raises(LearningError) as refused:
        attempt_submit(attempt=attempt, answers=right, now=late)
    assert str(refused.value.messages[0]) == LATE_MESSAGE
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.TIMED_OUT
    assert attempt.submitted_at == attempt.deadline
    assert (attempt.correct_count, attempt.score) == (1, 50)
    # A second submission of the same paper is refused too.
    with pytest.raises(LearningError, match="已经交卷"):
        attempt_submit(attempt=attempt, answers=right, now=late)


def test_abandoned_attempts_expire_and_count(tree, rng):
    make_bank(tree.town_a, single=1, multiple=0, judge=0)
    exam = make_exam(tree.town_a, single=1, multiple=0, judge=0, minutes=5, attempts=2)
    first = attempt_start(member=tree.member_a1, exam=exam, now=NOW, rng=rng)
    assert attempts_expire(now=NOW + dt.timedelta(minutes=5)) == 0  # still within grace
    later = NOW + dt.timedelta(hours=1)
    second = attempt_start(member=tree.member_a1, exam=exam, now=later, rng=rng)
    first.refresh_from_db()
    assert first.status == AttemptStatus.TIMED_OUT and first.score == 0
    assert second.number == 2
    attempt_submit(attempt=second, answers=right_answers(second), now=later)
    with pytest.raises(LearningError, match="已用完全部2次作答机会"):
        attempt_start(member=tree.member_a1, exam=exam, now=later, rng=rng)
    assert Attempt.objects.filter(exam=exam).count() == 2
    results = figures.exam_results(tree.member_a1, 2026)
    assert len(results) == 1
    assert (results[0].attempts, results[0].best_score, results[0].passed) == (2, 100, True)


def test_deadline_never_passes_the_exam_close(tree, rng):
    make_bank(tree.town_a, single=1, multiple=0, judge=0)
    closes = NOW + dt.timedelta(minutes=3)
    exam = make_exam(tree.town_a, single=1, multiple=0, judge=0, minutes=30, closes=closes)
    attempt = attempt_start(member=tree.member_a1, exam=exam, now=NOW, rng=rng)
    assert attempt.deadline == closes


def test_window_and_takers(tree, rng):
    make_bank(tree.town_a, single=1, multiple=0, judge=0)
    exam = make_exam(tree.branch_a1, single=1, multiple=0, judge=0)
    with pytest.raises(LearningError, match="考试尚未开始"):
        attempt_start(member=tree.member_a1, exam=exam, now=at(2026, 10, 1), rng=rng)
    with pytest.raises(LearningError, match="考试已经结束"):
        attempt_start(member=tree.member_a1, exam=exam, now=at(2027, 1, 1), rng=rng)
    with pytest.raises(LearningError, match="不在本次考试的参加范围内"):
        attempt_start(member=tree.member_a2, exam=exam, now=NOW, rng=rng)
    # A member of the 党小组 below the branch takes the branch's exam.
    assert attempt_start(member=tree.member_a1g, exam=exam, now=NOW, rng=rng).number == 1
    assert not Attempt.objects.filter(member=tree.member_a2).exists()

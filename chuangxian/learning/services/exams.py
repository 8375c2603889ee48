"""Exams: setting one up, drawing a paper, saving answers, grading — with the server's clock
as the only authority on time.

Time limit (decided): an attempt's deadline is its start plus the exam's limit, and never later
than the exam's close. Answers arriving after the deadline plus GRACE (for the network) are
refused with a Chinese message. An attempt not submitted in time is graded as submitted at the
deadline, with the answers saved up to then (the page saves each answer as it is chosen), and
marked 超时自动交卷; it counts as one of the member's attempts. It is not voided: a member whose
connection dropped keeps what they had answered."""

import datetime as dt
import random
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.learning.access import is_taker, questions_for_organization
from chuangxian.learning.errors import LearningError
from chuangxian.learning.models import (
    Attempt,
    AttemptAnswer,
    AttemptStatus,
    Exam,
    Question,
    QuestionKind,
)
from chuangxian.orgs.models import Member, Organization

GRACE = dt.timedelta(seconds=30)
MAX_QUESTIONS = 200
MAX_MINUTES = 300
LATE_MESSAGE = (
    "已超过答题时限，本次提交的答案未被接受；答卷已按时限到达时已保存的答案自动交卷评分。"
)


@dataclass(frozen=True)
class ExamValues:
    title: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit_minutes: int
    pass_mark: int
    attempt_limit: int
    single_count: int
    multiple_count: int
    judge_count: int
    tag: str = ""


def _bank(org: Organization, tag: str) -> "dict[str, list[int]]":
    questions = questions_for_organization(org)
    if tag:
        questions = questions.filter(tags__contains=f",{tag},")
    bank: dict[str, list[int]] = {kind: [] for kind in QuestionKind.values}
    for question_id, kind in questions.values_list("id", "kind").order_by("id"):
        bank[kind].append(question_id)
    return bank


def _wanted(exam: Exam | ExamValues) -> list[tuple[str, int]]:
    return [
        (QuestionKind.SINGLE, exam.single_count),
        (QuestionKind.MULTIPLE, exam.multiple_count),
        (QuestionKind.JUDGE, exam.judge_count),
    ]


def _shortfalls(bank: "dict[str, list[int]]", exam: Exam | ExamValues) -> list[str]:
    return [
        f"题库中可用的{QuestionKind(kind).label}只有{len(bank[kind])}道，少于所需的{count}道"
        for kind, count in _wanted(exam)
        if len(bank[kind]) < count
    ]


@transaction.atomic
def exam_create(*, actor: Actor, organization: Organization, values: ExamValues) -> Exam:
    """An exam for every member of `organization`'s subtree, its papers drawn from the bank
    shared down to it. Refuses settings the bank cannot fill."""
    errors: dict[str, str] = {}
    if not values.title.strip():
        errors["title"] = "请填写考试名称"
    if values.closes_at <= values.opens_at:
        errors["closes_at"] = "截止时间应晚于开始时间"
    if not 1 <= values.time_limit_minutes <= MAX_MINUTES:
        errors["time_limit_minutes"] = f"答题时限应为1到{MAX_MINUTES}分钟"
    if not 0 <= values.pass_mark <= 100:
        errors["pass_mark"] = "及格分应为0到100"  # noqa: S105  (a field name, not a secret)
    if not 1 <= values.attempt_limit <= 10:
        errors["attempt_limit"] = "允许作答次数应为1到10次"
    total = values.single_count + values.multiple_count + values.judge_count
    if not 1 <= total <= MAX_QUESTIONS:
        errors["single_count"] = f"试卷题目总数应为1到{MAX_QUESTIONS}道"
    elif problems := _shortfalls(_bank(organization, values.tag.strip()), values):
        errors["single_count"] = "；".join(problems)
    if errors:
        raise LearningError(errors)
    exam = Exam(
        organization=organization,
        title=values.title.strip(),
        opens_at=values.opens_at,
        closes_at=values.closes_at,
        time_limit_minutes=values.time_limit_minutes,
        pass_mark=values.pass_mark,
        attempt_limit=values.attempt_limit,
        single_count=values.single_count,
        multiple_count=values.multiple_count,
        judge_count=values.judge_count,
        tag=values.tag.strip(),
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    exam.full_clean()
    exam.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=exam,
        org_path=organization.path,
        changes={"title": [None, exam.title], "questions": [None, total]},
    )
    return exam


def attempts_expire(
    *, now: dt.datetime, exam: Exam | None = None, member: Member | None = None
) -> int:
    """Grade every attempt still open past its deadline + grace as submitted at the deadline."""
    stale = Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lt=now - GRACE)
    if exam is not None:
        stale = stale.filter(exam=exam)
    if member is not None:
        stale = stale.filter(member=member)
    count = 0
    for attempt in stale.select_related("exam"):
        with transaction.atomic():
            locked = Attempt.objects.select_for_update().select_related("exam").get(pk=attempt.pk)
            if locked.status == AttemptStatus.IN_PROGRESS:
                _grade(locked, status=AttemptStatus.TIMED_OUT, at=locked.deadline)
                count += 1
    return count


def attempt_start(
    *, member: Member, exam: Exam, now: dt.datetime, rng: random.Random | None = None
) -> Attempt:
    """The member's open attempt, or a new one with a freshly drawn paper. Refuses outside the
    exam's window, for non-takers and past the attempt limit."""
    if not is_taker(member, exam):
        raise LearningError("您不在本次考试的参加范围内")
    attempts_expire(now=now, exam=exam, member=member)
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        mine = Attempt.objects.filter(exam=exam, member=member)
        current = mine.filter(status=AttemptStatus.IN_PROGRESS).first()
        if current is not None:
            return current
        if now < exam.opens_at:
            raise LearningError("考试尚未开始")
        if now >= exam.closes_at:
            raise LearningError("考试已经结束")
        used = mine.count()
        if used >= exam.attempt_limit:
            raise LearningError(f"您已用完全部{exam.attempt_limit}次作答机会")
        bank = _bank(exam.organization, exam.tag)
        if problems := _shortfalls(bank, exam):
            raise LearningError(
                "题库中的试题不足，暂时无法组卷，请联系考试组织者：" + "；".join(problems)
            )
        rng = rng or random.SystemRandom()
        drawn: list[int] = []
        for kind, count in _wanted(exam):
            drawn.extend(rng.sample(bank[kind], count))
        deadline = min(now + dt.timedelta(minutes=exam.time_limit_minutes), exam.closes_at)
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    exam=exam,
                    member=member,
                    number=used + 1,
                    started_at=now,
                    deadline=deadline,
                    total=len(drawn),
                )
        except IntegrityError:
            raise LearningError("答卷已在另一个页面开始，请刷新")
        AttemptAnswer.objects.bulk_create(
            AttemptAnswer(attempt=attempt, question_id=question_id, position=position)
            for position, question_id in enumerate(drawn, start=1)
        )
    return attempt


def _is_late(attempt: Attempt, now: dt.datetime) -> bool:
    return now > attempt.deadline + GRACE


def _check_choice(question: Question, chosen: list[int]) -> list[int]:
    picked = sorted(set(chosen))
    if any(not 0 <= index < len(question.options) for index in picked):
        raise LearningError("所选答案不是本题的选项")
    if question.kind != QuestionKind.MULTIPLE and len(picked) > 1:
        raise LearningError("本题只能选择一个答案")
    return picked


@transaction.atomic
def answer_save(
    *, attempt: Attempt, position: int, chosen: list[int], now: dt.datetime
) -> AttemptAnswer:
    """Save one answer while the attempt is open and within its time (plus grace)."""
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.is_finished:
        raise LearningError("该答卷已交卷，不能再修改答案")
    if _is_late(attempt, now):
        raise LearningError("已超过答题时限，答案未被接受")
    try:
        answer = attempt.answers.select_related("question").get(position=position)
    except AttemptAnswer.DoesNotExist:
        raise LearningError("试卷中没有这道题")
    answer.chosen = _check_choice(answer.question, chosen)
    answer.answered_at = now
    answer.save(update_fields=["chosen", "answered_at"])
    return answer


def attempt_submit(*, attempt: Attempt, answers: dict[int, list[int]], now: dt.datetime) -> Attempt:
    """Hand in the paper with its answers (position → chosen option indexes) and grade it.
    After the deadline + grace the answers are refused with LATE_MESSAGE, and the attempt is
    graded as submitted at the deadline with what was saved before."""
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("exam").get(pk=attempt.pk)
        if locked.is_finished:
            raise LearningError("该答卷已经交卷")
        late = _is_late(locked, now)
        if late:
            _grade(locked, status=AttemptStatus.TIMED_OUT, at=locked.deadline)
        else:
            by_position = {a.position: a for a in locked.answers.select_related("question")}
            unknown = set(answers) - set(by_position)
            if unknown:
                raise LearningError("提交的答案与试卷不符，请刷新后重试")
            for position, chosen in answers.items():
                answer = by_position[position]
                answer.chosen = _check_choice(answer.question, chosen)
                answer.answered_at = now
            AttemptAnswer.objects.bulk_update(
                [by_position[p] for p in answers], ["chosen", "answered_at"]
            )
            _grade(locked, status=AttemptStatus.SUBMITTED, at=now)
    if late:
        raise LearningError(LATE_MESSAGE)
    return locked


def _grade(attempt: Attempt, *, status: str, at: dt.datetime) -> None:
    """All-or-nothing per question (a 多选题 is right only with exactly the right options);
    the score is the share of right answers on a 100-point scale, rounded half up."""
    answers = list(attempt.answers.select_related("question"))
    correct = 0
    for answer in answers:
        answer.is_correct = sorted(answer.chosen) == sorted(answer.question.answer)
        correct += answer.is_correct
    AttemptAnswer.objects.bulk_update(answers, ["is_correct"])
    total = len(answers)
    attempt.correct_count = correct
    attempt.total = total
    # Half up (59.5 → 60), not Python's round-half-to-even.
    attempt.score = (200 * correct + total) // (2 * total) if total else 0
    attempt.passed = attempt.score >= attempt.exam.pass_mark
    attempt.status = status
    attempt.submitted_at = at
    attempt.save(
        update_fields=["correct_count", "total", "score", "passed", "status", "submitted_at"]
    )

"""Reads behind the learning pages. Each starts from learning.access or orgs.access."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from chuangxian.learning.access import courses_for, exams_for, is_learner, is_taker
from chuangxian.learning.models import (
    Attempt,
    AttemptStatus,
    Course,
    CourseCompletion,
    Exam,
    MaterialView,
    StudyRecord,
)
from chuangxian.learning.rules import year_bounds
from chuangxian.orgs.models import Member, MemberStatus, Organization


def year_param(raw: str | None, today: dt.date) -> int:
    try:
        year = int(raw or today.year)
    except ValueError:
        return today.year
    return year if 2000 <= year <= 2100 else today.year


def records_of(member: Member, year: int) -> QuerySet[StudyRecord]:
    first, last = year_bounds(year)
    return StudyRecord.objects.filter(member=member, day__gte=first, day__lte=last).order_by(
        "-day", "-id"
    )


@dataclass(frozen=True)
class CourseRow:
    course: Course
    completed: bool


def member_courses(user: Any, member: Member) -> list[CourseRow]:
    done = set(CourseCompletion.objects.filter(member=member).values_list("course_id", flat=True))
    courses = courses_for(user).filter(is_open=True).select_related("organization")
    return [
        CourseRow(course, course.pk in done)
        for course in courses.order_by("-created_at")[:100]
        if is_learner(member, course)
    ]


@dataclass(frozen=True)
class ExamRow:
    exam: Exam
    used: int
    best: int | None
    passed: bool
    in_progress: Attempt | None
    is_open: bool


def member_exams(user: Any, member: Member, now: dt.datetime) -> list[ExamRow]:
    exams = [
        exam
        for exam in exams_for(user).select_related("organization").order_by("-opens_at")[:50]
        if is_taker(member, exam)
    ]
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(member=member, exam__in=exams).order_by("number"):
        attempts.setdefault(attempt.exam_id, []).append(attempt)
    rows = []
    for exam in exams:
        mine = attempts.get(exam.pk, [])
        scores = [a.score for a in mine if a.is_finished and a.score is not None]
        rows.append(
            ExamRow(
                exam=exam,
                used=len(mine),
                best=max(scores) if scores else None,
                passed=any(a.passed for a in mine),
                in_progress=next((a for a in mine if not a.is_finished), None),
                is_open=exam.opens_at <= now < exam.closes_at,
            )
        )
    return rows


def viewed_material_ids(member: Member, course: Course) -> set[int]:
    return set(
        MaterialView.objects.filter(member=member, material__course=course).values_list(
            "material_id", flat=True
        )
    )


def course_completion_count(course: Course) -> int:
    return CourseCompletion.objects.filter(course=course).count()


@dataclass(frozen=True)
class ExamMemberResult:
    member: Member
    attempts: int
    best: int | None
    passed: bool


@dataclass
class ExamOrgResult:
    organization: Organization
    takers: int = 0
    took: int = 0
    passed: int = 0

    @property
    def participation(self) -> float:
        return self.took / self.takers if self.takers else 0.0

    @property
    def pass_rate(self) -> float:
        return self.passed / self.takers if self.takers else 0.0


def exam_results_for(
    exam: Exam, members: QuerySet[Member], child_orgs: list[Organization]
) -> tuple[list[ExamMemberResult], list[ExamOrgResult]]:
    """Per member (of `members`, the takers the viewer may see) and per child organization."""
    takers = list(
        members.filter(
            status=MemberStatus.ACTIVE, organization__path__startswith=exam.organization.path
        )
        .select_related("organization")
        .order_by("organization__path", "name", "id")
    )
    stats = {
        row["member_id"]: row
        for row in Attempt.objects.filter(exam=exam, member__in=[m.pk for m in takers])
        .values("member_id")
        .annotate(
            attempts=Count("id"),
            passed_count=Count("id", filter=Q(passed=True)),
        )
    }
    best_scores: dict[int, int] = {}
    for member_id, score in (
        Attempt.objects.filter(exam=exam, member__in=[m.pk for m in takers])
        .exclude(status=AttemptStatus.IN_PROGRESS)
        .values_list("member_id", "score")
    ):
        if score is not None and score > best_scores.get(member_id, -1):
            best_scores[member_id] = score
    per_member = [
        ExamMemberResult(
            member=member,
            attempts=stats.get(member.pk, {}).get("attempts", 0),
            best=best_scores.get(member.pk),
            passed=stats.get(member.pk, {}).get("passed_count", 0) > 0,
        )
        for member in takers
    ]
    per_org = [ExamOrgResult(organization=org) for org in child_orgs]
    for result in per_member:
        for org_result in per_org:
            if result.member.organization.path.startswith(org_result.organization.path):
                org_result.takers += 1
                org_result.took += result.attempts > 0
                org_result.passed += result.passed
    return per_member, per_org

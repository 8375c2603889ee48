"""Who may see and change the learning records, built on orgs.access.

Two ways in: staff see what belongs to organizations in their scope (orgs.access), members see
what their own organization and its ancestors offer them (courses, exams, plans) and their own
records. Anything else is a 404, exactly like a missing object."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from chuangxian.learning.models import Attempt, Course, CourseMaterial, Exam, Question, StudyPlan
from chuangxian.orgs.access import organizations_for, scope_for
from chuangxian.orgs.models import Member, MemberStatus, Organization


def own_member(user: Any) -> Member | None:
    """The user's own member record while they are on the active roster."""
    member_id = scope_for(user).own_member_id
    if member_id is None:
        return None
    return (
        Member.objects.select_related("organization")
        .filter(pk=member_id, status=MemberStatus.ACTIVE)
        .first()
    )


def lineage_ids(org: Organization) -> list[int]:
    """The organization and its ancestors: whose courses, exams and plans reach its members."""
    return [*org.ancestor_ids, org.pk]


def _scope_ancestor_ids(user: Any) -> set[int]:
    """Ancestors of the top organizations of the user's scope (what is offered down to them)."""
    ids: set[int] = set()
    for org in Organization.objects.filter(pk__in=scope_for(user).roots).only("path"):
        ids.update(org.ancestor_ids)
    return ids


def _offered_q(user: Any, prefix: str = "") -> Q:
    """Objects owned by an organization in the user's scope or above it (offered down to it),
    or offered to their own member record (owned by their organization or an ancestor)."""
    scope = scope_for(user)
    condition = scope.organization_q(prefix=f"{prefix}organization__")
    if scope.roots:
        condition |= Q(**{f"{prefix}organization_id__in": _scope_ancestor_ids(user)})
    member = own_member(user)
    if member is not None:
        condition |= Q(**{f"{prefix}organization_id__in": lineage_ids(member.organization)})
    return condition


def courses_for(user: Any) -> QuerySet[Course]:
    return Course.objects.filter(_offered_q(user))


def exams_for(user: Any) -> QuerySet[Exam]:
    return Exam.objects.filter(_offered_q(user))


def plans_for(user: Any) -> QuerySet[StudyPlan]:
    return StudyPlan.objects.filter(_offered_q(user))


def access_course_by_id(user: Any, course_id: int) -> Course:
    try:
        return courses_for(user).select_related("organization").get(pk=course_id)
    except Course.DoesNotExist:
        raise Http404("没有找到该课程")


def access_material_by_id(user: Any, material_id: int) -> CourseMaterial:
    try:
        material = CourseMaterial.objects.select_related("course").get(pk=material_id)
    except CourseMaterial.DoesNotExist:
        raise Http404("没有找到该学习材料")
    access_course_by_id(user, material.course_id)
    return material


def access_exam_by_id(user: Any, exam_id: int) -> Exam:
    try:
        return exams_for(user).select_related("organization").get(pk=exam_id)
    except Exam.DoesNotExist:
        raise Http404("没有找到该考试")


def access_plan_by_id(user: Any, plan_id: int) -> StudyPlan:
    try:
        return plans_for(user).select_related("organization", "campaign").get(pk=plan_id)
    except StudyPlan.DoesNotExist:
        raise Http404("没有找到该学习计划")


def access_attempt_by_id(user: Any, attempt_id: int) -> Attempt:
    """Attempts are seen by the member who took them and by staff over the member's org."""
    scope = scope_for(user)
    condition = scope.organization_q(prefix="member__organization__")
    if scope.own_member_id is not None:
        condition |= Q(member_id=scope.own_member_id)
    try:
        return (
            Attempt.objects.filter(condition)
            .select_related("exam", "member", "member__organization")
            .get(pk=attempt_id)
        )
    except Attempt.DoesNotExist:
        raise Http404("没有找到该答卷")


def can_manage(user: Any, org: Organization) -> bool:
    """May set up courses, plans, questions and exams of `org` and credit its meetings:
    管理员 over it, or 书记 / 党务干部 of it."""
    return scope_for(user).works_in(org)


def managed_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations where the user may set things up (what a form offers to choose)."""
    return organizations_for(user).order_by("path")


def questions_for_organization(org: Organization) -> QuerySet[Question]:
    """The bank an exam of `org` draws from: its own questions and those of its ancestors."""
    return Question.objects.filter(organization_id__in=lineage_ids(org), is_active=True)


def questions_for(user: Any) -> QuerySet[Question]:
    """Questions a staff user may see on the bank page: those of organizations in scope and of
    their ancestors (shared down to them)."""
    visible = scope_for(user).organization_q(prefix="organization__")
    return Question.objects.filter(visible | Q(organization_id__in=_scope_ancestor_ids(user)))


def is_taker(member: Member, exam: Exam) -> bool:
    """Members of the exam's organization and of everything below it take it."""
    return member.status == MemberStatus.ACTIVE and member.organization.path.startswith(
        exam.organization.path
    )


def is_learner(member: Member, course: Course) -> bool:
    return member.status == MemberStatus.ACTIVE and member.organization.path.startswith(
        course.organization.path
    )

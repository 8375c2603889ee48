"""Exams: setting one up, taking it on a phone (one page, a countdown, answers saved as they
are chosen; the server's clock decides), the result, and results per member and organization."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.learning import selectors
from chuangxian.learning.access import (
    access_attempt_by_id,
    access_exam_by_id,
    can_manage,
    exams_for,
    is_taker,
    managed_organizations,
    own_member,
)
from chuangxian.learning.errors import LearningError
from chuangxian.learning.forms import ExamForm
from chuangxian.learning.models import Attempt
from chuangxian.learning.services.exams import (
    GRACE,
    answer_save,
    attempt_start,
    attempt_submit,
    attempts_expire,
    exam_create,
)
from chuangxian.orgs import selectors as org_selectors
from chuangxian.orgs.access import is_staff_in_tree, members_for
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.views.http import actor_of, viewer


@require_http_methods(["GET", "POST"])
def exams(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    now = timezone.now()
    form = None
    if is_staff_in_tree(user):
        form = ExamForm(
            request.POST or None,
            organizations=managed_organizations(user),
            initial=ExamForm.initial_times(now),
        )
        if request.method == "POST" and form.is_valid():
            try:
                exam = exam_create(
                    actor=actor_of(request),
                    organization=form.cleaned_data["organization"],
                    values=form.values(),
                )
            except LearningError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已发布考试。"))
                return redirect(exam)
    elif request.method == "POST":
        raise Http404("没有找到该页面")
    listed = exams_for(user).select_related("organization").order_by("-opens_at")[:200]
    return render(request, "learning/exams.html", {"exams": listed, "form": form, "now": now})


@require_GET
def exam(request: HttpRequest, exam_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_exam_by_id(user, exam_id)
    now = timezone.now()
    member = own_member(user)
    taker = member if member is not None and is_taker(member, found) else None
    attempts: list[Attempt] = []
    if taker is not None:
        attempts_expire(now=now, exam=found, member=taker)
        attempts = list(Attempt.objects.filter(exam=found, member=taker).order_by("number"))
    in_progress = next((a for a in attempts if not a.is_finished), None)
    context = {
        "exam": found,
        "taker": taker,
        "attempts": attempts,
        "in_progress": in_progress,
        "left": max(0, found.attempt_limit - len(attempts)),
        "is_open": found.opens_at <= now < found.closes_at,
        "not_yet": now < found.opens_at,
        "manage": can_manage(user, found.organization),
    }
    return render(request, "learning/exam.html", context)


@require_POST
def exam_start(request: HttpRequest, exam_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_exam_by_id(user, exam_id)
    member = own_member(user)
    if member is None:
        raise Http404("没有找到该考试")
    try:
        attempt = attempt_start(member=member, exam=found, now=timezone.now())
    except LearningError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(found)
    return redirect(attempt)


def _chosen(values: list[str]) -> list[int]:
    picked = []
    for value in values:
        try:
            picked.append(int(value))
        except ValueError:
            raise LearningError("所选答案不是本题的选项")
    return picked


@never_cache
@require_GET
def attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    found = access_attempt_by_id(viewer(request), attempt_id)
    now = timezone.now()
    if not found.is_finished:
        attempts_expire(now=now, exam=found.exam, member=found.member)
        found.refresh_from_db()
    answers = list(found.answers.select_related("question").order_by("position"))
    member = own_member(viewer(request))
    is_mine = member is not None and member.pk == found.member_id
    remaining = max(0, int((found.deadline - now).total_seconds()))
    context = {
        "attempt": found,
        "exam": found.exam,
        "answers": answers,
        "is_mine": is_mine,
        "remaining": remaining,
        "grace": int(GRACE.total_seconds()),
        "deadline": found.deadline,
    }
    template = "learning/attempt.html" if found.is_finished or not is_mine else "learning/take.html"
    return render(request, template, context)


def _mine_open(request: HttpRequest, attempt_id: int) -> Attempt:
    found = access_attempt_by_id(viewer(request), attempt_id)
    member = own_member(viewer(request))
    if member is None or member.pk != found.member_id:
        raise Http404("没有找到该答卷")
    return found


@require_POST
def attempt_answer(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """htmx: save one answer as it is chosen; answers 200 with a short status, or 409 with the
    refusal (after the time limit) so the page can say so."""
    found = _mine_open(request, attempt_id)
    try:
        position = int(request.POST.get("position", ""))
        answer_save(
            attempt=found,
            position=position,
            chosen=_chosen(request.POST.getlist(f"q{position}")),
            now=timezone.now(),
        )
    except ValueError:
        return HttpResponse(_("提交的答案与试卷不符"), status=400)
    except LearningError as error:
        return HttpResponse(" ".join(error.messages), status=409)
    return HttpResponse(_("已保存"))


@require_POST
def attempt_submit_view(request: HttpRequest, attempt_id: int) -> HttpResponse:
    found = _mine_open(request, attempt_id)
    answers: dict[int, list[int]] = {}
    try:
        for answer in found.answers.only("position"):
            answers[answer.position] = _chosen(request.POST.getlist(f"q{answer.position}"))
        attempt_submit(attempt=found, answers=answers, now=timezone.now())
    except LearningError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已交卷。"))
    return redirect(found)


@require_GET
def exam_results(request: HttpRequest, exam_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_exam_by_id(user, exam_id)
    if not is_staff_in_tree(user):
        raise Http404("没有找到该考试")
    attempts_expire(now=timezone.now(), exam=found)
    # The viewer's part of the takers: their scope within the exam's organization.
    children = org_selectors.children_of(user, found.organization)
    per_member, per_org = selectors.exam_results_for(found, members_for(user), children)
    took = sum(1 for r in per_member if r.attempts)
    passed = sum(1 for r in per_member if r.passed)
    context = {
        "exam": found,
        "per_member": per_member,
        "per_org": per_org,
        "took": took,
        "passed": passed,
        "takers": len(per_member),
    }
    return render(request, "learning/exam_results.html", context)

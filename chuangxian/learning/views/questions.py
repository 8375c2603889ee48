"""The question bank: list, add one, import many, switch one off or on."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuangxian.learning.access import can_manage, managed_organizations, questions_for
from chuangxian.learning.errors import LearningError
from chuangxian.learning.forms import QuestionForm, QuestionImportForm
from chuangxian.learning.models import Question, QuestionKind
from chuangxian.learning.services.imports import questions_import
from chuangxian.learning.services.questions import question_create, question_set_active
from chuangxian.orgs.access import is_staff_in_tree
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.views.http import PAGE_SIZE, actor_of, viewer

ERRORS_ON_PAGE = 2000


def _staff_only(user: object) -> None:
    if not is_staff_in_tree(user):
        raise Http404("没有找到该页面")


@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    _staff_only(user)
    orgs = managed_organizations(user)
    adding = request.method == "POST" and request.POST.get("action") == "add"
    importing = request.method == "POST" and request.POST.get("action") == "import"
    form = QuestionForm(request.POST if adding else None, organizations=orgs)
    import_form = QuestionImportForm(
        request.POST if importing else None,
        request.FILES if importing else None,
        organizations=orgs,
    )
    report = None
    if adding and form.is_valid():
        try:
            question_create(
                actor=actor_of(request),
                organization=form.cleaned_data["organization"],
                values=form.values(),
            )
        except LearningError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已添加试题。"))
            return redirect("learning:questions")
    if importing and import_form.is_valid():
        report = questions_import(
            actor=actor_of(request),
            organization=import_form.cleaned_data["organization"],
            content=import_form.cleaned_data["file"],
            file_name=import_form.file_name,
            dry_run=import_form.cleaned_data["dry_run"],
        )
    listed = questions_for(user).select_related("organization").order_by("-id")
    kind = request.GET.get("kind", "")
    if kind in QuestionKind.values:
        listed = listed.filter(kind=kind)
    tag = request.GET.get("tag", "").strip()
    if tag:
        listed = listed.filter(tags__contains=f",{tag},")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    manageable = {org.pk for org in orgs.filter(pk__in={q.organization_id for q in page})}
    context = {
        "page": page,
        "form": form,
        "import_form": import_form,
        "report": report,
        # The import report lists each bad row (the template shows `errors`, as on the other
        # import pages).
        "errors": report.error_lines()[:ERRORS_ON_PAGE] if report else [],
        "kinds": QuestionKind.choices,
        "kind": kind,
        "tag": tag,
        "manageable": manageable,
    }
    return render(request, "learning/questions.html", context)


@require_POST
def question_toggle(request: HttpRequest, question_id: int) -> HttpResponse:
    user = viewer(request)
    try:
        question = questions_for(user).select_related("organization").get(pk=question_id)
    except Question.DoesNotExist:
        raise Http404("没有找到该试题")
    if not can_manage(user, question.organization):
        raise Http404("没有找到该试题")
    question_set_active(actor=actor_of(request), question=question, active=not question.is_active)
    messages.success(request, _("已启用该试题。") if question.is_active else _("已停用该试题。"))
    return redirect("learning:questions")

"""Import pages: offline training 学时 and 学习强国 points, with the error report."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from chuangxian.learning.forms import ImportForm, XuexiImportForm
from chuangxian.learning.models import StudyImport, StudyImportKind
from chuangxian.learning.services.imports import (
    StudyImportReport,
    offline_training_import,
    xuexi_points_import,
)
from chuangxian.learning.templates_xlsx import TEMPLATES, template_workbook
from chuangxian.orgs.access import is_staff_in_tree
from chuangxian.orgs.views.http import actor_of, viewer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_ON_PAGE = 2000


def _staff_only(user: object) -> None:
    if not is_staff_in_tree(user):
        raise Http404("没有找到该页面")


def _recent(user: object, kind: str) -> list[StudyImport]:
    return list(StudyImport.objects.filter(kind=kind, created_by=user)[:10])  # type: ignore[misc]


def _page(
    request: HttpRequest, kind: str, form: ImportForm, report: StudyImportReport | None
) -> HttpResponse:
    context = {
        "kind": kind,
        "title": StudyImportKind(kind).label,
        "form": form,
        "report": report,
        "errors": report.error_lines()[:ERRORS_ON_PAGE] if report else [],
        "recent": _recent(request.user, kind),
    }
    return render(request, "learning/import.html", context)


@require_http_methods(["GET", "POST"])
def import_offline(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    _staff_only(user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = offline_training_import(
            actor=actor_of(request),
            user=user,
            content=form.cleaned_data["file"],
            file_name=form.file_name,
            today=timezone.localdate(),
            dry_run=form.cleaned_data["dry_run"],
        )
    return _page(request, StudyImportKind.OFFLINE, form, report)


@require_http_methods(["GET", "POST"])
def import_xuexi(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    _staff_only(user)
    form = XuexiImportForm(
        request.POST or None, request.FILES or None, initial={"year": timezone.localdate().year}
    )
    report = None
    if request.method == "POST" and form.is_valid():
        report = xuexi_points_import(
            actor=actor_of(request),
            user=user,
            content=form.cleaned_data["file"],
            file_name=form.file_name,
            year=form.cleaned_data["year"],
            dry_run=form.cleaned_data["dry_run"],
        )
    return _page(request, StudyImportKind.XUEXI, form, report)


@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    _staff_only(viewer(request))
    if kind not in TEMPLATES:
        raise Http404("没有该模板")
    response = HttpResponse(template_workbook(kind), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{kind}-template.xlsx"
    return response

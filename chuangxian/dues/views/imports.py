"""The payment import page: upload, every bad row reported, all rows written or none."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from chuangxian.dues.exports import import_template
from chuangxian.dues.forms import ImportForm
from chuangxian.dues.services.imports import PaymentImportReport, payments_import
from chuangxian.orgs.access import is_staff_in_tree
from chuangxian.orgs.views.http import actor_of, viewer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_ON_PAGE = 2000


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    if not is_staff_in_tree(user):
        raise Http404("没有找到该页面")
    form = ImportForm(request.POST or None, request.FILES or None)
    report: PaymentImportReport | None = None
    if request.method == "POST" and form.is_valid():
        report = payments_import(
            actor=actor_of(request),
            user=user,
            content=form.cleaned_data["file"],
            file_name=form.file_name,
            today=timezone.localdate(),
            dry_run=form.cleaned_data["dry_run"],
        )
    context = {"form": form, "report": report, "limit": ERRORS_ON_PAGE}
    return render(request, "dues/import.html", context)


@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(import_template(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''dues-template.xlsx"
    return response

"""Import and export pages. Each view: decorators → access function → form → service → render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from chuangxian.audit.services import Actor
from chuangxian.orgs.access import access_organization_by_id, is_administrator, is_staff_in_tree
from chuangxian.roster_io.forms import ImportForm
from chuangxian.roster_io.models import ImportJob, ImportStatus
from chuangxian.roster_io.report import RowError
from chuangxian.roster_io.selectors import job_lost_its_worker, recent_jobs, worker_seen_recently
from chuangxian.roster_io.services.exports import roster_export
from chuangxian.roster_io.services.jobs import import_job_create, import_jobs_recover
from chuangxian.roster_io.workbook import error_workbook, roster_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_ON_PAGE = 2000


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, ip_address=request.META.get("REMOTE_ADDR"))


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _access_job(request: HttpRequest, job_id: int) -> ImportJob:
    """A job is visible to the administrator who uploaded it, 404 for anyone else."""
    if not is_administrator(request.user):
        raise Http404("没有找到该导入任务")
    return get_object_or_404(ImportJob.objects.defer("content"), pk=job_id, created_by=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    if not is_administrator(request.user):
        raise Http404("没有找到该页面")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            actor=_actor(request),
            user=request.user,
            file_name=form.file_name,
            content=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect(job)
    return render(
        request, "roster_io/import.html", {"form": form, "jobs": recent_jobs(request.user)}
    )


@login_required
@require_GET
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _access_job(request, job_id)
    if job_lost_its_worker(job):  # the supervisor does this too; the page need not wait for it
        import_jobs_recover()
        job.refresh_from_db()
    template = "roster_io/_job_status.html" if request.headers.get("HX-Request") else None
    context = {"job": job, "errors": job.errors[:ERRORS_ON_PAGE], "errors_cut": ERRORS_ON_PAGE}
    if job.status == ImportStatus.FAILED:
        context["rerun_form"] = ImportForm(initial={"dry_run": job.dry_run})
    return render(request, template or "roster_io/job.html", context)


@login_required
@require_GET
def worker_status(request: HttpRequest) -> HttpResponse:
    """The staff layout's warning when no background worker has been seen for a minute
    (loaded after the page, so that no page pays a query for it)."""
    if not is_staff_in_tree(request.user):
        raise Http404("没有找到该页面")
    context = {"worker_missing": not worker_seen_recently()}
    return render(request, "roster_io/_worker_status.html", context)


@login_required
@require_GET
def job_errors(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _access_job(request, job_id)
    errors = [RowError(**error) for error in job.errors]
    return _xlsx(error_workbook(errors), f"import-{job.pk}-errors.xlsx")


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    return _xlsx(roster_workbook([], []), "roster-template.xlsx")


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    try:
        org_id = int(request.GET.get("org", ""))
    except ValueError:
        raise Http404("没有找到该党组织")
    org = access_organization_by_id(request.user, org_id)
    content = roster_export(actor=_actor(request), user=request.user, org=org)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _xlsx(content, f"roster-{org.code}-{stamp}.xlsx")

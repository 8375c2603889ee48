"""The 学时 ledger of an organization (and a member's own), its export, the orglife sync
button and the crediting of a 党课 / 主题党日."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import audit_record
from chuangxian.learning import figures, selectors
from chuangxian.learning.access import can_manage
from chuangxian.learning.errors import LearningError
from chuangxian.learning.exports import ledger_workbook
from chuangxian.learning.forms import CreditForm
from chuangxian.learning.services.hours import (
    credited_meetings,
    meeting_credit_set,
    study_hours_sync,
)
from chuangxian.orglife.models import Meeting
from chuangxian.orgs import selectors as org_selectors
from chuangxian.orgs.access import access_member_by_id, access_organization_by_id, members_for
from chuangxian.orgs.views.http import PAGE_SIZE, actor_of, viewer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def ledger(request: HttpRequest, org_id: int) -> HttpResponse:
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    year = selectors.year_param(request.GET.get("year"), timezone.localdate())
    summaries = figures.organization_study_summaries(org, year)
    children = org_selectors.children_of(user, org)
    rows = figures.member_study_rows(org, year, visible=members_for(user))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = dict(org_selectors.subtree(user, org).values_list("id", "name"))
    context = {
        "org": org,
        "year": year,
        "years": range(year - 2, year + 2),
        "summary": summaries[org.pk],
        "children": [(child, summaries.get(child.pk)) for child in children],
        "page": page,
        "named": [(row, names.get(row.organization_id, "")) for row in page],
        "crumbs": [*org_selectors.breadcrumbs(user, org), org],
        "manage": can_manage(user, org),
        "meetings": credited_meetings(org, year),
        "credit_form": CreditForm(),
    }
    return render(request, "learning/ledger.html", context)


@require_GET
def ledger_export(request: HttpRequest, org_id: int) -> HttpResponse:
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    year = selectors.year_param(request.GET.get("year"), timezone.localdate())
    rows = figures.member_study_rows(org, year, visible=members_for(user))
    names = dict(org_selectors.subtree(user, org).values_list("id", "name"))
    content = ledger_workbook(f"{org.name} {year}年度学时台账", rows, names)
    audit_record(
        actor=actor_of(request),
        action=AuditAction.EXPORT,
        obj=org,
        object_type="study_ledger",
        org_path=org.path,
        changes={"year": [None, year], "rows": [None, len(rows)]},
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''study-hours-{org.code}-{year}.xlsx"
    )
    return response


@require_POST
def ledger_sync(request: HttpRequest, org_id: int) -> HttpResponse:
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    if not can_manage(user, org):
        raise Http404("没有找到该党组织")
    year = selectors.year_param(request.POST.get("year"), timezone.localdate())
    result = study_hours_sync(year=year, organization=org, actor=actor_of(request))
    messages.success(
        request,
        _("已按组织生活记录同步：新增%(c)s条，更新%(u)s条，删除%(d)s条。")
        % {"c": result.created, "u": result.updated, "d": result.deleted},
    )
    return redirect(f"{reverse('learning:ledger', args=[org.pk])}?year={year}")


@require_POST
def meeting_credit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = viewer(request)
    meeting = get_object_or_404(Meeting.objects.select_related("organization"), pk=meeting_id)
    org = access_organization_by_id(user, meeting.organization_id)
    if not can_manage(user, org):
        raise Http404("没有找到该会议")
    form = CreditForm(request.POST)
    if not form.is_valid():
        for message in form.errors.get("hours", []):
            messages.error(request, str(message))
    else:
        try:
            meeting_credit_set(
                actor=actor_of(request), meeting=meeting, hours=form.cleaned_data["hours"]
            )
        except LearningError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已更新会议认定学时。"))
    year = meeting.held_start.year if meeting.held_start else timezone.localdate().year
    return redirect(f"{reverse('learning:ledger', args=[org.pk])}?year={year}")


@require_GET
def member_ledger(request: HttpRequest, member_id: int) -> HttpResponse:
    user = viewer(request)
    member = access_member_by_id(user, member_id)
    year = selectors.year_param(request.GET.get("year"), timezone.localdate())
    rows = figures.member_study_rows(member.organization, year, member_ids=[member.pk])
    context = {
        "member": member,
        "year": year,
        "years": range(year - 2, year + 2),
        "mine": rows[0] if rows else None,
        "records": selectors.records_of(member, year)[:500],
        "exams": figures.exam_results(member, year),
    }
    return render(request, "learning/member_ledger.html", context)

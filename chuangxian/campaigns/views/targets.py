"""Targets pages: an organization's board, setting, decomposing, editing and removing a
target, reporting progress with evidence, the evidence files, and the Excel export."""

from django.contrib import messages
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.campaigns.access import (
    access_evidence_by_token,
    access_target_by_id,
    can_edit_target,
    can_report_on,
    can_work_for,
)
from chuangxian.campaigns.dimensions import OrgDimension
from chuangxian.campaigns.export import targets_export
from chuangxian.campaigns.forms import DecomposeForm, ProgressForm, SetTargetForm, TargetForm
from chuangxian.campaigns.models import Measure, ResponsibilityLetter
from chuangxian.campaigns.selectors import items_under, progress_of, target_board
from chuangxian.campaigns.services.errors import CampaignError
from chuangxian.campaigns.services.targets import (
    target_decompose,
    target_delete,
    target_report_progress,
    target_set,
    target_update,
)
from chuangxian.campaigns.views.common import access_campaign_org
from chuangxian.orgs import selectors as org_selectors
from chuangxian.orgs.access import members_for, organizations_for
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import MemberStatus
from chuangxian.orgs.views.http import actor_of, viewer
from chuangxian.uploads.safety import UploadRefused, check_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def targets_page(request: HttpRequest, campaign_id: int, org_id: int) -> HttpResponse:
    user = viewer(request)
    campaign, org = access_campaign_org(user, campaign_id, org_id)
    today = timezone.localdate()
    board = target_board(user, campaign, org, today)
    letter = ResponsibilityLetter.objects.filter(campaign=campaign, organization=org).first()
    can_act = can_work_for(user, org)
    context = {
        "campaign": campaign,
        "org": org,
        "crumbs": [c for c in org_selectors.breadcrumbs(user, org) if campaign.covers(c)],
        "board": board,
        "percent": None if board.progress is None else round(board.progress * 100),
        "letter": letter,
        "can_act": can_act,
        "can_set": can_act and bool(board.children) and campaign.allows("target", today),
        "can_decompose": can_act and campaign.allows("target", today),
        "can_report": campaign.allows("progress", today),
        "today": today,
    }
    return render(request, "campaigns/targets.html", context)


@require_http_methods(["GET", "POST"])
def target_set_view(request: HttpRequest, campaign_id: int, org_id: int) -> HttpResponse:
    user = viewer(request)
    campaign, org = access_campaign_org(user, campaign_id, org_id)
    if not can_work_for(user, org):
        raise Http404("没有找到该页面")
    children = organizations_for(user).filter(parent=org).order_by("kind", "code")
    form = SetTargetForm(request.POST or None, children=children)
    if request.method == "POST" and form.is_valid():
        try:
            target_set(
                actor=actor_of(request),
                campaign=campaign,
                superior=org,
                organization=form.cleaned_data["organization"],
                values=form.values(),
                today=timezone.localdate(),
            )
        except CampaignError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已下达目标。"))
            return redirect("campaigns:targets", campaign.pk, org.pk)
    context = {"form": form, "campaign": campaign, "org": org, "heading": _("下达目标")}
    return render(request, "campaigns/target_form.html", context)


@require_GET
def target_page(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_target_by_id(user, item_id)
    items = items_under(item.campaign, item.organization)
    progress = progress_of(items)
    children = [(i, round(progress[i.pk] * 100)) for i in items if i.parent_id == item.pk]
    reports = list(item.reports.select_related("reported_by").prefetch_related("evidence"))
    today = timezone.localdate()
    context = {
        "item": item,
        "campaign": item.campaign,
        "percent": round(progress.get(item.pk, 0) * 100),
        "parent": item.parent,
        "children": children,
        "reports": reports,
        "can_edit": can_edit_target(user, item),
        "can_decompose": item.member_id is None
        and can_work_for(user, item.organization)
        and item.campaign.allows("target", today),
        "can_report": not children
        and can_report_on(user, item)
        and item.campaign.allows("progress", today),
        "overdue": item.deadline < today and progress.get(item.pk, 0) < 1,
        "dimension_choices": OrgDimension.choices,
    }
    return render(request, "campaigns/target.html", context)


@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_target_by_id(user, item_id)
    if not can_edit_target(user, item):
        raise Http404("没有找到该目标")
    form = TargetForm(request.POST or None, initial=TargetForm.initial_from(item))
    if request.method == "POST" and form.is_valid():
        try:
            target_update(actor=actor_of(request), item=item, values=form.values())
        except CampaignError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(item)
    context = {"form": form, "campaign": item.campaign, "item": item, "heading": _("修改目标")}
    return render(request, "campaigns/target_form.html", context)


@require_POST
def target_remove(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_target_by_id(user, item_id)
    if not can_edit_target(user, item):
        raise Http404("没有找到该目标")
    try:
        target_delete(actor=actor_of(request), item=item)
    except CampaignError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(item)
    messages.success(request, _("已删除目标。"))
    return redirect("campaigns:targets", item.campaign_id, item.set_by_id)


@require_http_methods(["GET", "POST"])
def target_decompose_view(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_target_by_id(user, item_id)
    holder = item.organization
    if item.member_id is not None or not can_work_for(user, holder):
        raise Http404("没有找到该目标")
    children = list(organizations_for(user).filter(parent=holder).order_by("kind", "code"))
    members = list(
        members_for(user)
        .filter(organization__path__startswith=holder.path, status=MemberStatus.ACTIVE)
        .select_related("organization")
        .order_by("organization__path", "name")[:500]
    )
    initial = {
        "title": item.title,
        "measure": item.measure,
        "unit": item.unit,
        "deadline": item.deadline,
        "dimension": item.dimension,
        "veto": item.veto,
    }
    form = DecomposeForm(request.POST or None, children=children, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        kind, pk = form.holder_choice()
        org = next((o for o in children if kind == "org" and o.pk == pk), None)
        member = next((m for m in members if kind == "member" and m.pk == pk), None)
        try:
            if org is None and member is None:
                raise CampaignError({"holder": "请选择分解对象"})
            target_decompose(
                actor=actor_of(request),
                parent=item,
                values=form.values(),
                today=timezone.localdate(),
                organization=org,
                member=member,
            )
        except CampaignError as error:
            add_service_errors(form, error, aliases={"organization": "holder", "member": "holder"})
        else:
            messages.success(request, _("已分解目标。"))
            return redirect(item)
    context = {
        "form": form,
        "campaign": item.campaign,
        "item": item,
        "heading": _("分解目标：%(t)s") % {"t": item.title},
    }
    return render(request, "campaigns/target_form.html", context)


@require_http_methods(["GET", "POST"])
def target_progress_view(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_target_by_id(user, item_id)
    if not can_report_on(user, item):
        raise Http404("没有找到该目标")
    form = ProgressForm(request.POST or None, request.FILES or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            files = [check_upload(upload) for upload in form.cleaned_data["evidence"]]
        except UploadRefused as refused:
            form.add_error("evidence", str(refused))
        else:
            try:
                target_report_progress(
                    actor=actor_of(request),
                    item=item,
                    note=form.cleaned_data["note"],
                    today=timezone.localdate(),
                    value=form.cleaned_data.get("value"),
                    done=form.cleaned_data.get("done"),
                    files=files,
                )
            except CampaignError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已报告进展。"))
                return redirect(item)
    context = {
        "form": form,
        "item": item,
        "campaign": item.campaign,
        "is_number": item.measure == Measure.NUMBER,
    }
    return render(request, "campaigns/progress_form.html", context)


@require_GET
def evidence_file(request: HttpRequest, token: str) -> FileResponse:
    evidence = access_evidence_by_token(viewer(request), token)
    response = FileResponse(
        _open(evidence.storage_name),
        content_type=evidence.content_type,
        as_attachment=not evidence.content_type.startswith("image/"),
        filename=evidence.file_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _open(name: str) -> File:  # type: ignore[type-arg]
    try:
        return default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("文件已不存在")


@require_GET
def targets_export_view(request: HttpRequest, campaign_id: int, org_id: int) -> HttpResponse:
    user = viewer(request)
    campaign, org = access_campaign_org(user, campaign_id, org_id)
    content = targets_export(actor=actor_of(request), user=user, campaign=campaign, org=org)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"targets-{campaign.year}-{org.code}.xlsx"
    response["Content-Disposition"] = f"attachment; filename={filename}"
    return response

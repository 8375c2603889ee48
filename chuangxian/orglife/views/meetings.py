"""Meeting pages: the list, one meeting, planning and every transition of its state machine."""

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.orglife.access import (
    access_meeting_by_id,
    can_review_meetings_of,
    can_run_meetings_of,
    meetings_for,
)
from chuangxian.orglife.duties import yearly_duties
from chuangxian.orglife.errors import OrglifeError
from chuangxian.orglife.forms import (
    AttachmentForm,
    AttendeeAddForm,
    CancelForm,
    HoldForm,
    MeetingForm,
    MinutesForm,
    ReviewForm,
)
from chuangxian.orglife.models import (
    HELD_STATUSES,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingStatus,
    MeetingType,
)
from chuangxian.orglife.periods import Period, PeriodError
from chuangxian.orglife.roster import full_members_of, roster_of
from chuangxian.orglife.services import meetings as services
from chuangxian.orglife.services.checkin import checkin_token, checkin_window
from chuangxian.orgs import selectors
from chuangxian.orgs.access import access_organization_by_id, organizations_for, scope_for
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import MemberCategory, Organization
from chuangxian.orgs.views.http import PAGE_SIZE, actor_of, viewer
from chuangxian.qr import qr_svg


def _org_param(request: HttpRequest, name: str = "org") -> Organization | None:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    try:
        return access_organization_by_id(viewer(request), int(raw))
    except ValueError:
        raise Http404("没有找到该党组织")


def _plannable(user: Any) -> list[Organization]:
    """The organizations a 书记/党务干部 runs (their branch and its 党小组), for the plan
    buttons. Administrators plan from a filtered list instead (their subtree may be huge)."""
    scope = scope_for(user)
    if not scope.branch_paths:
        return []
    return list(
        organizations_for(user)
        .filter(
            Q(path__in=scope.branch_paths) | Q(kind="党小组", parent__path__in=scope.branch_paths)
        )
        .order_by("path")[:50]
    )


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    org = _org_param(request)
    meetings = meetings_for(user)
    if org is not None:
        meetings = meetings.filter(organization__path__startswith=org.path)
    meeting_type = request.GET.get("type", "")
    if meeting_type in MeetingType.values:
        meetings = meetings.filter(meeting_type=meeting_type)
    status = request.GET.get("status", "")
    if status in MeetingStatus.values:
        meetings = meetings.filter(status=status)
    period_text = request.GET.get("period", "").strip()
    period_error = ""
    duties_year = timezone.localdate().year
    if period_text:
        try:
            period = Period.parse(period_text)
        except PeriodError as error:
            period_error = str(error)
        else:
            duties_year = period.year
            start, end = period.aware_bounds()
            meetings = meetings.filter(planned_start__gte=start, planned_start__lt=end)
    text = request.GET.get("q", "").strip()[:50]
    if text:
        meetings = meetings.filter(topic__contains=text)
    meetings = (
        meetings.select_related("organization")
        .annotate(
            expected=Count("attendances"),
            present=Count("attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT)),
        )
        .order_by("-planned_start", "-id")
    )
    context = {
        "page": Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page")),
        "org": org,
        "crumbs": selectors.breadcrumbs(user, org) if org else [],
        "types": MeetingType.choices,
        "statuses": MeetingStatus.choices,
        "type": meeting_type,
        "status": status,
        "period": period_text,
        "period_error": period_error,
        "q": text,
        "plannable": [org]
        if org is not None and can_run_meetings_of(user, org)
        else _plannable(user),
        # A branch's page also shows its two yearly personal duties (duties.py).
        "duties": yearly_duties(user, org, duties_year)
        if org is not None and org.is_branch
        else None,
    }
    return render(request, "orglife/meetings.html", context)


def _qr_svg(request: HttpRequest, meeting: Meeting) -> tuple[str, str]:
    url = request.build_absolute_uri(reverse("orglife:checkin", args=[checkin_token(meeting)]))
    return url, qr_svg(url, scale=5, with_title=False)


def _detail_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    user = viewer(request)
    org = meeting.organization
    can_run = can_run_meetings_of(user, org)
    attendances = list(
        meeting.attendances.select_related("member", "member__organization").order_by(
            "member__name", "member_id"
        )
    )
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for row in attendances:
        counts[row.status] += 1
    context: dict[str, Any] = {
        "meeting": meeting,
        "org": org,
        "crumbs": [*selectors.breadcrumbs(user, org), org],
        "attendances": attendances,
        "counts": counts,
        "attachments": list(meeting.attachments.defer("content")),
        "can_run": can_run,
        "can_review": can_review_meetings_of(user, org)
        and meeting.status == MeetingStatus.SUBMITTED,
        "attendance_editable": can_run and meeting.status in services.ATTENDANCE_EDITABLE,
        "minutes_editable": can_run and meeting.status in services.MINUTES_EDITABLE,
        "now": timezone.now(),
        "window": checkin_window(meeting),
    }
    if meeting.is_general_meeting and meeting.status in HELD_STATUSES:
        context["full_total"] = full_members_of(org)
        context["full_present"] = sum(
            1
            for a in attendances
            if a.status == AttendanceStatus.PRESENT and a.member.category == MemberCategory.FULL
        )
    if can_run and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.HELD):
        context["checkin_url"], context["qr_svg"] = _qr_svg(request, meeting)
    return context


@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access_meeting_by_id(viewer(request), meeting_id)
    context = _detail_context(request, meeting)
    context["hold_form"] = HoldForm(
        initial={"held_start": timezone.localtime(meeting.planned_start)}
    )
    context["cancel_form"] = CancelForm()
    context["review_form"] = ReviewForm()
    return render(request, "orglife/meeting.html", context)


@require_GET
def meeting_qr(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The check-in code on its own, large, for a projector or a printed sheet."""
    user = viewer(request)
    meeting = access_meeting_by_id(user, meeting_id)
    if not can_run_meetings_of(user, meeting.organization):
        raise Http404("没有找到该会议")
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.HELD):
        messages.error(request, _("会议当前状态不能签到。"))
        return redirect(meeting)
    url, svg = _qr_svg(request, meeting)
    context = {
        "meeting": meeting,
        "checkin_url": url,
        "qr_svg": svg,
        "window": checkin_window(meeting),
    }
    return render(request, "orglife/meeting_qr.html", context)


def _runnable_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    user = viewer(request)
    meeting = access_meeting_by_id(user, meeting_id)
    if not can_run_meetings_of(user, meeting.organization):
        raise Http404("没有找到该会议")
    return meeting


@require_http_methods(["GET", "POST"])
def meeting_plan(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    org = _org_param(request)
    if org is None or not can_run_meetings_of(user, org):
        raise Http404("没有找到该党组织")
    form = MeetingForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_plan(
                actor=actor_of(request), organization=org, values=form.values()
            )
        except OrglifeError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("会议已安排，应到人员已按名册列出。"))
            return redirect(meeting)
    context = {"form": form, "org": org, "crumbs": [*selectors.breadcrumbs(user, org), org]}
    return render(request, "orglife/meeting_form.html", context)


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _runnable_meeting(request, meeting_id)
    org = meeting.organization
    form = MeetingForm(
        request.POST or None, organization=org, initial=MeetingForm.initial_from(meeting)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=actor_of(request), meeting=meeting, values=form.values())
        except OrglifeError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(meeting)
    context = {"form": form, "org": org, "meeting": meeting, "crumbs": [org]}
    return render(request, "orglife/meeting_form.html", context)


def _refusal(request: HttpRequest, error: OrglifeError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
def meeting_hold(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _runnable_meeting(request, meeting_id)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写正确的实际召开时间。"))
        return redirect(meeting)
    try:
        services.meeting_hold(
            actor=actor_of(request),
            meeting=meeting,
            held_start=form.cleaned_data["held_start"],
            now=timezone.now(),
        )
    except OrglifeError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("已标记为已召开。"))
    return redirect(meeting)


@require_POST
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _runnable_meeting(request, meeting_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.meeting_cancel(actor=actor_of(request), meeting=meeting, reason=reason)
    except OrglifeError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("会议已取消。"))
    return redirect(meeting)


@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _runnable_meeting(request, meeting_id)
    errors: list[str] = []
    rows = list(
        meeting.attendances.select_related("member", "member__organization").order_by(
            "member__name", "member_id"
        )
    )
    expected_ids = {row.member_id for row in rows}
    candidates = (
        roster_of(meeting.organization)
        .exclude(pk__in=expected_ids)
        .select_related("organization")
        .order_by("name", "id")
    )
    add_form = AttendeeAddForm(candidates=candidates)
    if request.method == "POST":
        entries: dict[int, services.AttendanceEntry] = {}
        for key in request.POST:
            value = request.POST.get(key, "")
            if not key.startswith("status-"):
                continue
            try:
                member_id = int(key.removeprefix("status-"))
            except ValueError:
                continue
            reason = request.POST.get(f"reason-{member_id}", "")
            entries[member_id] = services.AttendanceEntry(value, reason)
        try:
            changed = services.attendance_record(
                actor=actor_of(request), meeting=meeting, entries=entries
            )
        except OrglifeError as error:
            errors = list(error.messages)
            # Show the form as it was sent, with the messages, so nothing typed is lost.
            for row in rows:
                if row.member_id in entries:
                    row.status = entries[row.member_id].status
                    row.leave_reason = entries[row.member_id].leave_reason
        else:
            messages.success(request, _("出席情况已保存（%(n)s 人有变化）。") % {"n": changed})
            return redirect(meeting)
    elif meeting.attendance_recorded_at is None:
        # Not recorded yet: most of the expected come, so everyone starts as present and the
        # secretary taps only the exceptions. Nothing is stored until the form is saved.
        for row in rows:
            if row.status == AttendanceStatus.ABSENT:
                row.status = AttendanceStatus.PRESENT
    context = {
        "meeting": meeting,
        "rows": rows,
        "fresh": meeting.attendance_recorded_at is None,
        "scanned": sum(1 for row in rows if row.via_qr),
        "errors": errors,
        "choices": AttendanceStatus.choices,
        "add_form": add_form,
        "crumbs": [meeting.organization],
    }
    return render(request, "orglife/attendance.html", context, status=400 if errors else 200)


@require_POST
def meeting_attendee_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _runnable_meeting(request, meeting_id)
    form = AttendeeAddForm(request.POST, candidates=roster_of(meeting.organization))
    if not form.is_valid():
        messages.error(request, _("该人员不在本组织名册中。"))
        return redirect("orglife:attendance", meeting.pk)
    try:
        services.attendee_add(
            actor=actor_of(request), meeting=meeting, member=form.cleaned_data["member"]
        )
    except OrglifeError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("已加入应到名单。"))
    return redirect("orglife:attendance", meeting.pk)


@require_http_methods(["GET", "POST"])
def meeting_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _runnable_meeting(request, meeting_id)
    form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    upload_form = AttachmentForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_save(
                actor=actor_of(request), meeting=meeting, minutes=form.cleaned_data["minutes"]
            )
        except OrglifeError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("会议记录已保存。"))
            return redirect(meeting)
    context = {
        "meeting": meeting,
        "form": form,
        "upload_form": upload_form,
        "attachments": list(meeting.attachments.defer("content")),
        "crumbs": [meeting.organization],
    }
    return render(request, "orglife/minutes.html", context)


@require_POST
def meeting_attachment_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _runnable_meeting(request, meeting_id)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            services.attachment_add(
                actor=actor_of(request), meeting=meeting, upload=form.cleaned_data["file"]
            )
        except OrglifeError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("附件已上传。"))
    return redirect("orglife:minutes", meeting.pk)


def _attachment(request: HttpRequest, meeting_id: int, attachment_id: int) -> MeetingAttachment:
    meeting = access_meeting_by_id(viewer(request), meeting_id)
    try:
        return meeting.attachments.get(pk=attachment_id)
    except MeetingAttachment.DoesNotExist:
        raise Http404("没有找到该附件")


@require_GET
def meeting_attachment(request: HttpRequest, meeting_id: int, attachment_id: int) -> HttpResponse:
    attachment = _attachment(request, meeting_id, attachment_id)
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    disposition = "inline" if attachment.content_type.startswith("image/") else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(attachment.name)}"
    return response


@require_POST
def meeting_attachment_remove(
    request: HttpRequest, meeting_id: int, attachment_id: int
) -> HttpResponse:
    meeting = _runnable_meeting(request, meeting_id)
    attachment = _attachment(request, meeting.pk, attachment_id)
    try:
        services.attachment_remove(actor=actor_of(request), attachment=attachment)
    except OrglifeError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("附件已删除。"))
    return redirect("orglife:minutes", meeting.pk)


@require_POST
def meeting_submit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _runnable_meeting(request, meeting_id)
    try:
        services.meeting_submit(actor=actor_of(request), meeting=meeting, now=timezone.now())
    except OrglifeError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("已提交上级审批。"))
    return redirect(meeting)


def _reviewable_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    user = viewer(request)
    meeting = access_meeting_by_id(user, meeting_id)
    if not can_review_meetings_of(user, meeting.organization):
        raise Http404("没有找到该会议")
    return meeting


@require_POST
def meeting_approve(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _reviewable_meeting(request, meeting_id)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.meeting_approve(actor=actor_of(request), meeting=meeting, comment=comment)
    except OrglifeError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("已审批通过。"))
    return redirect(meeting)


@require_POST
def meeting_return(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _reviewable_meeting(request, meeting_id)
    form = ReviewForm(request.POST)
    reason = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.meeting_return(actor=actor_of(request), meeting=meeting, reason=reason)
    except OrglifeError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("已退回，并告知原因。"))
    return redirect(meeting)

"""情况通报 (down, with read receipts) and 情况反映 (up, tracked to a reply)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.openness.access import (
    access_notice_by_id,
    access_report_by_id,
    can_handle,
    handled_organizations,
    member_organization,
    notices_sent_by,
    receipts_for,
    reports_for,
)
from chuangxian.openness.forms import NoticeForm, ReplyForm, ReportForm
from chuangxian.openness.models import ReportStatus
from chuangxian.openness.services import notices as services
from chuangxian.openness.views.common import run_service
from chuangxian.orgs.access import access_organization_by_id, scope_for
from chuangxian.orgs.views.http import actor_of, viewer

LIST_LIMIT = 200
RECIPIENT_LIMIT = 300


@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    context = {
        "sent": notices_sent_by(user).select_related("organization")[:LIST_LIMIT],
        "received": receipts_for(user)
        .select_related("notice", "organization")
        .order_by("read_at", "-notice__sent_at")[:LIST_LIMIT],
        "may_send": scope_for(user).admin_paths,
    }
    return render(request, "openness/notices.html", context)


@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest) -> HttpResponse:
    """Only a 管理员 sends notices: the recipients are organizations below the sender."""
    user = viewer(request)
    senders = [
        org
        for org in handled_organizations(user)[:RECIPIENT_LIMIT]
        if scope_for(user).administers(org)
    ]
    if not senders:
        raise Http404("没有可以发通报的党组织")
    tops = scope_for(user).admin_paths
    below = [
        org
        for org in handled_organizations(user)[: RECIPIENT_LIMIT + len(tops)]
        if any(org.path.startswith(top) and org.path != top for top in tops)
    ]
    form = NoticeForm(
        request.POST or None,
        organizations=[(str(o.pk), o.name) for o in senders],
        recipients=[(str(o.pk), o.name) for o in below],
    )
    if request.method == "POST" and form.is_valid():
        sender = access_organization_by_id(user, int(form.cleaned_data["organization"]))
        if not scope_for(user).administers(sender):
            raise Http404("没有找到该党组织")
        recipients = [
            access_organization_by_id(user, int(pk)) for pk in form.cleaned_data["recipients"]
        ]
        sent = run_service(
            request,
            lambda: services.notice_send(
                actor=actor_of(request),
                organization=sender,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                recipients=recipients,
            ),
            _("已发出通报。"),
        )
        if sent:
            return redirect(sent.get_absolute_url())
    return render(request, "openness/notice_form.html", {"form": form})


@require_GET
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = viewer(request)
    notice = access_notice_by_id(user, notice_id)
    sender_view = can_handle(user, notice.organization)
    receipts = list(notice.receipts.select_related("organization").order_by("organization__path"))
    mine = [r for r in receipts if can_handle(user, r.organization)] if not sender_view else []
    context = {
        "notice": notice,
        "sender_view": sender_view,
        "receipts": receipts,
        "unread": [r for r in receipts if r.read_at is None],
        "mine": mine,
    }
    return render(request, "openness/notice.html", context)


@require_POST
def notice_read(request: HttpRequest, receipt_id: int) -> HttpResponse:
    receipt = receipts_for(viewer(request)).filter(pk=receipt_id).first()
    if receipt is None:
        raise Http404("没有找到该通报")
    run_service(
        request,
        lambda: services.notice_mark_read(actor=actor_of(request), receipt=receipt),
        _("已确认阅读。"),
    )
    return redirect("openness:notice", notice_id=receipt.notice_id)


def _senders(request: HttpRequest) -> list[tuple[str, str]]:
    user = viewer(request)
    senders = []
    own = member_organization(user)
    if own is not None:
        senders.append(("member", _("本人（向%(org)s反映）") % {"org": own.name}))
    for org in handled_organizations(user)[:RECIPIENT_LIMIT]:
        if scope_for(user).works_in(org) and org.parent_id is not None:
            senders.append((str(org.pk), org.name))
    return senders


@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    senders = _senders(request)
    form = ReportForm(request.POST or None, senders=senders)
    if request.method == "POST" and form.is_valid():
        sender = form.cleaned_data["sender"]
        member = getattr(user, "member", None) if sender == "member" else None
        organization = None
        if sender != "member":
            organization = access_organization_by_id(user, int(sender))
            if not can_handle(user, organization):
                raise Http404("没有找到该党组织")
        sent = run_service(
            request,
            lambda: services.report_send(
                actor=actor_of(request),
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                today=timezone.localdate(),
                organization=organization,
                member=member,
            ),
            _("已报送情况反映。"),
        )
        if sent:
            return redirect(sent.get_absolute_url())
    rows = reports_for(user).select_related("from_organization", "to_organization", "from_member")
    return render(
        request,
        "openness/reports.html",
        {"form": form, "rows": rows[:LIST_LIMIT], "may_send": bool(senders)},
    )


@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    user = viewer(request)
    report = access_report_by_id(user, report_id)
    context = {
        "report": report,
        "may_reply": report.status == ReportStatus.OPEN
        and can_handle(user, report.to_organization),
        "reply_form": ReplyForm(),
    }
    return render(request, "openness/report.html", context)


@require_POST
def report_reply(request: HttpRequest, report_id: int) -> HttpResponse:
    user = viewer(request)
    report = access_report_by_id(user, report_id)
    if not can_handle(user, report.to_organization):
        raise Http404("没有找到该情况反映")
    run_service(
        request,
        lambda: services.report_reply(
            actor=actor_of(request),
            report=report,
            reply=request.POST.get("reply", ""),
            today=timezone.localdate(),
        ),
        _("已回复。"),
    )
    return redirect(report.get_absolute_url())

"""Public pages (no account, phone first): the 公示 of shortlisted nominees with an objection
form, and each organization's honor roll (光荣榜). Only shortlisted nominees of batches in
公示, and awards already granted, are read; nothing else of a nomination leaves the staff
pages (the snapshot and the objections stay inside)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from chuangxian.commitments.views.public import device_id, remember_device
from chuangxian.honors import selectors
from chuangxian.honors.forms import ObjectionForm
from chuangxian.honors.models import AwardBatch, BatchStatus
from chuangxian.honors.services import awards as services
from chuangxian.honors.views.common import run_service
from chuangxian.orgs.authentication import client_ip
from chuangxian.orgs.models import Organization
from chuangxian.workdays import calendar_warning

PUBLIC_ORG_FIELDS = ("id", "code", "name", "kind", "path", "parent_id")


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "honors/public/index.html", {"batches": selectors.notice_batches()[:50]})


def _notice_batch(batch_id: int) -> AwardBatch:
    found = selectors.notice_batches().filter(pk=batch_id).first()
    if found is None:
        raise Http404("该公示不存在或已结束")
    return found


@never_cache
@require_http_methods(["GET", "POST"])
def notice(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The 公示: nominees with their 事迹, the working-day end date, and an objection form."""
    batch = _notice_batch(batch_id)
    nominees = list(selectors.public_nominees(batch))
    forms = {n.pk: ObjectionForm(auto_id=f"n{n.pk}_%s") for n in nominees}
    target = None
    if request.method == "POST":
        target = next((n for n in nominees if str(n.pk) == request.POST.get("nomination")), None)
        if target is None:
            raise Http404
        form = forms[target.pk] = ObjectionForm(request.POST, auto_id=f"n{target.pk}_%s")
        if form.is_valid() and run_service(
            request,
            lambda: services.objection_submit(
                nomination=target,
                text=form.cleaned_data["text"],
                contact=form.cleaned_data["contact"],
                address=client_ip(request),
                device_id=device_id(request),
                today=timezone.localdate(),
            ),
            _("您的意见已收到，组织单位将认真核实处理。"),
            form,
        ):
            return redirect("public_honors:notice", batch.pk)
    context = {
        "batch": batch,
        "nominees": [(n, forms[n.pk]) for n in nominees],
        "target": target,
        "open": batch.status == BatchStatus.NOTICE
        and batch.notice_starts is not None
        and batch.notice_ends is not None
        and batch.notice_starts <= timezone.localdate() <= batch.notice_ends,
        "warning": calendar_warning(batch.notice_starts, batch.notice_ends)
        if batch.notice_starts and batch.notice_ends
        else "",
    }
    return remember_device(request, render(request, "honors/public/notice.html", context))


@require_GET
def honor_roll(request: HttpRequest, code: str) -> HttpResponse:
    org = Organization.objects.only(*PUBLIC_ORG_FIELDS).filter(code=code).first()
    if org is None:
        raise Http404("没有找到该党组织")
    context = {"org": org, "years": selectors.honor_roll(org)}
    return render(request, "honors/public/roll.html", context)

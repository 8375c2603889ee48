"""One commitment item: its page with the timeline, and the 定诺 edits, 践诺 progress,
领导点评, outcome, rating and closing actions."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.commitments import selectors, services
from chuangxian.commitments.access import (
    access_item_by_id,
    can_comment,
    can_draft,
    can_review,
    rater_group_for,
    superior_organization_id,
)
from chuangxian.commitments.forms import (
    CommentForm,
    ItemForm,
    OutcomeForm,
    ProgressForm,
    RatingForm,
    ReasonForm,
)
from chuangxian.commitments.models import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    RATEABLE_STATUSES,
    CommitmentItem,
    ItemStatus,
)
from chuangxian.commitments.views.common import crumbs_for, run_service
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import Organization
from chuangxian.orgs.views.http import actor_of, viewer
from chuangxian.uploads.safety import UploadRefused, check_upload


def _superior_org(user: object, item: CommitmentItem) -> Organization | None:
    org_id = superior_organization_id(user, item.sheet)
    return None if org_id is None else Organization.objects.filter(pk=org_id).first()


def _context(request: HttpRequest, item: CommitmentItem, **forms: object) -> dict[str, object]:
    user = viewer(request)
    today = timezone.localdate()
    campaign = item.sheet.campaign
    group = rater_group_for(user, item.sheet)
    rated = selectors.ratings_by_user(user, [item]).get(item.pk)
    drafter = can_draft(user, item.sheet)
    return {
        "item": item,
        "sheet": item.sheet,
        "timeline": selectors.item_timeline(item, public=False),
        "can_draft": drafter,
        "can_review": can_review(user, item.sheet),
        "can_comment": can_comment(user, item.sheet) and item.is_public,
        "editable": drafter and item.status in EDITABLE_STATUSES,
        "can_progress": drafter
        and item.status in OPEN_STATUSES
        and campaign.allows("progress", today),
        "rater_group": group,
        "can_rate": group is not None
        and rated is None
        and item.status in RATEABLE_STATUSES
        and campaign.allows("rate", today),
        "my_rating": rated,
        "progress_form": forms.get("progress_form") or ProgressForm(measurable=item.is_measurable),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(),
        "rating_form": RatingForm(),
        "reason_form": ReasonForm(),
        "crumbs": crumbs_for(user, item.sheet.organization),
    }


@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access_item_by_id(viewer(request), item_id)
    return render(request, "commitments/item.html", _context(request, item))


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_item_by_id(user, item_id)
    if not can_draft(user, item.sheet):
        raise Http404("没有找到该承诺事项")
    form = ItemForm(request.POST or None, sheet=item.sheet, initial=ItemForm.initial_from(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(
                actor=actor_of(request),
                item=item,
                values=form.values(),
                today=timezone.localdate(),
            )
        except services.CommitmentError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(item.sheet)
    context = {
        "form": form,
        "item": item,
        "sheet": item.sheet,
        "crumbs": crumbs_for(user, item.sheet.organization),
    }
    return render(request, "commitments/item_form.html", context)


@require_POST
def item_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_item_by_id(user, item_id)
    if not can_draft(user, item.sheet):
        raise Http404("没有找到该承诺事项")
    run_service(
        request,
        lambda: services.item_delete(actor=actor_of(request), item=item),
        _("已删除该草稿。"),
    )
    return redirect(item.sheet)


@require_POST
def progress_add(request: HttpRequest, item_id: int) -> HttpResponse:
    """践诺: text, optional figure and evidence; each file checked by the upload guard."""
    user = viewer(request)
    item = access_item_by_id(user, item_id)
    if not can_draft(user, item.sheet):
        raise Http404("没有找到该承诺事项")
    form = ProgressForm(request.POST, request.FILES, measurable=item.is_measurable)
    if form.is_valid():
        try:
            files = [check_upload(upload) for upload in form.cleaned_data["attachments"]]
        except UploadRefused as refusal:
            form.add_error("attachments", str(refusal))
        else:
            try:
                services.progress_report(
                    actor=actor_of(request),
                    item=item,
                    text=form.cleaned_data["text"],
                    achieved_value=form.cleaned_data.get("achieved_value"),
                    files=files,
                    today=timezone.localdate(),
                )
            except services.CommitmentError as error:
                add_service_errors(form, error, aliases={"files": "attachments"})
            else:
                messages.success(request, _("已报告践诺进展。"))
                return redirect(item)
    return render(
        request, "commitments/item.html", _context(request, item, progress_form=form), status=400
    )


@require_POST
def comment_add(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_item_by_id(user, item_id)
    organization = _superior_org(user, item)
    if not can_comment(user, item.sheet) or organization is None:
        raise Http404("没有找到该承诺事项")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                actor=actor_of(request),
                item=item,
                organization=organization,
                text=form.cleaned_data["text"],
            )
        except services.CommitmentError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已发表点评。"))
            return redirect(item)
    return render(
        request, "commitments/item.html", _context(request, item, comment_form=form), status=400
    )


@require_POST
def item_outcome(request: HttpRequest, item_id: int) -> HttpResponse:
    """兑现: fulfilled, or unmet with the public explanation."""
    user = viewer(request)
    item = access_item_by_id(user, item_id)
    if not can_draft(user, item.sheet):
        raise Http404("没有找到该承诺事项")
    form = OutcomeForm(request.POST)
    if form.is_valid():
        actor, today, note = actor_of(request), timezone.localdate(), form.cleaned_data["note"]
        try:
            if form.cleaned_data["outcome"] == ItemStatus.FULFILLED:
                services.item_fulfil(actor=actor, item=item, note=note, today=today)
            else:
                services.item_mark_unmet(actor=actor, item=item, explanation=note, today=today)
        except services.CommitmentError as error:
            add_service_errors(form, error, aliases={"explanation": "note"})
        else:
            messages.success(request, _("已记录兑现结果。"))
            return redirect(item)
    return render(
        request, "commitments/item.html", _context(request, item, outcome_form=form), status=400
    )


@require_POST
def item_rate(request: HttpRequest, item_id: int) -> HttpResponse:
    """党员评 / 组织评 by a logged-in member of the branch or the superior."""
    user = viewer(request)
    item = access_item_by_id(user, item_id)
    group = rater_group_for(user, item.sheet)
    if group is None:
        raise Http404("没有找到该承诺事项")
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择满意、基本满意或不满意。"))
        return redirect(item)
    run_service(
        request,
        lambda: services.rating_record(
            actor=actor_of(request),
            item=item,
            group=group,
            score=form.cleaned_data["score"],
            rater=user,
            today=timezone.localdate(),
        ),
        _("已评价，谢谢。"),
    )
    return redirect(item)


@require_POST
def item_close(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = access_item_by_id(user, item_id)
    if not can_review(user, item.sheet):
        raise Http404("没有找到该承诺事项")
    run_service(
        request,
        lambda: services.item_close_rating(
            actor=actor_of(request), item=item, today=timezone.localdate()
        ),
        _("评诺已结束。"),
    )
    return redirect(item)

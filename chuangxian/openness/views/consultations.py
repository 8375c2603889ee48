"""征求意见 pages: open a consultation, comment (members on their phones, the public by the
organization's page), decide with the trail of adopted and declined comments."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.openness.access import (
    access_consultation_by_id,
    can_handle,
    consultations_open_to,
)
from chuangxian.openness.device import device_id, remember_device
from chuangxian.openness.forms import CommentForm, ConsultationForm
from chuangxian.openness.models import Audience, Consultation, ConsultationStatus
from chuangxian.openness.services import consultations as services
from chuangxian.openness.views.common import run_service
from chuangxian.openness.views.staff import organizations_to_choose
from chuangxian.orgs.views.http import actor_of, viewer
from chuangxian.portal.selectors import public_organization

LIST_LIMIT = 200


@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    rows = (
        consultations_open_to(viewer(request))
        .select_related("organization")
        .order_by("-created_at")[:LIST_LIMIT]
    )
    return render(
        request,
        "openness/consultations.html",
        {"rows": rows, "may_open": organizations_to_choose(request).exists()},
    )


@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    organizations = organizations_to_choose(request)
    if not organizations.exists():
        raise Http404("没有可以征求意见的党组织")
    form = ConsultationForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        org = form.cleaned_data["organization"]
        created = run_service(
            request,
            lambda: services.consultation_open(
                actor=actor_of(request),
                organization=org,
                title=form.cleaned_data["title"],
                draft=form.cleaned_data["draft"],
                audience=form.cleaned_data["audience"],
                deadline=form.cleaned_data["deadline"],
                today=timezone.localdate(),
            ),
            _("已发布征求意见。"),
        )
        if created:
            return redirect(created.get_absolute_url())
    return render(request, "openness/consultation_form.html", {"form": form})


def _context(consultation: Consultation, **extra: object) -> dict[str, object]:
    today = timezone.localdate()
    return {
        "consultation": consultation,
        "comments": list(consultation.comments.all()),
        "accepting": consultation.status == ConsultationStatus.OPEN
        and today <= consultation.deadline,
        "comment_form": CommentForm(),
        **extra,
    }


@require_GET
def consultation_detail(request: HttpRequest, consultation_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_consultation_by_id(user, consultation_id)
    context = _context(
        found,
        handles=can_handle(user, found.organization),
        member=services.may_comment_as_member(user, found),
    )
    return render(request, "openness/consultation.html", context)


@require_POST
def consultation_comment(request: HttpRequest, consultation_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_consultation_by_id(user, consultation_id)
    form = CommentForm(request.POST)
    run_service(
        request,
        lambda: services.consultation_comment(
            consultation=found,
            text=form.cleaned_data["text"] if form.is_valid() else "",
            user=user,
            today=timezone.localdate(),
        ),
        _("已提交意见。"),
    )
    return redirect(found.get_absolute_url())


@require_POST
def consultation_decide(request: HttpRequest, consultation_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_consultation_by_id(user, consultation_id)
    if not can_handle(user, found.organization):
        raise Http404("没有找到该征求意见事项")
    responses: dict[int, tuple[bool, str]] = {}
    for comment in found.comments.all():
        choice = request.POST.get(f"adopt-{comment.pk}")
        if choice in ("yes", "no"):
            responses[comment.pk] = (
                choice == "yes",
                request.POST.get(f"reason-{comment.pk}", "")[:500],
            )
    run_service(
        request,
        lambda: services.consultation_decide(
            actor=actor_of(request),
            consultation=found,
            decision=request.POST.get("decision", "")[:5000],
            responses=responses,
        ),
        _("已形成决定，意见采纳情况已向提意见的人公开。"),
    )
    return redirect(found.get_absolute_url())


# ---- public -----------------------------------------------------------------------------------


def _public(code: str, consultation_id: int) -> Consultation:
    org = public_organization(code)
    found = (
        Consultation.objects.filter(organization=org, pk=consultation_id, audience=Audience.PUBLIC)
        .select_related("organization")
        .first()
        if org is not None
        else None
    )
    if found is None:
        raise Http404("没有找到该征求意见事项")
    return found


@require_GET
def public_detail(request: HttpRequest, code: str, consultation_id: int) -> HttpResponse:
    found = _public(code, consultation_id)
    context = _context(found, public=True)
    return remember_device(request, render(request, "openness/public/consultation.html", context))


@require_POST
def public_comment(request: HttpRequest, code: str, consultation_id: int) -> HttpResponse:
    found = _public(code, consultation_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写意见。"))
    else:
        run_service(
            request,
            lambda: services.consultation_comment(
                consultation=found,
                text=form.cleaned_data["text"],
                device_id=device_id(request),
                today=timezone.localdate(),
            ),
            _("已提交意见。"),
        )
    return redirect("public_openness:consultation", code=code, consultation_id=found.pk)

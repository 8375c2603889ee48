"""Staff pages of openness: answering and moderating opinions, the disclosure workflow and
catalogue, on-request disclosure. Each view: access → form → service → redirect."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.openness import selectors
from chuangxian.openness.access import (
    access_disclosure_by_id,
    access_opinion_by_id,
    access_request_by_id,
    can_approve,
    can_handle,
    disclosures_visible_to,
    handled_organizations,
    member_organization,
    requests_for,
)
from chuangxian.openness.forms import (
    AnswerForm,
    CatalogueItemForm,
    DisclosureForm,
    ReasonForm,
    ReplyForm,
    RequestForm,
    ReviewForm,
)
from chuangxian.openness.models import CatalogueItem, DisclosureStatus, OpinionStatus
from chuangxian.openness.sensitive import find_sensitive, marked
from chuangxian.openness.services import disclosures as disclosure_services
from chuangxian.openness.services import opinions as opinion_services
from chuangxian.openness.services import requests as request_services
from chuangxian.openness.services.disclosures import sensitive_findings
from chuangxian.openness.views.common import run_service
from chuangxian.orgs.access import access_organization_by_id
from chuangxian.orgs.models import Organization
from chuangxian.orgs.views.http import actor_of, viewer
from chuangxian.workdays import calendar_warning

LIST_LIMIT = 200


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    status = request.GET.get("status", "waiting")
    context = {
        "status": status,
        "statuses": OpinionStatus.choices,
        "opinions": selectors.handled_opinions(user, status)[:LIST_LIMIT],
        "moderation_count": selectors.moderation_queue(user).count(),
        "today": timezone.localdate(),
        "statistics": selectors.response_statistics(user, timezone.localdate()),
    }
    return render(request, "openness/home.html", context)


@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    queue = list(selectors.moderation_queue(viewer(request))[:LIST_LIMIT])
    # Personal data the visitor typed is marked, so the moderator sees why it cannot go public.
    rows = [(opinion, marked(opinion.text, find_sensitive(opinion.text))) for opinion in queue]
    return render(request, "openness/moderation.html", {"rows": rows})


@require_GET
def opinion(request: HttpRequest, opinion_id: int) -> HttpResponse:
    found = access_opinion_by_id(viewer(request), opinion_id)
    context = {
        "opinion": found,
        "reply_form": ReplyForm(),
        "reason_form": ReasonForm(),
        "answerable": found.status in (OpinionStatus.OPEN, OpinionStatus.REOPENED),
        "warning": calendar_warning(found.submitted_on, found.due_on),
    }
    return render(request, "openness/opinion.html", context)


@require_POST
def opinion_answer(request: HttpRequest, opinion_id: int) -> HttpResponse:
    found = access_opinion_by_id(viewer(request), opinion_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: opinion_services.opinion_answer(
                actor=actor_of(request),
                opinion=found,
                reply=form.cleaned_data["reply"],
                today=timezone.localdate(),
            ),
            _("已答复。"),
        )
    else:
        messages.error(request, _("请填写答复内容。"))
    return redirect(found.get_absolute_url())


@require_POST
def opinion_moderate(request: HttpRequest, opinion_id: int) -> HttpResponse:
    found = access_opinion_by_id(viewer(request), opinion_id)
    publish = request.POST.get("decision") == "publish"
    run_service(
        request,
        lambda: opinion_services.opinion_moderate(
            actor=actor_of(request), opinion=found, publish=publish
        ),
        _("已在回音壁公开。") if publish else _("已设为不公开。"),
    )
    if request.POST.get("back") == "queue":
        return redirect("openness:moderation")
    return redirect(found.get_absolute_url())


@require_POST
def opinion_reject(request: HttpRequest, opinion_id: int) -> HttpResponse:
    found = access_opinion_by_id(viewer(request), opinion_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: opinion_services.opinion_reject(
                actor=actor_of(request), opinion=found, reason=form.cleaned_data["reason"]
            ),
            _("已不予受理。"),
        )
    else:
        messages.error(request, _("请说明不予受理的理由。"))
    return redirect(found.get_absolute_url())


# ---- disclosures ----------------------------------------------------------------------------


def organizations_to_choose(request: HttpRequest) -> QuerySet[Organization]:
    """The organizations the user works in (the access layer's scope), in tree order."""
    return handled_organizations(viewer(request))


@require_GET
def disclosures(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    context = {
        "disclosures": selectors.handled_disclosures(user)[:LIST_LIMIT],
        "readable": disclosures_visible_to(user)
        .select_related("organization")
        .order_by("-published_on", "-id")[:LIST_LIMIT],
        "organizations": handled_organizations(user)[:50],
    }
    return render(request, "openness/disclosures.html", context)


@require_http_methods(["GET", "POST"])
def disclosure_new(request: HttpRequest) -> HttpResponse:
    organizations = organizations_to_choose(request)
    if not organizations.exists():
        raise Http404("没有可以公开党务的党组织")
    form = DisclosureForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        org = form.cleaned_data["organization"]
        created = run_service(
            request,
            lambda: disclosure_services.disclosure_propose(
                actor=actor_of(request),
                organization=org,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                scope=form.cleaned_data["scope"],
                ends_on=form.cleaned_data["ends_on"],
                table_sources=form.cleaned_data["tables"],
                today=timezone.localdate(),
            ),
            _("已提出公开事项（草稿）。"),
        )
        if created:
            return redirect(created.get_absolute_url())
    return render(request, "openness/disclosure_form.html", {"form": form, "editing": None})


@require_http_methods(["GET", "POST"])
def disclosure_edit(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    found = access_disclosure_by_id(viewer(request), disclosure_id)
    organizations = Organization.objects.filter(pk=found.organization_id)
    initial = {
        "organization": str(found.organization_id),
        "kind": found.kind,
        "title": found.title,
        "body": found.body,
        "scope": found.scope,
        "ends_on": found.ends_on,
    }
    form = DisclosureForm(request.POST or None, organizations=organizations, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            lambda: disclosure_services.disclosure_update(
                actor=actor_of(request),
                disclosure=found,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                scope=form.cleaned_data["scope"],
                ends_on=form.cleaned_data["ends_on"],
                today=timezone.localdate(),
            ),
            _("已保存。"),
        )
        if done:
            return redirect(found.get_absolute_url())
    del form.fields["tables"]
    return render(request, "openness/disclosure_form.html", {"form": form, "editing": found})


@require_GET
def disclosure(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_disclosure_by_id(user, disclosure_id)
    findings = sensitive_findings(found)
    context = {
        "disclosure": found,
        "findings": findings,
        "marked_title": marked(found.title, findings.get("title", [])),
        "marked_body": marked(found.body, findings.get("body", [])),
        "review_form": ReviewForm(),
        "reason_form": ReasonForm(),
        "may_approve": can_approve(user, found.organization),
        "S": DisclosureStatus,
        "own": found.proposed_by_id == user.pk,
    }
    return render(request, "openness/disclosure.html", context)


@require_POST
def disclosure_step(request: HttpRequest, disclosure_id: int, step: str) -> HttpResponse:
    user = viewer(request)
    found = access_disclosure_by_id(user, disclosure_id)
    actor = actor_of(request)
    reason = request.POST.get("reason", "")
    calls = {
        "submit": (
            lambda: disclosure_services.disclosure_submit(actor=actor, disclosure=found),
            _("已提交审核。"),
        ),
        "review": (
            lambda: disclosure_services.disclosure_review(
                actor=actor, disclosure=found, confirmed=request.POST.get("confirmed") == "on"
            ),
            _("审核通过，待审批。"),
        ),
        "return": (
            lambda: disclosure_services.disclosure_return(
                actor=actor, disclosure=found, reason=reason
            ),
            _("已退回。"),
        ),
        "publish": (
            lambda: disclosure_services.disclosure_publish(
                actor=actor, disclosure=found, today=timezone.localdate()
            ),
            _("已公开。"),
        ),
        "withdraw": (
            lambda: disclosure_services.disclosure_withdraw(
                actor=actor, disclosure=found, reason=reason
            ),
            _("已撤回。"),
        ),
    }
    if step == "approve":
        if not can_approve(user, found.organization):
            raise Http404("没有找到该公开事项")
        calls["approve"] = (
            lambda: disclosure_services.disclosure_approve(actor=actor, disclosure=found),
            _("已审批，可以公开。"),
        )
    if step not in calls:
        raise Http404("没有该操作")
    call, success = calls[step]
    run_service(request, call, success)
    return redirect(found.get_absolute_url())


@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest, org_id: int) -> HttpResponse:
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    if not can_handle(user, org):
        raise Http404("没有找到该党组织")
    if request.method == "POST":
        if request.POST.get("item"):
            item = CatalogueItem.objects.filter(organization=org, pk=request.POST["item"]).first()
            if item is None:
                raise Http404("没有找到该目录项")
            form = CatalogueItemForm(request.POST)
            if form.is_valid():
                run_service(
                    request,
                    lambda: disclosure_services.catalogue_item_update(
                        actor=actor_of(request),
                        item=item,
                        interval_months=form.cleaned_data["interval_months"],
                        next_due_on=form.cleaned_data["next_due_on"],
                    ),
                    _("已保存。"),
                )
            else:
                messages.error(request, _("公开周期应在0到36个月之间。"))
        else:
            run_service(
                request,
                lambda: disclosure_services.catalogue_open(
                    actor=actor_of(request), organization=org, today=timezone.localdate()
                ),
                _("已建立党务公开目录。"),
            )
        return redirect("openness:catalogue", org_id=org.pk)
    items = CatalogueItem.objects.filter(organization=org).order_by("kind")
    context = {"org": org, "items": items, "today": timezone.localdate()}
    return render(request, "openness/catalogue.html", context)


# ---- on-request disclosure ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    own_org = member_organization(user)
    form = RequestForm(request.POST or None)
    if request.method == "POST":
        if own_org is None:
            raise Http404("只有党员可以申请公开")
        if form.is_valid():
            created = run_service(
                request,
                lambda: request_services.request_create(
                    actor=actor_of(request),
                    organization=own_org,
                    subject=form.cleaned_data["subject"],
                    today=timezone.localdate(),
                ),
                _("已提交申请，党组织将在3个工作日内答复。"),
            )
            if created:
                return redirect(created.get_absolute_url())
    rows = requests_for(user).select_related("organization", "requester")[:LIST_LIMIT]
    return render(
        request, "openness/requests.html", {"form": form, "rows": rows, "own_org": own_org}
    )


@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_request_by_id(user, request_id)
    context = {
        "item": found,
        "handles": can_handle(user, found.organization),
        "answer_form": AnswerForm(),
        "reason_form": ReasonForm(),
        "warning": calendar_warning(found.asked_on, found.due_on),
    }
    return render(request, "openness/request.html", context)


@require_POST
def request_act(request: HttpRequest, request_id: int, step: str) -> HttpResponse:
    user = viewer(request)
    found = access_request_by_id(user, request_id)
    if not can_handle(user, found.organization):
        raise Http404("没有找到该申请")
    if step == "answer":
        form = AnswerForm(request.POST)
        answer = form.cleaned_data["answer"] if form.is_valid() else ""
        run_service(
            request,
            lambda: request_services.request_answer(
                actor=actor_of(request), request=found, answer=answer, today=timezone.localdate()
            ),
            _("已答复。"),
        )
    elif step == "extend":
        run_service(
            request,
            lambda: request_services.request_extend(
                actor=actor_of(request), request=found, reason=request.POST.get("reason", "")
            ),
            _("已延期。"),
        )
    else:
        raise Http404("没有该操作")
    return redirect(found.get_absolute_url())

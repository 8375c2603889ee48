"""The lagging end: the superior's overview, manual marks, support plans and their steps."""

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.orgs.access import access_organization_by_id, organizations_for, scope_for
from chuangxian.orgs.models import Organization, OrgKind, User
from chuangxian.orgs.selectors import subtree
from chuangxian.orgs.views.http import actor_of
from chuangxian.support import selectors
from chuangxian.support.access import (
    access_plan_by_id,
    is_superior_of,
    plans_for,
    works_in,
)
from chuangxian.support.figures import figure_rows
from chuangxian.support.forms import (
    AcceptForm,
    MarkForm,
    MeasureDoneForm,
    MeasureForm,
    PlanForm,
    ReasonForm,
    ReturnForm,
    VisitForm,
)
from chuangxian.support.lagging import conditions
from chuangxian.support.models import LaggingMark, PlanStatus, SupportPlan, VisitPhoto
from chuangxian.support.services import plans as services
from chuangxian.support.views.common import page_root, run_service, staff_viewer
from chuangxian.uploads.safety import UploadRefused, check_upload

HELPER_CHOICES_MAX = 300


def _markable(user: User, root: Organization) -> QuerySet[Organization]:
    """Organizations of the subtree the user is a superior of (may mark lagging)."""
    return (
        subtree(user, root)
        .filter(scope_for(user).admin_q("path"))
        .exclude(pk__in=[int(p.strip("/").split("/")[-1]) for p in scope_for(user).admin_paths])
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The superior's overview: lagging organizations with their reasons and plans."""
    user = staff_viewer(request)
    root = page_root(request, user)
    today = timezone.localdate()
    rows = selectors.lagging_overview(user, root, today)
    markable = _markable(user, root)
    context = {
        "root": root,
        "rows": [(row, is_superior_of(user, row.lagging.organization)) for row in rows],
        "plans": selectors.open_plans(user, root),
        "conditions": conditions(),
        "marks": LaggingMark.objects.filter(
            organization__in=markable, cleared_at__isnull=True
        ).select_related("organization"),
        "mark_form": MarkForm(organizations=markable) if markable.exists() else None,
        "clear_form": ReasonForm(),
    }
    return render(request, "support/home.html", context)


@require_POST
def mark_new(request: HttpRequest) -> HttpResponse:
    """Mark an organization lagging by hand (its superior only)."""
    user = staff_viewer(request)
    root = page_root(request, user)
    form = MarkForm(request.POST, organizations=_markable(user, root))
    if form.is_valid():
        org = form.cleaned_data["organization"]
        call = lambda: services.lagging_mark(  # noqa: E731
            actor=actor_of(request), organization=org, reason=form.cleaned_data["reason"]
        )
        run_service(request, call, _("已认定为后进党组织。"))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(f"{reverse('support:home')}?org={root.code}")


@require_POST
def mark_clear(request: HttpRequest, mark_id: int) -> HttpResponse:
    user = staff_viewer(request)
    mark = get_object_or_404(
        LaggingMark.objects.select_related("organization"),
        pk=mark_id,
        organization__in=organizations_for(user),
    )
    if not is_superior_of(user, mark.organization):
        raise Http404("没有找到该认定")
    form = ReasonForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.lagging_clear(
                actor=actor_of(request), mark=mark, reason=form.cleaned_data["reason"]
            ),
            _("已撤销认定。"),
        )
    else:
        messages.error(request, _("撤销认定请写明原因"))
    return redirect("support:home")


@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, org_id: int) -> HttpResponse:
    """The superior opens a plan for a lagging organization."""
    user = staff_viewer(request)
    org = access_organization_by_id(user, org_id)
    if not is_superior_of(user, org):
        raise Http404("没有找到该党组织")
    helpers = organizations_for(user).exclude(pk=org.pk).exclude(kind=OrgKind.GROUP)
    if helpers[: HELPER_CHOICES_MAX + 1].count() > HELPER_CHOICES_MAX and org.parent is not None:
        # A county's or province's whole scope is too long a list: offer the organizations
        # under the lagging one's own superior (its township), where helpers usually come from.
        helpers = helpers.filter(pk__in=subtree(user, org.parent).values("pk"))
    helpers = helpers.order_by("path")
    form = PlanForm(request.POST or None, helpers=helpers)
    created: list[SupportPlan] = []
    if request.method == "POST" and form.is_valid():

        def call() -> None:
            created.append(
                services.plan_open(
                    actor=actor_of(request),
                    organization=org,
                    helpers=list(form.cleaned_data["helpers"]),
                    leader=form.cleaned_data["leader"],
                    problems=form.cleaned_data["problems"],
                    today=timezone.localdate(),
                )
            )

        if run_service(request, call, _("已制定帮扶计划，请添加整改措施。"), form):
            return redirect(created[0])
    return render(request, "support/plan_form.html", {"org": org, "form": form})


def _context(request: HttpRequest, plan: SupportPlan, **forms: Any) -> dict[str, Any]:
    user = staff_viewer(request)
    superior = is_superior_of(user, plan.organization)
    staff = superior or works_in(user, plan.organization)
    status = plan.status
    context: dict[str, Any] = {
        "plan": plan,
        "superior": superior,
        "staff": staff,
        "visits": plan.visits.prefetch_related("photos"),
        "events": plan.events.all(),
        "helpers": plan.helpers.order_by("path"),
        "figures": figure_rows(plan.figures_before, plan.figures_after),
        "today": timezone.localdate(),
        "crumbs": [plan.organization],
    }
    if staff and status in (PlanStatus.DRAFT, PlanStatus.ACTIVE):
        context["measure_form"] = forms.get("measure_form") or MeasureForm()
    failed = forms.get("done_form")
    rows = []
    for measure in plan.measures.all():
        done_form = None
        if staff and status == PlanStatus.ACTIVE and measure.done_on is None:
            prefix = f"m{measure.pk}"
            done_form = (
                failed
                if failed is not None and failed.prefix == prefix
                else MeasureDoneForm(prefix=prefix, initial={"done_on": timezone.localdate()})
            )
        rows.append((measure, done_form))
    context["measure_rows"] = rows
    if staff and status in (PlanStatus.ACTIVE, PlanStatus.REVIEW):
        context["visit_form"] = forms.get("visit_form") or VisitForm(
            initial={"visited_on": timezone.localdate()}
        )
    if superior and status == PlanStatus.REVIEW:
        context["accept_form"] = forms.get("accept_form") or AcceptForm()
        context["return_form"] = forms.get("return_form") or ReturnForm()
    return context


@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan_by_id(staff_viewer(request), plan_id)
    return render(request, "support/plan.html", _context(request, plan))


def _staff_plan(request: HttpRequest, plan_id: int) -> SupportPlan:
    user = staff_viewer(request)
    plan = access_plan_by_id(user, plan_id)
    if not (is_superior_of(user, plan.organization) or works_in(user, plan.organization)):
        raise Http404("没有找到该帮扶计划")
    return plan


def _superior_plan(request: HttpRequest, plan_id: int) -> SupportPlan:
    user = staff_viewer(request)
    plan = access_plan_by_id(user, plan_id)
    if not is_superior_of(user, plan.organization):
        raise Http404("没有找到该帮扶计划")
    return plan


def _rerender(request: HttpRequest, plan: SupportPlan, **forms: Any) -> HttpResponse:
    return render(request, "support/plan.html", _context(request, plan, **forms), status=400)


@require_POST
def measure_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _staff_plan(request, plan_id)
    form = MeasureForm(request.POST)
    if form.is_valid():
        call = lambda: services.measure_add(  # noqa: E731
            actor=actor_of(request), plan=plan, today=timezone.localdate(), **form.cleaned_data
        )
        if run_service(request, call, _("已添加整改措施。"), form):
            return redirect(plan)
    return _rerender(request, plan, measure_form=form)


@require_POST
def measure_done(request: HttpRequest, plan_id: int, measure_id: int) -> HttpResponse:
    plan = _staff_plan(request, plan_id)
    measure = get_object_or_404(plan.measures, pk=measure_id)
    form = MeasureDoneForm(request.POST, prefix=f"m{measure.pk}")
    if form.is_valid():
        call = lambda: services.measure_complete(  # noqa: E731
            actor=actor_of(request),
            measure=measure,
            today=timezone.localdate(),
            **form.cleaned_data,
        )
        if run_service(request, call, _("已登记措施完成。"), form):
            return redirect(plan)
    return _rerender(request, plan, done_form=form)


@require_POST
def plan_start(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _superior_plan(request, plan_id)
    run_service(
        request,
        lambda: services.plan_start(actor=actor_of(request), plan=plan),
        _("帮扶计划已启动，进入整顿。"),
    )
    return redirect(plan)


@require_POST
def visit_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _staff_plan(request, plan_id)
    form = VisitForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            photos = [check_upload(upload) for upload in form.cleaned_data["photos"]]
        except UploadRefused as refusal:
            form.add_error("photos", str(refusal))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "photos"}
            call = lambda: services.visit_record(  # noqa: E731
                actor=actor_of(request),
                plan=plan,
                photos=photos,
                today=timezone.localdate(),
                **data,
            )
            if run_service(request, call, _("已登记回访。"), form):
                return redirect(plan)
    return _rerender(request, plan, visit_form=form)


@require_POST
def plan_submit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _staff_plan(request, plan_id)
    run_service(
        request,
        lambda: services.plan_submit(actor=actor_of(request), plan=plan),
        _("已申请整顿验收。"),
    )
    return redirect(plan)


@require_POST
def plan_return(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _superior_plan(request, plan_id)
    form = ReturnForm(request.POST)
    if form.is_valid():
        call = lambda: services.plan_return(  # noqa: E731
            actor=actor_of(request), plan=plan, reason=form.cleaned_data["reason"]
        )
        if run_service(request, call, _("已退回继续整顿。"), form):
            return redirect(plan)
    return _rerender(request, plan, return_form=form)


@require_POST
def plan_accept(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _superior_plan(request, plan_id)
    form = AcceptForm(request.POST)
    if form.is_valid():
        call = lambda: services.plan_accept(  # noqa: E731
            actor=actor_of(request),
            plan=plan,
            conclusion=form.cleaned_data["conclusion"],
            today=timezone.localdate(),
        )
        if run_service(request, call, _("整顿验收通过。"), form):
            return redirect(plan)
    return _rerender(request, plan, accept_form=form)


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """Every plan in scope, closed ones included (the history)."""
    user = staff_viewer(request)
    plans = plans_for(user).select_related("organization").order_by("-year", "organization__path")
    return render(request, "support/plan_list.html", {"plans": plans[:500]})


@require_GET
def visit_photo(request: HttpRequest, token: str) -> FileResponse:
    """A visit photo, for those who may see the plan."""
    user = staff_viewer(request)
    photo = get_object_or_404(
        VisitPhoto.objects.select_related("visit"),
        token=token,
        visit__plan__in=plans_for(user),
    )
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404("没有找到该文件")
    response = FileResponse(handle, content_type=photo.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response

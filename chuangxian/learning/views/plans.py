"""Study plans per campaign cycle and organization."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuangxian.campaigns.models import Campaign
from chuangxian.learning.access import (
    access_plan_by_id,
    can_manage,
    courses_for,
    managed_organizations,
    plans_for,
)
from chuangxian.learning.errors import LearningError
from chuangxian.learning.forms import PlanForm, PlanItemForm
from chuangxian.learning.models import StudyPlanItem
from chuangxian.learning.services.plans import plan_create, plan_item_add, plan_item_remove
from chuangxian.orgs.access import is_staff_in_tree, scope_for
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import Organization
from chuangxian.orgs.views.http import actor_of, viewer


def _campaigns_in_reach(user: object) -> object:
    """Campaigns owned by an organization in scope or by one of its ancestors."""
    ids: set[int] = set()
    for org in Organization.objects.filter(pk__in=scope_for(user).roots):
        ids.update([*org.ancestor_ids, org.pk])
    return Campaign.objects.filter(owner_id__in=ids) | Campaign.objects.filter(
        owner__in=managed_organizations(user)
    )


@require_http_methods(["GET", "POST"])
def plans(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    form = None
    if is_staff_in_tree(user):
        form = PlanForm(
            request.POST or None,
            organizations=managed_organizations(user),
            campaigns=_campaigns_in_reach(user),
        )
        if request.method == "POST" and form.is_valid():
            org = form.cleaned_data["organization"]
            try:
                plan = plan_create(
                    actor=actor_of(request),
                    organization=org,
                    campaign=form.cleaned_data["campaign"],
                    title=form.cleaned_data["title"],
                    note=form.cleaned_data["note"],
                )
            except LearningError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已建立学习计划。"))
                return redirect(plan)
    elif request.method == "POST":
        raise Http404("没有找到该页面")
    listed = (
        plans_for(user)
        .select_related("organization", "campaign")
        .order_by("-campaign__year", "organization__path")[:200]
    )
    return render(request, "learning/plans.html", {"plans": listed, "form": form})


@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = viewer(request)
    found = access_plan_by_id(user, plan_id)
    manage = can_manage(user, found.organization)
    form = None
    if manage:
        courses = courses_for(user).filter(
            organization_id__in=[*found.organization.ancestor_ids, found.organization_id]
        )
        form = PlanItemForm(request.POST or None, courses=courses)
        if request.method == "POST" and form.is_valid():
            try:
                plan_item_add(actor=actor_of(request), plan=found, **form.cleaned_data)
            except LearningError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已添加计划条目。"))
                return redirect(found)
    elif request.method == "POST":
        raise Http404("没有找到该学习计划")
    items = found.items.select_related("course")
    return render(
        request,
        "learning/plan.html",
        {"plan": found, "items": items, "form": form, "manage": manage},
    )


@require_POST
def plan_item_remove_view(request: HttpRequest, item_id: int) -> HttpResponse:
    user = viewer(request)
    item = get_object_or_404(StudyPlanItem, pk=item_id)
    found = access_plan_by_id(user, item.plan_id)
    if not can_manage(user, found.organization):
        raise Http404("没有找到该学习计划")
    plan_item_remove(actor=actor_of(request), item=item)
    messages.success(request, _("已删除计划条目。"))
    return redirect(found)

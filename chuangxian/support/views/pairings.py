"""Paired organizations (结对共建) and leaders' contact points (领导联点), listed on both
sides, with the activities done together."""

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuangxian.orgs.access import scope_for
from chuangxian.orgs.models import Organization
from chuangxian.orgs.selectors import subtree
from chuangxian.orgs.views.http import actor_of
from chuangxian.support.access import access_pairing_by_id, pairings_for
from chuangxian.support.forms import ActivityForm, PairingForm
from chuangxian.support.models import Pairing
from chuangxian.support.services import pairings as services
from chuangxian.support.views.common import page_root, run_service, staff_viewer


@require_http_methods(["GET", "POST"])
def pairing_list(request: HttpRequest) -> HttpResponse:
    user = staff_viewer(request)
    root = page_root(request, user)
    today = timezone.localdate()
    administered = subtree(user, root).filter(scope_for(user).admin_q("path"))
    form = PairingForm(
        request.POST or None, organizations=administered, initial={"started_on": today}
    )
    if request.method == "POST" and form.is_valid():
        # The other side may lie outside the viewer's scope (a county organ pairs with a
        # village of another township): it is named by its code, and only its name is shown.
        second = Organization.objects.filter(code=form.cleaned_data["second"].strip()).first()
        if second is None:
            form.add_error("second", _("没有这个组织编码"))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "second"}
            call = lambda: services.pairing_create(  # noqa: E731
                actor=actor_of(request), second=second, **data
            )
            if run_service(request, call, _("已登记结对。"), form):
                return redirect(f"{request.path}?org={root.code}")
    within = subtree(user, root)
    listed = (
        pairings_for(user)
        .filter(Q(first__in=within) | Q(second__in=within))
        .select_related("first", "second")
    )
    context = {
        "root": root,
        "pairings": listed.order_by("kind", "-started_on"),
        "form": form if administered.exists() else None,
    }
    return render(request, "support/pairings.html", context, status=400 if form.errors else 200)


def _render(request: HttpRequest, pairing: Pairing, form: ActivityForm) -> HttpResponse:
    context = {"pairing": pairing, "activities": pairing.activities.all(), "form": form}
    return render(request, "support/pairing.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def pairing_detail(request: HttpRequest, pairing_id: int) -> HttpResponse:
    pairing = access_pairing_by_id(staff_viewer(request), pairing_id)
    return _render(request, pairing, ActivityForm(initial={"held_on": timezone.localdate()}))


@require_POST
def activity_add(request: HttpRequest, pairing_id: int) -> HttpResponse:
    user = staff_viewer(request)
    pairing = access_pairing_by_id(user, pairing_id)
    scope = scope_for(user)
    if not (scope.works_in(pairing.first) or scope.works_in(pairing.second)):
        raise Http404("没有找到该结对记录")
    form = ActivityForm(request.POST)
    if form.is_valid():
        call = lambda: services.joint_activity_record(  # noqa: E731
            actor=actor_of(request),
            pairing=pairing,
            today=timezone.localdate(),
            **form.cleaned_data,
        )
        if run_service(request, call, _("已登记共建活动。"), form):
            return redirect("support:pairing", pairing.pk)
    return _render(request, pairing, form)

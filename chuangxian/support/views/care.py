"""Members in hardship (困难党员): the list and yearly coverage, a record and its care visits."""

from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.orgs.views.http import actor_of
from chuangxian.support import selectors
from chuangxian.support.access import access_hardship_by_id, works_in
from chuangxian.support.forms import CareVisitForm, HardshipForm
from chuangxian.support.models import Hardship
from chuangxian.support.services import care as services
from chuangxian.support.views.common import page_root, run_service, staff_viewer

MEMBER_CHOICES_MAX = 300


@require_http_methods(["GET", "POST"])
def care_home(request: HttpRequest) -> HttpResponse:
    """The subtree's members in hardship, this year's coverage, and the form to record one."""
    user = staff_viewer(request)
    root = page_root(request, user)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    candidates = selectors.hardship_candidates(user, root)
    # A <select> of members works for a branch, not for a county: above MEMBER_CHOICES_MAX the
    # page asks for a branch (?org=) before offering the form.
    choosable = candidates[: MEMBER_CHOICES_MAX + 1].count() <= MEMBER_CHOICES_MAX
    form = HardshipForm(request.POST or None, members=candidates, initial={"recorded_on": today})
    if request.method == "POST" and not choosable:
        raise Http404("没有找到该页面")
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["member"]
        if not works_in(user, member.organization):
            raise Http404("没有找到该党员")
        call = lambda: services.hardship_record(  # noqa: E731
            actor=actor_of(request), today=today, **form.cleaned_data
        )
        if run_service(request, call, _("已登记困难党员。"), form):
            return redirect(f"{request.path}?org={root.code}")
    context = {
        "root": root,
        "year": year,
        "hardships": selectors.hardship_list(user, root)[:500],
        "coverage": selectors.care_coverage(user, root, year),
        "form": form if choosable else None,
    }
    return render(request, "support/care.html", context, status=400 if form.errors else 200)


def _render(request: HttpRequest, hardship: Hardship, form: CareVisitForm) -> HttpResponse:
    context = {
        "hardship": hardship,
        "visits": hardship.visits.all(),
        "form": form if hardship.ended_on is None else None,
        "crumbs": [hardship.member.organization],
    }
    return render(request, "support/hardship.html", context, status=400 if form.errors else 200)


@require_GET
def hardship_detail(request: HttpRequest, hardship_id: int) -> HttpResponse:
    hardship = access_hardship_by_id(staff_viewer(request), hardship_id)
    return _render(request, hardship, CareVisitForm(initial={"visited_on": timezone.localdate()}))


@require_POST
def care_visit_add(request: HttpRequest, hardship_id: int) -> HttpResponse:
    hardship = access_hardship_by_id(staff_viewer(request), hardship_id)
    form = CareVisitForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["amount"] = data.get("amount") or Decimal("0")
        call = lambda: services.care_visit_record(  # noqa: E731
            actor=actor_of(request), hardship=hardship, today=timezone.localdate(), **data
        )
        if run_service(request, call, _("已登记慰问。"), form):
            return redirect("support:hardship", hardship.pk)
    return _render(request, hardship, form)


@require_POST
def hardship_end(request: HttpRequest, hardship_id: int) -> HttpResponse:
    hardship = access_hardship_by_id(staff_viewer(request), hardship_id)
    today = timezone.localdate()
    run_service(
        request,
        lambda: services.hardship_end(
            actor=actor_of(request), hardship=hardship, ended_on=today, today=today
        ),
        _("已解除困难党员登记。"),
    )
    return redirect("support:hardship", hardship.pk)

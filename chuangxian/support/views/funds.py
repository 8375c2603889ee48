"""Special funds: the subtree's allocations, one allocation with its spending and what was
passed down, the yearly statement (page and Excel), receipts."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.orgs.access import scope_for
from chuangxian.orgs.selectors import subtree
from chuangxian.orgs.views.http import actor_of
from chuangxian.support import selectors
from chuangxian.support.access import (
    access_allocation_by_id,
    access_spending_by_token,
    allocations_for,
    works_in,
)
from chuangxian.support.exports import fund_statement_xlsx
from chuangxian.support.forms import AllocationForm, PassDownForm, SpendingForm
from chuangxian.support.models import Allocation
from chuangxian.support.services import funds as services
from chuangxian.support.views.common import page_root, run_service, staff_viewer
from chuangxian.uploads.safety import UploadRefused, check_upload

# The share of the 党费 collected that an organization keeps (党费留存) is set by each province;
# CHUANGXIAN_DUES_RETAINED_PERCENT in the settings overrides this default.
DEFAULT_DUES_RETAINED_PERCENT = Decimal("50")


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@require_http_methods(["GET", "POST"])
def funds_home(request: HttpRequest) -> HttpResponse:
    user = staff_viewer(request)
    root = page_root(request, user)
    year = _year(request)
    administered = subtree(user, root).filter(scope_for(user).admin_q("path"))
    form = AllocationForm(request.POST or None, organizations=administered, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        call = lambda: services.allocation_create(  # noqa: E731
            actor=actor_of(request), **form.cleaned_data
        )
        if run_service(request, call, _("已登记经费。"), form):
            return redirect(f"{request.path}?org={root.code}&year={form.cleaned_data['year']}")
    allocations = (
        allocations_for(user)
        .filter(organization__in=subtree(user, root), year=year)
        .select_related("organization", "source__organization")
        .order_by("organization__path", "kind", "id")
    )
    context = {
        "root": root,
        "year": year,
        "allocations": allocations[:500],
        "totals": selectors.fund_totals(user, root, year),
        "form": form if administered.exists() else None,
    }
    return render(request, "support/funds.html", context, status=400 if form.errors else 200)


def _allocation_context(
    request: HttpRequest, allocation: Allocation, **forms: Any
) -> dict[str, Any]:
    user = staff_viewer(request)
    holder = allocation.organization
    below = subtree(user, holder).exclude(pk=holder.pk)
    context: dict[str, Any] = {
        "allocation": allocation,
        "children": allocation.children.select_related("organization"),
        "spendings": allocation.spendings.all(),
        "crumbs": [holder],
    }
    if works_in(user, holder):
        context["spending_form"] = forms.get("spending_form") or SpendingForm(
            initial={"spent_on": timezone.localdate()}
        )
        if below.exists():
            context["pass_form"] = forms.get("pass_form") or PassDownForm(organizations=below)
    return context


@require_GET
def allocation_detail(request: HttpRequest, allocation_id: int) -> HttpResponse:
    allocation = access_allocation_by_id(staff_viewer(request), allocation_id)
    return render(request, "support/allocation.html", _allocation_context(request, allocation))


def _own_allocation(request: HttpRequest, allocation_id: int) -> Allocation:
    user = staff_viewer(request)
    allocation = access_allocation_by_id(user, allocation_id)
    if not works_in(user, allocation.organization):
        raise Http404("没有找到该经费")
    return allocation


@require_POST
def pass_down(request: HttpRequest, allocation_id: int) -> HttpResponse:
    allocation = _own_allocation(request, allocation_id)
    user = staff_viewer(request)
    below = subtree(user, allocation.organization).exclude(pk=allocation.organization_id)
    form = PassDownForm(request.POST, organizations=below)
    if form.is_valid():
        call = lambda: services.allocation_pass_down(  # noqa: E731
            actor=actor_of(request), source=allocation, **form.cleaned_data
        )
        if run_service(request, call, _("已下拨经费。"), form):
            return redirect("support:allocation", allocation.pk)
    context = _allocation_context(request, allocation, pass_form=form)
    return render(request, "support/allocation.html", context, status=400)


@require_POST
def spending_add(request: HttpRequest, allocation_id: int) -> HttpResponse:
    allocation = _own_allocation(request, allocation_id)
    form = SpendingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            receipt = check_upload(form.cleaned_data["receipt"])
        except UploadRefused as refusal:
            form.add_error("receipt", str(refusal))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "receipt"}
            call = lambda: services.spending_record(  # noqa: E731
                actor=actor_of(request),
                allocation=allocation,
                receipt=receipt,
                today=timezone.localdate(),
                **data,
            )
            if run_service(request, call, _("已登记支出。"), form):
                return redirect("support:allocation", allocation.pk)
    context = _allocation_context(request, allocation, spending_form=form)
    return render(request, "support/allocation.html", context, status=400)


@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """The organization's year (?org=&year=), as a page or (?format=xlsx) a workbook."""
    user = staff_viewer(request)
    org = page_root(request, user)
    year = _year(request)
    percent = Decimal(
        str(getattr(settings, "CHUANGXIAN_DUES_RETAINED_PERCENT", DEFAULT_DUES_RETAINED_PERCENT))
    )
    found = selectors.fund_statement(user, org, year, timezone.localdate(), percent)
    if request.GET.get("format") == "xlsx":
        content = fund_statement_xlsx(actor=actor_of(request), statement=found)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="funds-{org.code}-{year}.xlsx"'
        return response
    return render(
        request, "support/statement.html", {"statement": found, "crumbs": [org], "root": org}
    )


@require_GET
def receipt(request: HttpRequest, token: str) -> FileResponse:
    spending = access_spending_by_token(staff_viewer(request), token)
    try:
        handle = spending.receipt.open("rb")
    except FileNotFoundError:
        raise Http404("没有找到该文件")
    response = FileResponse(
        handle,
        content_type=spending.receipt_type,
        as_attachment=spending.receipt_type not in ("application/pdf", "image/jpeg", "image/png"),
        filename=spending.receipt_name,
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response

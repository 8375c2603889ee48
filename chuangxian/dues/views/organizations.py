"""The monthly statement of an organization (page, print, Excel), the arrears list and the
党章第九条 flags of a subtree."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from chuangxian.dues import ledger, selectors
from chuangxian.dues.access import dues_roots
from chuangxian.dues.checks import RULE_LABELS, Rule
from chuangxian.dues.exports import statement_workbook
from chuangxian.dues.forms import MonthChoiceForm
from chuangxian.dues.months import month_of
from chuangxian.orgs import selectors as org_selectors
from chuangxian.orgs.access import access_organization_by_id, can_edit_members_of
from chuangxian.orgs.models import Organization
from chuangxian.orgs.views.http import viewer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _statement_context(request: HttpRequest, org: Organization) -> dict[str, object]:
    user = viewer(request)
    today = timezone.localdate()
    month = MonthChoiceForm(request.GET).month_or(month_of(today))
    statement = ledger.subtree_statement(
        org, month, today=today, member_rows_for=ledger.direct_member_orgs(org)
    )
    children = org_selectors.children_of(user, org)
    empty = ledger.DuesTotals()
    return {
        "org": org,
        "month": month,
        "total": statement.totals.get(org.pk, empty),
        "children": [(child, statement.totals.get(child.pk, empty)) for child in children],
        "rows": statement.rows,
        "can_record": can_edit_members_of(user, org),
        "crumbs": [*org_selectors.breadcrumbs(user, org), org],
    }


@require_GET
def statement(request: HttpRequest, org_id: int) -> HttpResponse:
    org = access_organization_by_id(viewer(request), org_id)
    return render(request, "dues/statement.html", _statement_context(request, org))


@require_GET
def statement_export(request: HttpRequest, org_id: int) -> HttpResponse:
    org = access_organization_by_id(viewer(request), org_id)
    context = _statement_context(request, org)
    content = statement_workbook(
        org=org,
        month=context["month"],  # type: ignore[arg-type]
        total=context["total"],  # type: ignore[arg-type]
        children=context["children"],  # type: ignore[arg-type]
        rows=context["rows"],  # type: ignore[arg-type]
    )
    response = HttpResponse(content, content_type=XLSX)
    name = f"dues-{org.code}-{context['month']:%Y%m}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


def _chosen_org(request: HttpRequest) -> Organization:
    """?org=<id> when given (404 outside the scope), else the user's first scope root."""
    user = viewer(request)
    raw = request.GET.get("org", "")
    if raw:
        try:
            return access_organization_by_id(user, int(raw))
        except ValueError:
            raise Http404("没有找到该党组织")
    roots = dues_roots(user)
    if not roots:
        raise Http404("没有找到该页面")
    return roots[0]


@require_GET
def arrears(request: HttpRequest) -> HttpResponse:
    org = _chosen_org(request)
    rows = selectors.flagged_members(
        viewer(request), org, today=timezone.localdate(), rule=Rule.DUES, minimum=1, raw=True
    )
    context = {"org": org, "rows": rows, "roots": dues_roots(viewer(request))}
    return render(request, "dues/arrears.html", context)


@require_GET
def flags(request: HttpRequest) -> HttpResponse:
    org = _chosen_org(request)
    rows = selectors.flagged_members(viewer(request), org, today=timezone.localdate())
    context = {
        "org": org,
        "rows": rows,
        "roots": dues_roots(viewer(request)),
        "rule_labels": RULE_LABELS,
    }
    return render(request, "dues/flags.html", context)

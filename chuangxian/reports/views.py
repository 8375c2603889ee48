from io import BytesIO

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from chuangxian.orgs import selectors as org_selectors
from chuangxian.orgs.access import access_organization_by_id, is_staff_in_tree
from chuangxian.orgs.models import Organization
from chuangxian.orgs.views.http import viewer
from chuangxian.reports.selectors import Dashboard, GroupRows, dashboard
from chuangxian.xlsx import text_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        raise Http404
    if not 2000 <= year <= this_year:
        raise Http404
    return year


def _organization(request: HttpRequest, org_id: int | None) -> Organization:
    user = viewer(request)
    if not is_staff_in_tree(user):
        raise Http404
    if org_id is not None:
        return access_organization_by_id(user, org_id)
    roots = org_selectors.tree_roots(user)
    if not roots:
        raise Http404
    return roots[0]


def _board(request: HttpRequest, org_id: int | None) -> Dashboard:
    org = _organization(request, org_id)
    children = org_selectors.children_of(viewer(request), org)
    return dashboard(org, _year(request), children)


def _chart(board: Dashboard, group: GroupRows) -> dict[str, object]:
    """What the chart of one group draws: its first figure per child (a share when it is
    one), each bar opening that child's dashboard."""
    row = group.rows[0]
    share = bool(row.figure.base)
    return {
        "title": str(row.figure.label),
        "unit": "%" if share else "",
        "names": [child.name for child in board.children],
        "values": [(cell.percent if share else cell.value) for cell in row.children],
        "links": [
            reverse("reports:dashboard", args=[child.pk]) + f"?year={board.year}"
            for child in board.children
        ],
    }


@require_GET
def dashboard_view(request: HttpRequest, org_id: int | None = None) -> HttpResponse:
    board = _board(request, org_id)
    user = viewer(request)
    sections = [
        {
            "group": group,
            "chart": _chart(board, group),
            "chart_id": f"chart-{group.group.key}",
            "data_id": f"chart-{group.group.key}-data",
        }
        for group in board.groups
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "board": board,
            "sections": sections,
            "crumbs": org_selectors.breadcrumbs(user, board.org),
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        },
    )


@require_GET
def dashboard_export(request: HttpRequest, org_id: int, group_key: str) -> HttpResponse:
    """One group's table (the organization and each child, every figure) as Excel."""
    board = _board(request, org_id)
    group = next((g for g in board.groups if g.group.key == group_key), None)
    if group is None:
        raise Http404
    buffer = BytesIO()
    workbook = text_workbook(buffer)
    sheet = workbook.add_worksheet(str(group.group.label)[:31])
    header = ["党组织", *(str(row.figure.label) for row in group.rows)]
    for column, text in enumerate(header):
        sheet.write_string(0, column, text)
    lines = [(board.org.name, [row.current for row in group.rows])]
    lines += [
        (child.name, [row.children[i] for row in group.rows])
        for i, child in enumerate(board.children)
    ]
    for number, (name, cells) in enumerate(lines, start=1):
        # Names are user data: always written as text, never as a formula.
        sheet.write_string(number, 0, name)
        for column, cell in enumerate(cells, start=1):
            sheet.write_number(number, column, cell.value)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, len(header), 16)
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"dashboard-{board.org.code}-{board.year}-{group_key}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response

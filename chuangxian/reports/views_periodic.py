"""Periodic reports: the organization drafts and submits, the superior sees who submitted,
the roll-up across them, and can return one with a reason."""

from io import BytesIO

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from chuangxian.orglife.periods import Period, PeriodError
from chuangxian.orgs import selectors as org_selectors
from chuangxian.orgs.access import (
    access_organization_by_id,
    can_edit_members_of,
    can_manage_organization,
    is_staff_in_tree,
    organizations_for,
    scope_for,
)
from chuangxian.orgs.models import Organization
from chuangxian.orgs.views.http import actor_of, viewer
from chuangxian.reports.forms import NarrativeForm, ReturnForm
from chuangxian.reports.models import PeriodicReport, ReportKind, ReportStatus
from chuangxian.reports.periodic import Line, current_period, parse_period, report_lines, rolled_up
from chuangxian.reports.services import ReportError, report_return, report_save, report_submit
from chuangxian.xlsx import text_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kind(kind: str) -> str:
    if kind not in ReportKind.values:
        raise Http404
    return kind


def _period(kind: str, text: str) -> Period:
    try:
        return parse_period(kind, text)
    except PeriodError:
        raise Http404


def _can_review(user: object, org: Organization) -> bool:
    parent = org.parent
    return parent is not None and can_manage_organization(user, parent)


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports due from the organizations the user works in, current period first."""
    user = viewer(request)
    if not is_staff_in_tree(user):
        raise Http404
    today = timezone.localdate()
    scope = scope_for(user)
    tops = [*scope.admin_paths, *scope.branch_paths]
    orgs = list(organizations_for(user).filter(path__in=tops).order_by("path"))
    rows = []
    for org in orgs:
        for kind in ReportKind:
            period = current_period(kind, today)
            report = PeriodicReport.objects.filter(
                organization=org, kind=kind, period=period.code
            ).first()
            rows.append((org, kind, period, report))
    return render(request, "reports/periodic_list.html", {"rows": rows})


def _lines(
    report: PeriodicReport | None, org: Organization, kind: str, period: Period
) -> list[Line]:
    if report is not None and report.status == ReportStatus.SUBMITTED:
        return [Line.from_json(row) for row in report.lines]
    return report_lines(org, kind, period, timezone.localdate())


def _children(
    user: object, org: Organization, kind: str, period: Period
) -> tuple[list[tuple[Organization, PeriodicReport | None]], list[Line]]:
    children = org_selectors.children_of(user, org)
    reports = {
        r.organization_id: r
        for r in PeriodicReport.objects.filter(
            organization__in=children, kind=kind, period=period.code
        )
    }
    listed = [(child, reports.get(child.pk)) for child in children]
    submitted = [
        [Line.from_json(row) for row in r.lines]
        for r in reports.values()
        if r.status == ReportStatus.SUBMITTED
    ]
    return listed, rolled_up(submitted)


@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, org_id: int, kind: str, period_code: str) -> HttpResponse:
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    kind = _kind(kind)
    period = _period(kind, period_code)
    report = PeriodicReport.objects.filter(organization=org, kind=kind, period=period.code).first()
    can_edit = can_edit_members_of(user, org)
    form = NarrativeForm(initial={"narrative": report.narrative if report else ""})
    if request.method == "POST":
        if not can_edit:
            raise Http404
        form = NarrativeForm(request.POST)
        if form.is_valid():
            narrative = form.cleaned_data["narrative"]
            try:
                if "submit" in request.POST:
                    report_submit(
                        actor=actor_of(request),
                        org=org,
                        kind=kind,
                        period=period,
                        narrative=narrative,
                        today=timezone.localdate(),
                    )
                    messages.success(request, _("已报送上级。"))
                else:
                    report_save(
                        actor=actor_of(request),
                        org=org,
                        kind=kind,
                        period=period,
                        narrative=narrative,
                    )
                    messages.success(request, _("已保存。"))
                return redirect(request.path)
            except ReportError as error:
                form.add_error(None, str(error))
    children, rollup = _children(user, org, kind, period)
    return render(
        request,
        "reports/periodic_report.html",
        {
            "org": org,
            "kind": ReportKind(kind),
            "period": period,
            "report": report,
            "lines": _lines(report, org, kind, period),
            "form": form,
            "can_edit": can_edit and (report is None or report.status != ReportStatus.SUBMITTED),
            "can_review": report is not None
            and report.status == ReportStatus.SUBMITTED
            and _can_review(user, org),
            "return_form": ReturnForm(),
            "children": children,
            "rollup": rollup,
            "submitted_count": sum(
                1 for _c, r in children if r and r.status == ReportStatus.SUBMITTED
            ),
        },
    )


@require_POST
def report_return_view(
    request: HttpRequest, org_id: int, kind: str, period_code: str
) -> HttpResponse:
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    kind = _kind(kind)
    period = _period(kind, period_code)
    report = PeriodicReport.objects.filter(organization=org, kind=kind, period=period.code).first()
    if report is None or not _can_review(user, org):
        raise Http404
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退回理由。"))
    else:
        try:
            report_return(
                actor=actor_of(request), report=report, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已退回。"))
        except ReportError as error:
            messages.error(request, str(error))
    return redirect("reports:periodic", org_id=org.pk, kind=kind, period_code=period.code)


@require_GET
def report_export(request: HttpRequest, org_id: int, kind: str, period_code: str) -> HttpResponse:
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    kind = _kind(kind)
    period = _period(kind, period_code)
    report = PeriodicReport.objects.filter(organization=org, kind=kind, period=period.code).first()
    lines = _lines(report, org, kind, period)
    children, rollup = _children(user, org, kind, period)
    buffer = BytesIO()
    book = text_workbook(buffer)
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_("报表"))
    # Every text that comes from users (names, narrative) is written as text, never a formula.
    sheet.write_string(0, 0, f"{org.name} {ReportKind(kind).label} {period.label}", bold)
    status = report.get_status_display() if report else str(ReportStatus.DRAFT.label)
    sheet.write_string(1, 0, _("状态：") + status)
    _write_lines(sheet, 3, lines, request, bold)
    row = 4 + len(lines) + 1
    sheet.write_string(row, 0, _("情况说明"), bold)
    sheet.write_string(row + 1, 0, report.narrative if report else "")
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 3, 12)
    sheet.set_column(4, 4, 60)
    if children:
        roll = book.add_worksheet(_("下级汇总"))
        roll.write_string(0, 0, _("下级组织报送情况"), bold)
        for number, (child, child_report) in enumerate(children, start=1):
            roll.write_string(number, 0, child.name)
            roll.write_string(
                number, 1, child_report.get_status_display() if child_report else _("未报送")
            )
        _write_lines(roll, len(children) + 2, rollup, request, bold)
        roll.set_column(0, 0, 44)
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"report-{org.code}-{kind}-{period.code}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


def _write_lines(
    sheet: Worksheet, top: int, lines: list[Line], request: HttpRequest, bold: Format
) -> None:
    headers = [_("项目"), _("数值"), _("应有"), _("比例(%)"), _("依据（记录清单）")]
    for column, text in enumerate(headers):
        sheet.write_string(top, column, text, bold)
    for offset, line in enumerate(lines, start=1):
        sheet.write_string(top + offset, 0, line.label)
        sheet.write_number(top + offset, 1, line.value)
        if line.base is not None:
            sheet.write_number(top + offset, 2, line.base)
        if line.percent is not None:
            sheet.write_number(top + offset, 3, line.percent)
        if line.detail:
            sheet.write_string(top + offset, 4, request.build_absolute_uri(line.detail))

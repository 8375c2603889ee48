"""The audit trail of an administrator's subtrees: browse, filter, export."""

import csv
import io
from collections.abc import Iterable, Iterator

import xlsxwriter
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import audit_record
from chuangxian.orgs.access import audit_events_for, is_administrator, scope_for
from chuangxian.orgs.forms.audit import AuditFilterForm
from chuangxian.orgs.rules import FIELD_LABELS
from chuangxian.orgs.views.http import PAGE_SIZE, actor_of, viewer

EXPORT_LIMIT = 200_000
HEADER = ["时间", "操作人", "来源地址", "操作", "对象类型", "对象编号", "对象", "变更", "原因"]


def _events_in_scope(user: object) -> QuerySet[AuditEvent]:
    if not is_administrator(user):
        raise Http404("页面不存在")
    return audit_events_for(user)


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET)
    events = form.filter(_events_in_scope(viewer(request)), tz=timezone.get_current_timezone())
    return form, events.order_by("-at", "-id")


ORGANIZATION_LABELS = {
    "code": "组织编码",
    "name": "组织名称",
    "kind": "组织类别",
    "sector": "所属领域",
    "parent": "上级组织",
    "path": "树路径",
    "established_on": "成立日期",
    "term_started_on": "本届开始日期",
    "term_ends_on": "本届届满日期",
}
OTHER_LABELS = FIELD_LABELS | {
    "organization": "所在党组织",
    "destination": "转往",
    "username": "用户名",
    "display_name": "姓名",
    "member": "对应党员",
    "password": "密码",
    "is_active": "启用",
    "role": "角色",
    "filter": "筛选条件",
}


def _shown(value: object) -> str:
    if value is True or value is False:
        return "是" if value else "否"
    return "（空）" if value is None or value == "" else str(value)


def _changes_text(object_type: str, changes: object) -> str:
    """The before → after of each field, in the words the page uses for it."""
    if not isinstance(changes, dict):
        return str(changes)
    labels = ORGANIZATION_LABELS if object_type == "organization" else OTHER_LABELS
    parts = []
    for name, value in changes.items():
        label = labels.get(name, name)
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{label}：{_shown(value[0])} → {_shown(value[1])}")
        else:
            parts.append(f"{label}：{_shown(value)}")
    return "；".join(parts)


def _rows(events: QuerySet[AuditEvent]) -> Iterator[list[str]]:
    labels = dict(AuditAction.choices)
    for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_label,
            event.ip_address or "",
            str(labels.get(event.action, event.action)),
            event.object_type,
            event.object_id,
            event.object_label,
            _changes_text(event.object_type, event.changes),
            event.reason,
        ]


def _defuse(cell: str) -> str:
    """Keep spreadsheet programs from running a cell that starts like a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(rows: Iterable[list[str]], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # BOM: Excel and WPS open UTF-8 CSV correctly only with it
        yield writer.writerow(HEADER)
        for row in rows:
            yield writer.writerow([_defuse(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(rows: Iterable[list[str]], filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("审计日志")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, HEADER, bold)
    sheet.set_column(0, 0, 20)
    sheet.set_column(6, 7, 40)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    workbook.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.changes_text = _changes_text(event.object_type, event.changes)  # type: ignore[attr-defined]
    return render(request, "orgs/audit.html", {"form": form, "page": page})


@require_GET
def audit_export(request: HttpRequest) -> HttpResponseBase:
    form, events = _filtered(request)
    user = viewer(request)
    # The export is itself an event, recorded under each subtree it covers.
    for path in scope_for(user).admin_paths:
        audit_record(
            actor=actor_of(request),
            action=AuditAction.EXPORT,
            object_type="auditevent",
            object_label="审计日志",
            org_path=path,
            changes={"filter": {k: str(v) for k, v in form.cleaned_data.items() if v}}
            if form.is_valid()
            else {},
        )
    filename = f"audit-{timezone.localdate():%Y%m%d}"
    if request.GET.get("format") == "csv":
        return _csv_response(_rows(events), filename)
    return _xlsx_response(_rows(events), filename)

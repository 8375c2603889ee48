"""The audit trail of an administrator's subtrees: browse, filter, export."""

import csv
import functools
import io
import itertools
from collections.abc import Callable, Iterable, Iterator

from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import audit_record, batch_entries, batch_size, is_batch
from chuangxian.orgs.access import audit_events_for, is_administrator, scope_for
from chuangxian.orgs.audit_values import shown_value
from chuangxian.orgs.forms.audit import AuditFilterForm
from chuangxian.orgs.rules import FIELD_LABELS
from chuangxian.orgs.views.http import PAGE_SIZE, actor_of, viewer
from chuangxian.xlsx import text_workbook

EXPORT_LIMIT = 200_000
BATCH_PAGE_SIZE = 100
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
    "code": gettext_noop("组织编码"),
    "name": gettext_noop("组织名称"),
    "kind": gettext_noop("组织类别"),
    "sector": gettext_noop("所属领域"),
    "parent": gettext_noop("上级组织"),
    "path": gettext_noop("树路径"),
    "established_on": gettext_noop("成立日期"),
    "term_started_on": gettext_noop("本届开始日期"),
    "term_ends_on": gettext_noop("本届届满日期"),
}
OTHER_LABELS = FIELD_LABELS | {
    "organization": gettext_noop("所在党组织"),
    "destination": gettext_noop("转往"),
    "username": gettext_noop("用户名"),
    "display_name": gettext_noop("姓名"),
    "member": gettext_noop("对应党员"),
    "password": gettext_noop("密码"),
    "is_active": gettext_noop("启用"),
    "role": gettext_noop("角色"),
    "filter": gettext_noop("筛选条件"),
    "large_display": gettext_noop("大字模式"),
}


# The object types whose changes use the words of the roster (members, accounts, role grants,
# and the few events that are not about one model).
_ROSTER_TYPES = frozenset({"member", "user", "rolegrant", "roster", "auditevent", "membertransfer"})


# Marked for the catalog: the page shows them through gettext (exports stay in Chinese).
_WORDS = (
    gettext_noop("、"),
    gettext_noop("等"),
    gettext_noop("共 %(count)s 条：%(names)s"),
    gettext_noop("是"),
    gettext_noop("否"),
    gettext_noop("（空）"),
    gettext_noop("："),
    gettext_noop("；"),
)


def translate_code(
    object_type: str, name: str, value: object, translate: Callable[[str], str]
) -> object:
    shown = shown_value(object_type, name, value)
    return translate(shown) if shown is not value and isinstance(shown, str) else value


def _shown(value: object, translate: Callable[[str], str]) -> str:
    if value is True or value is False:
        return translate("是") if value else translate("否")
    return translate("（空）") if value is None or value == "" else str(value)


# Words for keys that events of several kinds share, where no model field names them.
GENERIC_LABELS = {
    "status": gettext_noop("状态"),
    "name": gettext_noop("名称"),
    "title": gettext_noop("标题"),
    "reason": gettext_noop("理由"),
    "grade": gettext_noop("等次"),
    "version": gettext_noop("版本"),
    "count": gettext_noop("数量"),
    "label": gettext_noop("说明"),
    "files": gettext_noop("附件"),
    # Keys that services of several modules write beside their models' fields.
    "campaign": gettext_noop("创先争优活动"),
    "comment": gettext_noop("点评"),
    "course": gettext_noop("课程"),
    "created": gettext_noop("新增"),
    "deleted": gettext_noop("删除"),
    "updated": gettext_noop("更新"),
    "unchanged": gettext_noop("未变"),
    "evidence": gettext_noop("佐证材料"),
    "expected": gettext_noop("应到人数"),
    "holder": gettext_noop("责任人"),
    "holder_signed_by": gettext_noop("责任人签署"),
    "superior_signed_by": gettext_noop("上级签署"),
    "hours": gettext_noop("学时"),
    "item": gettext_noop("条目"),
    "items": gettext_noop("条目"),
    "members": gettext_noop("党员数"),
    "organizations": gettext_noop("党组织数"),
    "months": gettext_noop("月份"),
    "payments": gettext_noop("缴费记录"),
    "settings": gettext_noop("党费标准"),
    "phase_create": gettext_noop("创建阶段"),
    "phase_deploy": gettext_noop("部署阶段"),
    "phase_review": gettext_noop("评议阶段"),
    "phase_award": gettext_noop("表彰阶段"),
    "questions": gettext_noop("试题"),
    "round": gettext_noop("考评"),
    "scheme": gettext_noop("考评方案"),
    "subject": gettext_noop("对象"),
    "subjects": gettext_noop("考评对象数"),
    "sector": gettext_noop("所属领域"),
    "seed": gettext_noop("随机种子"),
    "today": gettext_noop("日期"),
    "year": gettext_noop("年度"),
    "checkin": gettext_noop("扫码签到"),
    "via_qr": gettext_noop("扫码签到"),
    "size": gettext_noop("文件大小"),
    "meeting": gettext_noop("会议"),
    "large_display": gettext_noop("大字模式"),
}


@functools.cache
def _model_labels(object_type: str) -> dict[str, str]:
    """The field labels (verbose names) of the model an audit event's object_type names —
    its model_name, or "<app>_<model>" as some modules write it — over GENERIC_LABELS."""
    app_label, _, rest = object_type.partition("_")
    candidates = [m for m in apps.get_models() if m._meta.model_name == object_type]
    candidates += [
        m
        for m in apps.get_models()
        if m._meta.app_label == app_label and m._meta.model_name == rest.replace("_", "")
    ]
    labels = dict(GENERIC_LABELS)
    # The source (Chinese) words, whatever language this request speaks: the result is cached
    # for every later request, and the page translates at display time.
    with translation.override(None):
        for model in candidates[:1]:
            for field in model._meta.get_fields():
                verbose = getattr(field, "verbose_name", None)
                if verbose and str(verbose) != field.name.replace("_", " "):
                    labels[field.name] = str(verbose)
    return labels


def _labels(object_type: str) -> dict[str, str]:
    if object_type == "organization":
        return ORGANIZATION_LABELS
    if object_type in _ROSTER_TYPES:
        return OTHER_LABELS
    return _model_labels(object_type)


# How many names of a batch event's objects its one line on the page shows.
BATCH_NAMES_SHOWN = 5


def _changes_text(object_type: str, changes: object, translate: Callable[[str], str] = str) -> str:
    """The before → after of each field, in the words the page uses for it: the roster's
    labels for members and accounts, the model's own field names for anything else (a
    round's `status` is not a member's 党籍状态), the key itself when neither knows it.
    `translate` renders the labels in the page's language (exports stay in Chinese). A batch
    event (many objects created at once) reads as its count and first names; its detail
    page and the export list every object."""
    if is_batch(changes):
        first = [
            entry.label for entry in itertools.islice(batch_entries(changes), BATCH_NAMES_SHOWN)
        ]
        count = batch_size(changes)
        names = translate("、").join(first) + (translate("等") if count > len(first) else "")
        return translate("共 %(count)s 条：%(names)s") % {"count": count, "names": names}
    if not isinstance(changes, dict):
        return str(changes)
    labels = _labels(object_type)
    parts = []
    for name, value in changes.items():
        label = translate(labels.get(name) or str(name))
        if isinstance(value, list) and len(value) == 2:
            # Codes read as their labels ("general" → 支部党员大会), see audit_values.py.
            before = _shown(translate_code(object_type, str(name), value[0], translate), translate)
            after = _shown(translate_code(object_type, str(name), value[1], translate), translate)
            parts.append(f"{label}{translate('：')}{before} → {after}")
        else:
            value = translate_code(object_type, str(name), value, translate)
            parts.append(f"{label}{translate('：')}{_shown(value, translate)}")
    return translate("；").join(parts)


def _rows(events: QuerySet[AuditEvent]) -> Iterator[list[str]]:
    """One line per event, and per object of a batch event (at most EXPORT_LIMIT lines)."""
    labels = dict(AuditAction.choices)
    lines = 0
    for event in events.iterator(chunk_size=200):
        head = [
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_label,
            event.ip_address or "",
            str(labels.get(event.action, event.action)),
            event.object_type,
        ]
        if is_batch(event.changes):
            objects = [
                [entry.object_id, entry.label, _changes_text(event.object_type, entry.changes)]
                for entry in batch_entries(event.changes)
            ]
        else:
            objects = [
                [
                    event.object_id,
                    event.object_label,
                    _changes_text(event.object_type, event.changes),
                ]
            ]
        for shown in objects:
            if lines >= EXPORT_LIMIT:
                return
            lines += 1
            yield [*head, *shown, event.reason]


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
    workbook = text_workbook(buffer)
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
        event.changes_text = _changes_text(  # type: ignore[attr-defined]
            event.object_type, event.changes, gettext
        )
    return render(request, "orgs/audit.html", {"form": form, "page": page})


@require_GET
def audit_event(request: HttpRequest, pk: int) -> HttpResponse:
    """One event whole: for a batch event, every object it records with its values (paged)."""
    event = _events_in_scope(viewer(request)).filter(pk=pk).first()
    if event is None:
        raise Http404("页面不存在")
    entries = list(batch_entries(event.changes))
    fields: list[str] = []
    for entry in entries:
        fields += [name for name in entry.changes if name not in fields]
    labels = _labels(event.object_type)
    page = Paginator(entries, BATCH_PAGE_SIZE).get_page(request.GET.get("page"))
    table = [
        (
            entry.object_id,
            entry.label,
            [
                _shown(entry.changes[name][1], gettext) if name in entry.changes else ""
                for name in fields
            ],
        )
        for entry in page
    ]
    return render(
        request,
        "orgs/audit_event.html",
        {
            "event": event,
            "changes_text": ""
            if entries
            else _changes_text(event.object_type, event.changes, gettext),
            "columns": [gettext(labels.get(name) or name) for name in fields],
            "page": page,
            "table": table,
        },
    )


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

"""The compliance page, its Excel export, the cadence rules and the exemptions."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import audit_record
from chuangxian.orglife.access import can_change_rules_of
from chuangxian.orglife.cadence import RuleBook
from chuangxian.orglife.compliance import ComplianceReport, report_for_user
from chuangxian.orglife.errors import OrglifeError
from chuangxian.orglife.export import compliance_workbook
from chuangxian.orglife.forms import ExemptionForm
from chuangxian.orglife.models import Exemption, Frequency, OrgClass
from chuangxian.orglife.periods import Period, PeriodError
from chuangxian.orglife.services.cadence import (
    cadence_rules_set,
    exemption_create,
    exemption_delete,
)
from chuangxian.orgs import selectors
from chuangxian.orgs.access import (
    access_organization_by_code,
    access_organization_by_id,
    scope_for,
)
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import Organization
from chuangxian.orgs.views.http import PAGE_SIZE, actor_of, viewer


def _root(request: HttpRequest) -> Organization:
    user = viewer(request)
    raw = request.GET.get("org", "")
    if raw:
        try:
            return access_organization_by_id(user, int(raw))
        except ValueError:
            raise Http404("没有找到该党组织")
    roots = selectors.tree_roots(user)
    if not roots:
        raise Http404("没有可查看的党组织")
    return roots[0]


def _period(request: HttpRequest) -> tuple[Period, str]:
    today = timezone.localdate()
    text = request.GET.get("period", "").strip()
    if not text:
        return Period.year_of(today), ""
    try:
        return Period.parse(text), ""
    except PeriodError as error:
        return Period.year_of(today), str(error)


def _report(request: HttpRequest) -> tuple[ComplianceReport, str]:
    root = _root(request)
    period, error = _period(request)
    report = report_for_user(viewer(request), root=root, period=period, today=timezone.localdate())
    return report, error


@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    report, period_error = _report(request)
    only_missed = request.GET.get("missed") == "1"
    rows = [row for row in report.rows if not row.ok] if only_missed else report.rows
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    table = [
        (row, [(label, row.result_for(meeting_type)) for meeting_type, label in report.columns])
        for row in page.object_list
    ]
    year = report.period.year
    context: dict[str, Any] = {
        "report": report,
        "page": page,
        "table": table,
        "period_error": period_error,
        "only_missed": only_missed,
        "org": report.root,
        "crumbs": selectors.breadcrumbs(user, report.root),
        "period_choices": [
            Period(year, 1, 12),
            *(Period(year, m, 3) for m in (1, 4, 7, 10)),
            *(Period(year, m, 1) for m in range(1, 13)),
        ],
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        "can_change_rules": can_change_rules_of(user, report.root),
        "children_chart": report.children[:30],
    }
    return render(request, "orglife/compliance.html", context)


@require_GET
def compliance_export(request: HttpRequest) -> HttpResponse:
    report, _error = _report(request)
    content = compliance_workbook(report)
    audit_record(
        actor=actor_of(request),
        action=AuditAction.EXPORT,
        object_type="compliance",
        object_id=str(report.root.pk),
        object_label=f"{report.root.name} {report.period.label}组织生活落实情况",
        org_path=report.root.path,
        changes={"organizations": [None, report.organizations]},
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"compliance-{report.root.code}-{report.period.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _managed_root(request: HttpRequest) -> Organization:
    user = viewer(request)
    root = _root(request)
    if not can_change_rules_of(user, root):
        raise Http404("没有找到该党组织")
    return root


@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    """The cadence rules in force for a subtree; an administrator changes them for it."""
    user = viewer(request)
    root = _managed_root(request)
    errors: list[str] = []
    if request.method == "POST":
        wanted = []
        for org_class in OrgClass.values:
            for rule in RuleBook.for_subtree(root).all_rules_for(org_class, root.path):
                key = f"{org_class}-{rule.meeting_type}"
                frequency = request.POST.get(f"freq-{key}", rule.frequency)
                try:
                    minimum = int(request.POST.get(f"min-{key}", rule.min_full_members))
                except ValueError:
                    minimum = -1
                wanted.append((org_class, rule.meeting_type, frequency, minimum))
        try:
            changed = cadence_rules_set(actor=actor_of(request), organization=root, rules=wanted)
        except OrglifeError as error:
            errors = list(error.messages)
        else:
            messages.success(request, _("频次规则已保存（%(n)s 项有变化）。") % {"n": changed})
            return redirect(f"{request.path}?org={root.pk}")
    book = RuleBook.for_subtree(root)
    context = {
        "org": root,
        "crumbs": selectors.breadcrumbs(user, root),
        "classes": [
            (value, label, book.all_rules_for(value, root.path))
            for value, label in OrgClass.choices
        ],
        "frequencies": Frequency.choices,
        "errors": errors,
    }
    return render(request, "orglife/rules.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
def exemptions(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    root = _managed_root(request)
    form = ExemptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = access_organization_by_code(user, data["organization_code"].strip())
            if not target.path.startswith(root.path) or not can_change_rules_of(user, target):
                raise Http404
        except Http404:
            form.add_error("organization_code", _("本范围内没有该组织编码"))
        else:
            try:
                exemption_create(
                    actor=actor_of(request),
                    organization=target,
                    meeting_type=data["meeting_type"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    reason=data["reason"],
                )
            except OrglifeError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已登记免于考核。"))
                return redirect(f"{request.path}?org={root.pk}")
    listed = (
        Exemption.objects.filter(organization__path__startswith=root.path)
        .filter(scope_for(user).admin_q("organization__path"))
        .select_related("organization", "created_by")
        .order_by("-starts_on", "id")
    )
    context = {
        "org": root,
        "crumbs": selectors.breadcrumbs(user, root),
        "form": form,
        "page": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, "orglife/exemptions.html", context)


@require_POST
def exemption_remove(request: HttpRequest, exemption_id: int) -> HttpResponse:
    user = viewer(request)
    found = (
        Exemption.objects.filter(scope_for(user).admin_q("organization__path"))
        .select_related("organization")
        .filter(pk=exemption_id)
        .first()
    )
    if found is None:
        raise Http404("没有找到该记录")
    back = request.POST.get("org", "")
    exemption_delete(actor=actor_of(request), exemption=found)
    messages.success(request, _("已删除该免于考核记录。"))
    root_id = int(back) if back.isdigit() else found.organization_id
    return redirect(reverse("orglife:exemptions") + f"?org={root_id}")

"""Schemes on screen: list, read, create, edit (while no round uses it) and copy; generate from
a campaign's 五好 / 五带头 standards. Administrators only, scoped by access.schemes_for."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.appraisal import metrics, scoring
from chuangxian.appraisal.access import access_scheme_by_id, can_edit_scheme, schemes_for
from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import GROUP_ORDER, Indicator, LeafKind, Round, Scheme
from chuangxian.appraisal.scheme_forms import (
    IndicatorRowFormSet,
    SchemeSettingsForm,
    blank_initial,
    initial_of,
    spec_from_forms,
)
from chuangxian.appraisal.schemes import spec_of
from chuangxian.appraisal.services import schemes_install_defaults
from chuangxian.appraisal.services.schemes import (
    scheme_create,
    scheme_from_standards,
    scheme_update,
)
from chuangxian.appraisal.views.common import messages_of
from chuangxian.campaigns.access import campaigns_for
from chuangxian.campaigns.models import Campaign, StandardKind
from chuangxian.orgs.access import administered_organizations
from chuangxian.orgs.forms.fields import OrganizationChoiceField
from chuangxian.orgs.models import Sector
from chuangxian.orgs.views.http import actor_of, viewer


class OwnerForm(SchemeSettingsForm):
    owner = OrganizationChoiceField(label=_("维护组织"), empty_label=None)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organizations  # type: ignore[attr-defined]


def _organizations(request: HttpRequest) -> Any:
    organizations = administered_organizations(viewer(request))
    if not organizations.exists():
        raise Http404("没有可管理的党组织")
    return organizations


class StandardsForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("创先争优活动"), queryset=Campaign.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(label=_("标准"), choices=StandardKind.choices)
    sector = forms.ChoiceField(
        label=_("领域（留空为通用版本）"), choices=[("", "—"), *Sector.choices], required=False
    )
    owner = OrganizationChoiceField(label=_("维护组织"), empty_label=None)

    def __init__(self, *args: Any, user: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_for(user).order_by("-year", "name")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = organizations  # type: ignore[attr-defined]


@require_GET
def schemes(request: HttpRequest) -> HttpResponse:
    organizations = _organizations(request)
    schemes_install_defaults(actor=actor_of(request))
    user = viewer(request)
    found = list(schemes_for(user).select_related("owner").order_by("subject_type", "code"))
    used = set(Round.objects.filter(scheme__in=found).values_list("scheme_id", flat=True))
    rows = [
        {"scheme": s, "in_use": s.pk in used, "editable": can_edit_scheme(user, s)} for s in found
    ]
    form = StandardsForm(user=user, organizations=organizations)
    return render(request, "appraisal/schemes.html", {"rows": rows, "standards_form": form})


@require_POST
def scheme_from_standards_view(request: HttpRequest) -> HttpResponse:
    """Generate a scheme from a campaign's 五好 / 五带头 standard for a sector."""
    user = viewer(request)
    form = StandardsForm(request.POST, user=user, organizations=_organizations(request))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("appraisal:schemes")
    data = form.cleaned_data
    try:
        scheme = scheme_from_standards(
            actor=actor_of(request),
            campaign=data["campaign"],
            kind=data["kind"],
            sector=data["sector"],
            owner=data["owner"],
        )
    except AppraisalError as error:
        for message in messages_of(error):
            messages.error(request, message)
        return redirect("appraisal:schemes")
    messages.success(request, _("已按标准生成方案，可复制或修改。"))
    return redirect("appraisal:scheme", scheme.pk)


@require_GET
def scheme_detail(request: HttpRequest, scheme_id: int) -> HttpResponse:
    user = viewer(request)
    scheme = access_scheme_by_id(user, scheme_id)
    nodes = list(Indicator.objects.filter(scheme=scheme).order_by("position"))
    depth: dict[int, int] = {}
    lines = []
    for node in nodes:
        depth[node.pk] = depth.get(node.parent_id or 0, -1) + 1 if node.parent_id else 0
        metric = metrics.get_metric(node.metric) if node.metric else None
        rule = ""
        if node.kind == LeafKind.AUTOMATIC:
            percent = metric is None or metric.unit == "rate"
            rule = scoring.rule_text(
                node.metric_rule, node.metric_floor, node.metric_target, percent=percent
            )
        lines.append({"node": node, "depth": depth[node.pk], "metric": metric, "rule": rule})
    context = {
        "scheme": scheme,
        "lines": lines,
        "rules": sorted(scheme.group_rules.all(), key=lambda r: GROUP_ORDER.index(r.group)),
        "in_use": Round.objects.filter(scheme=scheme).exists(),
        "editable": can_edit_scheme(user, scheme),
    }
    return render(request, "appraisal/scheme.html", context)


def _editor(
    request: HttpRequest,
    *,
    scheme: Scheme | None,
    initial: dict[str, Any],
    rows: list[dict[str, Any]],
    copy_of: Scheme | None = None,
) -> HttpResponse:
    """Create (scheme None) or edit; a copy is a create with the original's initial data."""
    organizations = _organizations(request)
    data = request.POST if request.method == "POST" else None
    if scheme is not None and scheme.owner is not None:
        initial = initial | {"owner": scheme.owner_id}
    settings = OwnerForm(data, initial=initial, organizations=organizations)
    formset = IndicatorRowFormSet(data, initial=rows, prefix="rows")
    problems: list[str] = []
    if data is not None and settings.is_valid() and formset.is_valid():
        spec, problems = spec_from_forms(settings, list(formset.forms))
        if not problems:
            actor = actor_of(request)
            try:
                if scheme is None:
                    saved = scheme_create(
                        actor=actor,
                        spec=spec,
                        owner=settings.cleaned_data["owner"],
                        copied_from=copy_of,
                    )
                else:
                    saved = scheme_update(actor=actor, scheme=scheme, spec=spec)
            except AppraisalError as error:
                problems = messages_of(error)
            else:
                messages.success(request, _("方案已保存。"))
                return redirect("appraisal:scheme", saved.pk)
    context = {
        "scheme": scheme,
        "copy_of": copy_of,
        "settings_form": settings,
        "formset": formset,
        "problems": problems,
    }
    return render(request, "appraisal/scheme_edit.html", context, status=400 if problems else 200)


@require_http_methods(["GET", "POST"])
def scheme_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, scheme=None, initial=blank_initial(), rows=[])


@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, scheme_id: int) -> HttpResponse:
    user = viewer(request)
    scheme = access_scheme_by_id(user, scheme_id)
    if not can_edit_scheme(user, scheme):
        raise Http404("不能修改该方案")
    if Round.objects.filter(scheme=scheme).exists():
        messages.error(request, _("该方案已被考评使用，不能修改，请复制后修改副本。"))
        return redirect("appraisal:scheme", scheme.pk)
    settings, rows = initial_of(spec_of(scheme))
    return _editor(request, scheme=scheme, initial=settings, rows=rows)


@require_http_methods(["GET", "POST"])
def scheme_copy_view(request: HttpRequest, scheme_id: int) -> HttpResponse:
    """Opens the editor on a copy of the scheme (new code and name to fill in)."""
    scheme = access_scheme_by_id(viewer(request), scheme_id)
    settings, rows = initial_of(spec_of(scheme))
    settings |= {
        "code": f"{scheme.code}_copy",
        "name": _("%(name)s（副本）") % {"name": scheme.name},
    }
    return _editor(request, scheme=None, initial=settings, rows=rows, copy_of=scheme)

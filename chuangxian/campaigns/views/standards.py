"""Standards pages: the general version, a sector's version, an organization's effective
standard with its own additions, and editing one item in its own layer."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuangxian.campaigns.access import (
    access_campaign_by_id,
    campaigns_for,
    can_manage_campaign,
    can_work_for,
)
from chuangxian.campaigns.forms import StandardEditForm, StandardItemForm
from chuangxian.campaigns.models import Campaign, StandardItem, StandardKind
from chuangxian.campaigns.selectors import (
    GENERAL,
    SECTOR,
    EffectiveItem,
    effective_standard,
    group_by_dimension,
    sectors_refined,
    standard_layer,
)
from chuangxian.campaigns.services.errors import CampaignError
from chuangxian.campaigns.services.standards import (
    standard_item_add,
    standard_item_delete,
    standard_item_update,
    standard_sector_refine,
)
from chuangxian.campaigns.views.common import access_campaign_org
from chuangxian.orgs.access import access_organization_by_id
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import Organization, Sector
from chuangxian.orgs.views.http import actor_of, viewer


def _grouped(entries: list[EffectiveItem]) -> list[tuple[str, list[Any]]]:
    return [(str(label), group_by_dimension(entries, kind)) for kind, label in StandardKind.choices]


def _layer_entries(items: list[StandardItem], origin: str, label: str) -> list[EffectiveItem]:
    return [EffectiveItem(item, origin, label) for item in items]


def _add_item(
    request: HttpRequest,
    form: StandardItemForm,
    campaign: Campaign,
    *,
    sector: str = "",
    organization: Organization | None = None,
) -> bool:
    if not form.is_valid():
        return False
    kind, dimension = form.kind_and_dimension()
    try:
        standard_item_add(
            actor=actor_of(request),
            campaign=campaign,
            kind=kind,
            dimension=dimension,
            text=form.cleaned_data["text"],
            measure=form.cleaned_data["measure"],
            sector=sector,
            organization=organization,
        )
    except CampaignError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, _("已增加细则。"))
    return True


@require_http_methods(["GET", "POST"])
def standards_general(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = viewer(request)
    campaign = access_campaign_by_id(user, campaign_id)
    can_edit = can_manage_campaign(user, campaign)
    form = StandardItemForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404("没有找到该页面")
        if _add_item(request, form, campaign):
            return redirect(request.path)
    refined = sectors_refined(campaign)
    entries = _layer_entries(standard_layer(campaign), GENERAL, _("通用标准"))
    context = {
        "campaign": campaign,
        "groups": _grouped(entries),
        "title": _("通用标准"),
        "form": form if can_edit else None,
        "can_edit": can_edit,
        "refined": refined,
        "unrefined": [s for s in Sector.values if s not in refined],
        "is_general": True,
    }
    return render(request, "campaigns/standards.html", context)


@require_http_methods(["GET", "POST"])
def standards_sector(request: HttpRequest, campaign_id: int, sector: str) -> HttpResponse:
    user = viewer(request)
    campaign = access_campaign_by_id(user, campaign_id)
    if sector not in Sector.values:
        raise Http404("没有这个领域")
    can_edit = can_manage_campaign(user, campaign)
    form = StandardItemForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404("没有找到该页面")
        if _add_item(request, form, campaign, sector=sector):
            return redirect(request.path)
    items = standard_layer(campaign, sector=sector)
    context = {
        "campaign": campaign,
        "groups": _grouped(_layer_entries(items, SECTOR, _("%(s)s领域标准") % {"s": sector})),
        "title": _("%(s)s领域标准") % {"s": sector},
        "sector": sector,
        "has_version": bool(items),
        "form": form if can_edit and items else None,
        "can_edit": can_edit,
    }
    return render(request, "campaigns/standards.html", context)


@require_POST
def standards_refine(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = viewer(request)
    campaign = access_campaign_by_id(user, campaign_id)
    if not can_manage_campaign(user, campaign):
        raise Http404("没有找到该页面")
    sector = request.POST.get("sector", "")
    try:
        count = standard_sector_refine(actor=actor_of(request), campaign=campaign, sector=sector)
    except CampaignError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("campaigns:standards", campaign.pk)
    messages.success(
        request,
        _("已从通用标准复制%(n)s条细则，作为%(s)s领域标准，可在此修改、增补。")
        % {"n": count, "s": sector},
    )
    return redirect("campaigns:standards_sector", campaign.pk, sector)


@require_http_methods(["GET", "POST"])
def standards_org(request: HttpRequest, campaign_id: int, org_id: int) -> HttpResponse:
    user = viewer(request)
    campaign, org = access_campaign_org(user, campaign_id, org_id)
    can_edit = can_work_for(user, org)
    form = StandardItemForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404("没有找到该页面")
        if _add_item(request, form, campaign, organization=org):
            return redirect(request.path)
    entries = effective_standard(campaign, org)
    context = {
        "campaign": campaign,
        "org": org,
        "groups": _grouped(entries),
        "title": _("%(org)s适用的标准") % {"org": org.name},
        "form": form if can_edit else None,
        "can_edit": can_edit,
        "own_org": org,
    }
    return render(request, "campaigns/standards.html", context)


def _access_standard_item(user: Any, item_id: int) -> StandardItem:
    """An item the user may change: its layer decides who (the campaign's administrators for
    the general and sector versions, the organization's own people for its additions)."""
    item = get_object_or_404(
        StandardItem.objects.select_related("campaign__owner", "organization"),
        pk=item_id,
        campaign__in=campaigns_for(user),
    )
    if item.organization is not None:
        org = access_organization_by_id(user, item.organization_id)  # type: ignore[arg-type]
        allowed = can_work_for(user, org)
    else:
        allowed = can_manage_campaign(user, item.campaign)
    if not allowed:
        raise Http404("没有找到该细则")
    return item


def _layer_url(item: StandardItem) -> str:
    if item.organization_id:
        return reverse("campaigns:standards_org", args=[item.campaign_id, item.organization_id])
    if item.sector:
        return reverse("campaigns:standards_sector", args=[item.campaign_id, item.sector])
    return reverse("campaigns:standards", args=[item.campaign_id])


@require_http_methods(["GET", "POST"])
def standard_item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _access_standard_item(viewer(request), item_id)
    form = StandardEditForm(
        request.POST or None, initial={"text": item.text, "measure": item.measure}
    )
    if request.method == "POST" and form.is_valid():
        try:
            standard_item_update(
                actor=actor_of(request),
                item=item,
                text=form.cleaned_data["text"],
                measure=form.cleaned_data["measure"],
            )
        except CampaignError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_layer_url(item))
    return render(
        request,
        "campaigns/standard_item_form.html",
        {"form": form, "item": item, "back": _layer_url(item)},
    )


@require_POST
def standard_item_remove(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _access_standard_item(viewer(request), item_id)
    back = _layer_url(item)
    try:
        standard_item_delete(actor=actor_of(request), item=item)
    except CampaignError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已删除细则。"))
    return redirect(back)

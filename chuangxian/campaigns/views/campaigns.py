"""The campaign list, a campaign's page, creating and editing, and its status transitions."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangxian.campaigns.access import (
    access_campaign_by_id,
    can_manage_campaign,
    letters_for,
    targets_for,
)
from chuangxian.campaigns.forms import CampaignForm
from chuangxian.campaigns.models import ACTION_LABELS, CampaignStatus
from chuangxian.campaigns.selectors import campaign_list, progress_of
from chuangxian.campaigns.services.campaigns import (
    campaign_activate,
    campaign_close,
    campaign_create,
    campaign_update,
)
from chuangxian.campaigns.services.errors import CampaignError
from chuangxian.campaigns.views.common import home_organizations
from chuangxian.orgs.access import administered_organizations
from chuangxian.orgs.forms.service_errors import add_service_errors
from chuangxian.orgs.models import OrgKind
from chuangxian.orgs.views.http import actor_of, viewer

LETTERS_ON_PAGE = 200


@require_GET
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    today = timezone.localdate()
    campaigns = list(campaign_list(user)[:100])
    rows = [(c, c.phase_on(today)) for c in campaigns]
    can_create = administered_organizations(user).exists()
    return render(
        request,
        "campaigns/list.html",
        {"rows": rows, "can_create": can_create, "today": today},
    )


@require_GET
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = viewer(request)
    campaign = access_campaign_by_id(user, campaign_id)
    today = timezone.localdate()
    phases = list(campaign.phases.all())
    current = campaign.phase_on(today)
    my_items = []
    if user.member_id:
        items = list(
            targets_for(user)
            .filter(campaign=campaign, member_id=user.member_id)
            .select_related("organization")
        )
        progress = progress_of(items)
        my_items = [(i, round(progress[i.pk] * 100)) for i in items]
    letters = list(
        letters_for(user)
        .filter(campaign=campaign)
        .select_related("organization", "superior")[:LETTERS_ON_PAGE]
    )
    context = {
        "campaign": campaign,
        "phases": phases,
        "current": current,
        "today": today,
        "allowed": [ACTION_LABELS[a] for a in campaign.allowed_actions(today)],
        "can_manage": can_manage_campaign(user, campaign),
        "homes": home_organizations(user, campaign),
        "my_items": my_items,
        "letters": letters,
    }
    return render(request, "campaigns/campaign.html", context)


@require_http_methods(["GET", "POST"])
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    owners = administered_organizations(user).exclude(kind=OrgKind.GROUP)
    if not owners.exists():
        raise Http404("没有找到该页面")
    today = timezone.localdate()
    initial = {
        "year": today.year,
        "name": _("%(year)s年度创先争优活动") % {"year": today.year},
    }
    form = CampaignForm(request.POST or None, owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(
                actor=actor_of(request), owner=form.cleaned_data["owner"], values=form.values()
            )
        except CampaignError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已创建活动，默认的五好、五带头标准已载入。"))
            return redirect(campaign)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = viewer(request)
    campaign = access_campaign_by_id(user, campaign_id)
    if not can_manage_campaign(user, campaign):
        raise Http404("没有找到该活动")
    form = CampaignForm(request.POST or None, initial=CampaignForm.initial_from(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            campaign_update(actor=actor_of(request), campaign=campaign, values=form.values())
        except CampaignError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(campaign)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@require_POST
def campaign_transition(request: HttpRequest, campaign_id: int, action: str) -> HttpResponse:
    user = viewer(request)
    campaign = access_campaign_by_id(user, campaign_id)
    if not can_manage_campaign(user, campaign):
        raise Http404("没有找到该活动")
    services = {"activate": campaign_activate, "close": campaign_close}
    if action not in services:
        raise Http404("没有这个操作")
    try:
        campaign = services[action](actor=actor_of(request), campaign=campaign)
    except CampaignError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if campaign.status == CampaignStatus.ACTIVE:
            messages.success(request, _("活动已启动。"))
        else:
            messages.success(request, _("活动已结束。"))
    return redirect(campaign)

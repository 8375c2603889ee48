"""What the campaign views share: fetching a campaign with one organization it covers."""

from typing import Any

from django.http import Http404

from chuangxian.campaigns.access import access_campaign_by_id
from chuangxian.campaigns.models import Campaign
from chuangxian.orgs.access import access_organization_by_id, scope_for
from chuangxian.orgs.models import Organization


def access_campaign_org(user: Any, campaign_id: int, org_id: int) -> tuple[Campaign, Organization]:
    """A campaign the user sees and an organization in their scope that it covers."""
    campaign = access_campaign_by_id(user, campaign_id)
    org = access_organization_by_id(user, org_id)
    if not campaign.covers(org):
        raise Http404("该组织不在本活动范围内")
    return campaign, org


def home_organizations(user: Any, campaign: Campaign) -> list[Organization]:
    """Where a user starts in a campaign: the top organizations of their scope that the
    campaign covers, or the campaign's owner when their scope lies above it."""
    scope = scope_for(user)
    found: dict[int, Organization] = {}
    for root in Organization.objects.filter(pk__in=scope.roots).order_by("path"):
        if campaign.covers(root):
            found[root.pk] = root
        elif campaign.owner.path.startswith(root.path) and scope.works_in(campaign.owner):
            found[campaign.owner.pk] = campaign.owner
    return list(found.values())

"""Who sees which campaign, target and letter; which campaign covers an organization."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from chuangxian.audit.services import Actor
from chuangxian.campaigns import access
from chuangxian.campaigns.selectors import campaign_for_organization
from chuangxian.campaigns.services.campaigns import campaign_close
from chuangxian.campaigns.services.targets import target_decompose, target_set
from tests.campaigns.conftest import DAY, make_campaign, number_target

pytestmark = pytest.mark.django_db


def _viewer(tree, name):  # type: ignore[no-untyped-def]
    return AnonymousUser() if name == "anonymous" else getattr(tree, name)


CAMPAIGN_MATRIX = [
    # viewer, owner of the campaign, visible
    ("county_admin", "county", True),  # owner
    ("county_admin", "town_a", True),  # superior of the owner
    ("town_admin", "town_a", True),
    ("town_admin", "county", True),  # the county's campaign covers the town
    ("town_admin", "town_b", False),  # sibling
    ("secretary", "county", True),  # a branch sees the county's campaign that covers it
    ("secretary", "town_a", True),
    ("secretary", "town_b", False),  # outsider
    ("secretary", "branch_a2", False),  # sibling branch
    ("member_user", "town_a", True),  # a 党员 sees the campaigns covering their branch
    ("member_user", "town_b", False),
    ("outsider", "town_a", False),
    ("outsider", "county", True),
    ("anonymous", "county", False),
]


@pytest.mark.parametrize(("viewer", "owner", "visible"), CAMPAIGN_MATRIX)
def test_campaign_matrix(tree, today, viewer, owner, visible):
    campaign = make_campaign(getattr(tree, owner), tree.county_admin, today)
    user = _viewer(tree, viewer)
    assert access.campaigns_for(user).filter(pk=campaign.pk).exists() is visible
    if visible:
        assert access.access_campaign_by_id(user, campaign.pk) == campaign
    else:
        with pytest.raises(Http404):
            access.access_campaign_by_id(user, campaign.pk)


def test_campaign_for_organization_picks_the_nearest_active_covering_campaign(tree, today):
    county = make_campaign(tree.county, tree.county_admin, today)
    town = make_campaign(tree.town_a, tree.county_admin, today)
    draft = make_campaign(tree.branch_a1, tree.county_admin, today, active=False)
    assert draft.status == "draft"
    assert campaign_for_organization(tree.branch_a1, today) == town
    assert campaign_for_organization(tree.group_a1, today) == town
    assert campaign_for_organization(tree.branch_b1, today) == county
    assert campaign_for_organization(tree.county, today) == county
    assert campaign_for_organization(tree.branch_a1, today + 200 * DAY) is None
    campaign_close(actor=Actor(), campaign=town)
    assert campaign_for_organization(tree.branch_a1, today) == county


TARGET_MATRIX = [
    # viewer, target held by, visible
    ("county_admin", "town_item", True),
    ("town_admin", "town_item", True),  # owner
    ("town_admin", "branch_item", True),
    ("secretary", "branch_item", True),  # owner
    ("secretary", "town_item", False),  # superior's item
    ("sibling_secretary", "branch_item", False),  # sibling
    ("outsider", "town_item", False),
    ("outsider", "branch_item", False),
    ("member_user", "member_item", True),  # assigned to them by name
    ("member_user", "branch_item", False),
    ("anonymous", "branch_item", False),
]


@pytest.fixture
def items(tree, county_campaign, today):  # type: ignore[no-untyped-def]
    town_item = target_set(
        actor=Actor(user=tree.county_admin),
        campaign=county_campaign,
        superior=tree.county,
        organization=tree.town_a,
        values=number_target(today),
        today=today,
    )
    branch_item = target_decompose(
        actor=Actor(user=tree.town_admin),
        parent=town_item,
        organization=tree.branch_a1,
        values=number_target(today),
        today=today,
    )
    member_item = target_decompose(
        actor=Actor(user=tree.secretary),
        parent=branch_item,
        member=tree.member_a1,
        values=number_target(today, target_value=1),
        today=today,
    )
    return {"town_item": town_item, "branch_item": branch_item, "member_item": member_item}


@pytest.mark.parametrize(("viewer", "target", "visible"), TARGET_MATRIX)
def test_target_and_letter_matrix(tree, items, viewer, target, visible):
    user = _viewer(tree, viewer)
    item = items[target]
    if visible:
        assert access.access_target_by_id(user, item.pk) == item
    else:
        with pytest.raises(Http404):
            access.access_target_by_id(user, item.pk)
    if item.letter_id is not None and viewer != "member_user":
        assert access.letters_for(user).filter(pk=item.letter_id).exists() is visible


@pytest.mark.parametrize(
    ("viewer", "org", "first_responsible"),
    [
        ("town_admin", "town_a", True),  # administrator granted on the organization
        ("secretary", "branch_a1", True),  # its 书记
        ("worker", "branch_a1", False),  # 党务干部 is not the first-responsible person
        ("county_admin", "branch_a1", False),  # a higher administrator is not either
        ("member_user", "branch_a1", False),
        ("anonymous", "branch_a1", False),
    ],
)
def test_first_responsible_person(tree, viewer, org, first_responsible):
    assert access.is_first_responsible(_viewer(tree, viewer), getattr(tree, org)) is (
        first_responsible
    )

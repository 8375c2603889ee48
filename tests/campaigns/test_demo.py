"""seed_demo_campaigns on a seeded demo township: a campaign in its doing phase, standards,
targets cascaded with progress and one signed letter."""

import random

import pytest

from chuangxian.campaigns import figures
from chuangxian.campaigns.demo import seed_demo_campaigns
from chuangxian.campaigns.models import (
    CampaignStatus,
    LetterStatus,
    ProgressReport,
    ResponsibilityLetter,
    StandardItem,
    TargetItem,
)
from chuangxian.campaigns.selectors import campaign_for_organization, effective_standard
from chuangxian.demo.services import demo_seed
from chuangxian.orgs.models import Organization, Sector

pytestmark = pytest.mark.django_db


def test_demo_campaign_is_consistent(today):
    demo_seed(members=300, seed=7, today=today)
    root = Organization.objects.get(depth=0)
    seed_demo_campaigns(root=root, today=today, rng=random.Random(1))
    campaign = campaign_for_organization(root, today)
    assert campaign is not None and campaign.status == CampaignStatus.ACTIVE
    assert campaign.year == today.year and campaign.owner == root
    assert campaign.allows("target", today) and campaign.allows("progress", today)
    assert StandardItem.objects.filter(campaign=campaign, sector=Sector.RURAL).exists()
    letters = ResponsibilityLetter.objects.filter(campaign=campaign)
    assert 6 <= letters.count() <= 7  # six branches, and the 党总支 above one of them
    # The 书记 login's branch has signed its side.
    assert letters.exclude(holder_signed_at=None).count() >= 1
    # Where both sides have a login (the township's direct branches), the letter is signed.
    signed = letters.filter(status=LetterStatus.SIGNED)
    assert all(letter.superior == root for letter in signed)
    assert TargetItem.objects.filter(campaign=campaign, member__isnull=False).exists()
    assert ProgressReport.objects.exists()
    for letter in letters:
        progress = figures.target_progress(letter.organization, campaign)
        assert progress is not None and 0 < progress < 1
    branch = letters.first().organization
    assert effective_standard(campaign, branch)

import datetime as dt

import pytest

from chuangxian.campaigns.models import Campaign, CampaignStatus, Phase, PhaseKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    campaign = Campaign.objects.create(
        name="2026年度创先争优",
        owner=tree.county,
        year=2026,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        commitment_deadline=dt.date(2026, 3, 31),
        status=CampaignStatus.ACTIVE,
    )
    for kind, start, end in [
        (PhaseKind.DEPLOY, (1, 1), (2, 28)),
        (PhaseKind.CREATE, (3, 1), (10, 31)),
        (PhaseKind.REVIEW, (11, 1), (11, 30)),
        (PhaseKind.AWARD, (12, 1), (12, 31)),
    ]:
        Phase.objects.create(
            campaign=campaign,
            kind=kind,
            starts_on=dt.date(2026, *start),
            ends_on=dt.date(2026, *end),
        )
    return campaign


@pytest.mark.parametrize(
    ("action", "day", "allowed"),
    [
        ("commit", (2, 10), True),
        ("commit", (3, 31), True),
        ("commit", (4, 1), False),  # after the commitment deadline
        ("rate", (6, 1), False),  # no rating before the rating phase
        ("rate", (11, 2), True),
        ("award", (11, 2), False),
        ("award", (12, 2), True),
    ],
)
def test_each_phase_allows_its_own_work(campaign, action, day, allowed):
    assert campaign.allows(action, dt.date(2026, *day)) is allowed


def test_nothing_is_allowed_unless_active(campaign):
    campaign.status = CampaignStatus.DRAFT
    assert not campaign.allows("commit", dt.date(2026, 2, 10))

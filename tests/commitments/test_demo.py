"""seed_demo_commitments on a seeded demo township: consistent data through the services,
reusing an existing campaign, and idempotent."""

import datetime as dt
import random

import pytest

from chuangxian.campaigns.models import Campaign
from chuangxian.commitments.demo import seed_demo_commitments
from chuangxian.commitments.figures import fulfilment_rate, organization_figures
from chuangxian.commitments.models import (
    PUBLIC_STATUSES,
    CommitmentItem,
    CommitmentSheet,
    ItemStatus,
    Rating,
)
from chuangxian.demo.services import demo_seed
from chuangxian.orgs.models import Organization

pytestmark = pytest.mark.django_db


def seed(today: dt.date) -> Organization:
    demo_seed(members=300, seed=7, today=today)
    root = Organization.objects.get(depth=0)
    seed_demo_commitments(root=root, today=today, rng=random.Random(1))
    return root


def test_demo_in_the_rating_phase_has_the_whole_lifecycle():
    today = dt.date(2026, 11, 20)
    root = seed(today)
    campaign = Campaign.objects.get(owner=root)
    items = CommitmentItem.objects.filter(sheet__campaign=campaign)
    assert items.count() >= 15
    assert CommitmentSheet.objects.filter(member=None).exists()
    statuses = set(items.values_list("status", flat=True))
    assert statuses <= PUBLIC_STATUSES  # the commitment window has closed: all published
    assert ItemStatus.FULFILLED in statuses
    assert items.filter(updates__isnull=False).exists()
    assert Rating.objects.filter(item__in=items).count() >= items.count() * 2
    rate = fulfilment_rate(root, campaign)
    assert rate is not None and 0.5 < rate <= 1.0
    rolled = organization_figures(root, campaign, rolled_up=True)
    assert rolled[root.pk].items == items.count()
    # Idempotent: a second run adds nothing.
    seed_demo_commitments(root=root, today=today, rng=random.Random(2))
    assert CommitmentItem.objects.count() == items.count()


def test_demo_early_in_the_year_reuses_the_campaign_and_leaves_work_under_review():
    today = dt.date(2026, 2, 10)
    demo_seed(members=300, seed=7, today=today)
    root = Organization.objects.get(depth=0)
    existing = Campaign.objects.create(
        name="已有活动",
        owner=root,
        year=2026,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        status="active",
    )
    existing.phases.create(
        kind="deploy", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 3, 31)
    )
    seed_demo_commitments(root=root, today=today, rng=random.Random(1))
    assert Campaign.objects.filter(owner=root).count() == 1
    statuses = set(CommitmentItem.objects.values_list("status", flat=True))
    assert ItemStatus.PUBLISHED in statuses
    assert statuses & {ItemStatus.DRAFT, ItemStatus.SUBMITTED, ItemStatus.RETURNED}
    assert not Rating.objects.exists()

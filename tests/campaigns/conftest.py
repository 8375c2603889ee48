"""Campaign fixtures: a county campaign with phases around a given day, built through the
services, and helpers to set and decompose targets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.campaigns.models import Measure, PhaseKind
from chuangxian.campaigns.services.campaigns import (
    CampaignValues,
    campaign_activate,
    campaign_create,
)
from chuangxian.campaigns.services.targets import TargetValues

DAY = dt.timedelta(days=1)


def phases_around(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """Today in the 创建争创 phase, with room on both sides."""
    return {
        PhaseKind.DEPLOY: (today - 60 * DAY, today - 31 * DAY),
        PhaseKind.CREATE: (today - 30 * DAY, today + 30 * DAY),
        PhaseKind.REVIEW: (today + 31 * DAY, today + 60 * DAY),
        PhaseKind.AWARD: (today + 61 * DAY, today + 90 * DAY),
    }


def campaign_values(today: dt.date, **changes: object) -> CampaignValues:
    values = CampaignValues(
        name=f"{today.year}年度创先争优活动",
        year=today.year,
        starts_on=today - 60 * DAY,
        ends_on=today + 90 * DAY,
        commitment_deadline=today,
        phases=phases_around(today),
    )
    for name, value in changes.items():
        setattr(values, name, value)
    return values


def make_campaign(owner, user, today: dt.date, *, active: bool = True):  # type: ignore[no-untyped-def]
    actor = Actor(user=user)
    campaign = campaign_create(actor=actor, owner=owner, values=campaign_values(today))
    if active:
        campaign = campaign_activate(actor=actor, campaign=campaign)
    return campaign


def number_target(today: dt.date, **changes: object) -> TargetValues:
    values = TargetValues(
        title="发展党员",
        weight=Decimal(10),
        measure=Measure.NUMBER,
        unit="名",
        baseline=Decimal(0),
        target_value=Decimal(4),
        deadline=today + 20 * DAY,
    )
    for name, value in changes.items():
        setattr(values, name, value)
    return values


def done_target(today: dt.date, **changes: object) -> TargetValues:
    values = TargetValues(
        title="完成党群服务中心建设",
        weight=Decimal(10),
        measure=Measure.DONE,
        deadline=today + 20 * DAY,
    )
    for name, value in changes.items():
        setattr(values, name, value)
    return values


@pytest.fixture
def county_campaign(tree, today):  # type: ignore[no-untyped-def]
    return make_campaign(tree.county, tree.county_admin, today)


@pytest.fixture
def live_today() -> dt.date:
    """The server's today, for tests going through views (which read the clock)."""
    return timezone.localdate()


@pytest.fixture
def live_campaign(tree, live_today):  # type: ignore[no-untyped-def]
    return make_campaign(tree.county, tree.county_admin, live_today)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"

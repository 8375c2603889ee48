"""Campaign cycles: creation with validated phases, editing, and the status machine."""

import datetime as dt

import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.campaigns.models import Campaign, CampaignStatus, PhaseKind, StandardItem
from chuangxian.campaigns.services.campaigns import (
    campaign_activate,
    campaign_close,
    campaign_create,
    campaign_update,
)
from chuangxian.campaigns.services.errors import CampaignError
from chuangxian.campaigns.standard_defaults import MEMBER_DEFAULTS, ORG_DEFAULTS
from tests.campaigns.conftest import DAY, campaign_values

pytestmark = pytest.mark.django_db


def test_create_writes_phases_default_standards_and_an_audit_row(tree, today):
    actor = Actor(user=tree.county_admin)
    campaign = campaign_create(actor=actor, owner=tree.county, values=campaign_values(today))
    assert campaign.status == CampaignStatus.DRAFT
    assert [p.kind for p in campaign.phases.order_by("starts_on")] == [
        PhaseKind.DEPLOY,
        PhaseKind.CREATE,
        PhaseKind.REVIEW,
        PhaseKind.AWARD,
    ]
    expected = sum(len(v) for v in ORG_DEFAULTS.values()) + sum(
        len(v) for v in MEMBER_DEFAULTS.values()
    )
    assert StandardItem.objects.filter(campaign=campaign, sector="").count() == expected
    # Every dimension of both standards has at least two quantified sub-items.
    assert all(len(items) >= 2 for items in [*ORG_DEFAULTS.values(), *MEMBER_DEFAULTS.values()])
    assert all(measure for items in ORG_DEFAULTS.values() for _text, measure in items)
    event = AuditEvent.objects.get(object_type="campaign", action="create")
    assert event.org_path == tree.county.path
    assert event.actor == tree.county_admin


def _phases_with(today, kind, start, end):  # type: ignore[no-untyped-def]
    values = campaign_values(today)
    values.phases[kind] = (start, end)
    return values


@pytest.mark.parametrize(
    ("make", "field", "message"),
    [
        (
            lambda t: campaign_values(t, ends_on=t - 90 * DAY),
            "ends_on",
            "结束日期应晚于开始日期",
        ),
        (
            lambda t: _phases_with(t, PhaseKind.AWARD, t + 61 * DAY, t + 200 * DAY),
            "award_starts_on",
            "阶段应在活动起止日期之内",
        ),
        (
            # 点评评议 starting inside 创建争创: overlapping
            lambda t: _phases_with(t, PhaseKind.REVIEW, t + 10 * DAY, t + 60 * DAY),
            "review_starts_on",
            "应在“创建争创”阶段结束之后开始",
        ),
        (
            # 部署 after 创建争创: out of order
            lambda t: _phases_with(t, PhaseKind.DEPLOY, t + 40 * DAY, t + 45 * DAY),
            "create_starts_on",
            "应在“部署”阶段结束之后开始",
        ),
        (
            lambda t: _phases_with(t, PhaseKind.CREATE, t + 5 * DAY, t - 5 * DAY),
            "create_ends_on",
            "结束日期不能早于开始日期",
        ),
        (
            lambda t: campaign_values(t, commitment_deadline=t + 365 * DAY),
            "commitment_deadline",
            "承诺截止日期应在活动期间内",
        ),
        (lambda t: campaign_values(t, name="  "), "name", "不能为空"),
    ],
)
def test_invalid_campaign_is_refused_with_chinese_message_and_nothing_written(
    tree, today, make, field, message
):
    with pytest.raises(CampaignError) as refused:
        campaign_create(actor=Actor(user=tree.county_admin), owner=tree.county, values=make(today))
    assert message in " ".join(refused.value.message_dict[field])
    assert not Campaign.objects.exists()
    assert not StandardItem.objects.exists()
    assert not AuditEvent.objects.filter(object_type="campaign").exists()


def test_missing_phase_is_reported(tree, today):
    values = campaign_values(today)
    del values.phases[PhaseKind.AWARD]
    with pytest.raises(CampaignError) as refused:
        campaign_create(actor=Actor(), owner=tree.county, values=values)
    assert "评选表彰" in refused.value.message_dict["award_starts_on"][0]


def test_status_machine_checks_the_source_state_and_audits(tree, today):
    actor = Actor(user=tree.county_admin)
    campaign = campaign_create(actor=actor, owner=tree.county, values=campaign_values(today))
    with pytest.raises(CampaignError, match="只有进行中的活动才能结束"):
        campaign_close(actor=actor, campaign=campaign)
    campaign = campaign_activate(actor=actor, campaign=campaign)
    assert campaign.status == CampaignStatus.ACTIVE
    with pytest.raises(CampaignError, match="只有筹备中的活动才能启动"):
        campaign_activate(actor=actor, campaign=campaign)
    campaign = campaign_close(actor=actor, campaign=campaign)
    assert Campaign.objects.get().status == CampaignStatus.CLOSED
    transitions = list(
        AuditEvent.objects.filter(object_type="campaign", action="update")
        .order_by("id")
        .values_list("changes", "reason")
    )
    assert transitions == [
        ({"status": ["draft", "active"]}, "启动活动"),
        ({"status": ["active", "closed"]}, "结束活动"),
    ]
    with pytest.raises(CampaignError, match="活动已结束，不能再修改"):
        campaign_update(actor=actor, campaign=campaign, values=campaign_values(today))


def test_update_changes_phases_and_records_the_difference(tree, today):
    actor = Actor(user=tree.county_admin)
    campaign = campaign_create(actor=actor, owner=tree.county, values=campaign_values(today))
    values = campaign_values(today, name="新名称")
    values.phases[PhaseKind.AWARD] = (today + 70 * DAY, today + 90 * DAY)
    campaign_update(actor=actor, campaign=campaign, values=values)
    campaign.refresh_from_db()
    assert campaign.name == "新名称"
    assert campaign.phases.get(kind=PhaseKind.AWARD).starts_on == today + 70 * DAY
    event = AuditEvent.objects.filter(object_type="campaign", action="update").get()
    assert set(event.changes) == {"name", "phase_award"}


def test_allows_follows_the_phases_of_a_created_campaign(tree, today):
    actor = Actor(user=tree.county_admin)
    campaign = campaign_create(actor=actor, owner=tree.county, values=campaign_values(today))
    assert not campaign.allows("target", today)  # draft: nothing yet
    campaign = campaign_activate(actor=actor, campaign=campaign)
    assert campaign.allows("target", today)
    assert campaign.allows("progress", today)
    assert not campaign.allows("review", today)
    assert campaign.allows("review", today + 40 * DAY)
    assert not campaign.allows("target", today + 40 * DAY)
    assert campaign.allows("award", today + 70 * DAY)
    assert not campaign.allows("commit", today + DAY)  # after the commitment deadline
    assert campaign.allowed_actions(today) == ["commit", "target", "progress"]
    assert not campaign.allows("progress", dt.date(today.year + 5, 1, 1))

"""A campaign owned by the county with one phase around today whose kind a test switches
(部署/创建 for 定诺 and 践诺, 点评评议 for 评诺), and helpers that walk items through the real
services to the status a test needs."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.campaigns.models import Campaign, CampaignStatus, Phase, PhaseKind
from chuangxian.commitments import services
from chuangxian.commitments.models import CommitmentItem, CommitmentSheet, ItemStatus


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def now() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def campaign(tree, now):  # type: ignore[no-untyped-def]
    campaign = Campaign.objects.create(
        name="创先争优测试活动",
        owner=tree.county,
        year=now.year,
        starts_on=now - dt.timedelta(days=200),
        ends_on=now + dt.timedelta(days=200),
        status=CampaignStatus.ACTIVE,
    )
    Phase.objects.create(
        campaign=campaign,
        kind=PhaseKind.DEPLOY,
        starts_on=now - dt.timedelta(days=30),
        ends_on=now + dt.timedelta(days=30),
    )
    return campaign


@pytest.fixture
def set_phase(campaign) -> Callable[[str], None]:  # type: ignore[no-untyped-def]
    def switch(kind: str) -> None:
        Phase.objects.filter(campaign=campaign).update(kind=kind)

    return switch


def actor_for(user) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(user=user)


def values(**overrides: object) -> services.ItemValues:
    base: dict[str, object] = {
        "kind": "deed",
        "dimension": "serve",
        "text": "为村里孤寡老人每月上门服务一次",
        "due_on": timezone.localdate() + dt.timedelta(days=60),
        "target_value": Decimal("12"),
        "target_unit": "次",
    }
    base.update(overrides)
    return services.ItemValues(**base)  # type: ignore[arg-type]


@pytest.fixture
def sheet(tree, campaign, now) -> CommitmentSheet:  # type: ignore[no-untyped-def]
    return services.sheet_open(
        actor=actor_for(tree.member_user), campaign=campaign, member=tree.member_a1, today=now
    )


@pytest.fixture
def make_item(tree, sheet, set_phase, now):  # type: ignore[no-untyped-def]
    """An item of 张三's sheet walked through the services to `status`."""

    def make(
        status: str = ItemStatus.DRAFT, target: CommitmentSheet | None = None
    ) -> CommitmentItem:
        target = target or sheet
        member, secretary = actor_for(tree.member_user), actor_for(tree.secretary)
        reviewer = secretary if target.member_id else actor_for(tree.town_admin)
        set_phase(PhaseKind.DEPLOY)
        item = services.item_add(actor=member, sheet=target, values=values(), today=now)
        steps: list[Callable[[], object]] = []
        if status == ItemStatus.DRAFT:
            return item
        steps.append(lambda: services.item_submit(actor=member, item=item, today=now))
        if status == ItemStatus.RETURNED:
            steps.append(
                lambda: services.item_return(
                    actor=reviewer, item=item, reason="不够具体", today=now
                )
            )
        elif status != ItemStatus.SUBMITTED:
            steps.append(lambda: services.item_approve(actor=reviewer, item=item, today=now))
            if status != ItemStatus.APPROVED:
                steps.append(lambda: services.item_publish(actor=reviewer, item=item, today=now))
        for step in steps:
            step()
        later = {
            ItemStatus.IN_PROGRESS: ["progress"],
            ItemStatus.FULFILLED: ["fulfil"],
            ItemStatus.UNMET: ["unmet"],
            ItemStatus.RATED: ["fulfil", "close"],
        }.get(status, [])
        if later:
            set_phase(PhaseKind.CREATE)
        for step_name in later:
            if step_name == "progress":
                services.progress_report(actor=member, item=item, text="已上门4次", today=now)
            elif step_name == "fulfil":
                services.item_fulfil(actor=member, item=item, note="全年完成", today=now)
            elif step_name == "unmet":
                services.item_mark_unmet(
                    actor=member, item=item, explanation="外出务工未能完成", today=now
                )
            else:
                services.item_close_rating(actor=reviewer, item=item, today=now)
        item.refresh_from_db()
        assert item.status == status
        return item

    return make


@pytest.fixture
def client_as(client: Client, tree) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    def login(name: str) -> Client:
        if name != "anonymous":
            client.force_login(getattr(tree, name))
        return client

    return login

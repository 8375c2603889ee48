"""Demo data for the campaigns module: the year's campaign of the demo township, its default
standards with a refined 农村 version, and targets cascaded to a few branches with progress.
Written through the services, so every row is valid and audited like real use."""

import datetime as dt
import random
from dataclasses import replace
from decimal import Decimal

from chuangxian.audit.services import Actor
from chuangxian.campaigns.dimensions import MemberDimension, OrgDimension
from chuangxian.campaigns.models import Campaign, Measure, PhaseKind, StandardKind, TargetItem
from chuangxian.campaigns.services.campaigns import (
    CampaignValues,
    campaign_activate,
    campaign_create,
)
from chuangxian.campaigns.services.letters import HOLDER, SUPERIOR, letter_sign
from chuangxian.campaigns.services.standards import standard_item_add, standard_sector_refine
from chuangxian.campaigns.services.targets import (
    TargetValues,
    target_decompose,
    target_report_progress,
    target_set,
)
from chuangxian.orgs.models import (
    Member,
    MemberStatus,
    Organization,
    OrgKind,
    Role,
    RoleGrant,
    Sector,
)

DEMO_ACTOR = Actor(label="seed_demo")
BRANCHES_WITH_TARGETS = 6


def _phases(today: dt.date) -> tuple[dt.date, dt.date, dict[str, tuple[dt.date, dt.date]]]:
    """The calendar year when today falls in its 创建争创 months (March to November);
    otherwise a window around today, so the demo always opens in the doing phase."""
    year = today.year
    create = (dt.date(year, 3, 1), dt.date(year, 11, 30))
    if create[0] <= today <= create[1]:
        return (
            dt.date(year, 1, 1),
            dt.date(year, 12, 31),
            {
                PhaseKind.DEPLOY: (dt.date(year, 1, 1), dt.date(year, 2, 28)),
                PhaseKind.CREATE: create,
                PhaseKind.REVIEW: (dt.date(year, 12, 1), dt.date(year, 12, 20)),
                PhaseKind.AWARD: (dt.date(year, 12, 21), dt.date(year, 12, 31)),
            },
        )
    day = dt.timedelta(days=1)
    starts = today - 60 * day
    phases: dict[str, tuple[dt.date, dt.date]] = {
        PhaseKind.DEPLOY: (starts, today - 31 * day),
        PhaseKind.CREATE: (today - 30 * day, today + 60 * day),
        PhaseKind.REVIEW: (today + 61 * day, today + 80 * day),
        PhaseKind.AWARD: (today + 81 * day, today + 95 * day),
    }
    return starts, today + 95 * day, phases


def _targets(today: dt.date, ends: dt.date) -> list[TargetValues]:
    soon = min(today + dt.timedelta(days=5), ends)
    late = ends - dt.timedelta(days=15)
    return [
        TargetValues(
            title="发展党员",
            weight=Decimal(20),
            measure=Measure.NUMBER,
            unit="名",
            baseline=Decimal(0),
            target_value=Decimal(2),
            deadline=late,
            dimension=OrgDimension.MEMBERSHIP,
        ),
        TargetValues(
            title="村集体经济收入",
            weight=Decimal(30),
            measure=Measure.NUMBER,
            unit="万元",
            baseline=Decimal(8),
            target_value=Decimal(12),
            deadline=late,
            dimension=OrgDimension.PERFORMANCE,
        ),
        TargetValues(
            title="全年召开支部党员大会不少于4次",
            weight=Decimal(20),
            measure=Measure.NUMBER,
            unit="次",
            baseline=Decimal(0),
            target_value=Decimal(4),
            deadline=soon,
            dimension=OrgDimension.MECHANISM,
        ),
        TargetValues(
            title="完成党群服务中心标准化建设",
            weight=Decimal(20),
            measure=Measure.DONE,
            deadline=soon,
            dimension=OrgDimension.REPUTATION,
        ),
        TargetValues(
            title="不发生重大安全生产事故和群体性事件",
            weight=Decimal(10),
            measure=Measure.DONE,
            deadline=late,
            veto=True,
        ),
    ]


def seed_demo_campaigns(*, root: Organization, today: dt.date, rng: random.Random) -> None:
    starts, ends, phases = _phases(today)
    campaign = campaign_create(
        actor=DEMO_ACTOR,
        owner=root,
        values=CampaignValues(
            name=f"{today.year}年度创先争优活动",
            year=today.year,
            starts_on=starts,
            ends_on=ends,
            commitment_deadline=phases[PhaseKind.CREATE][0] + dt.timedelta(days=30),
            description="围绕“五个好”“五带头”目标，开展创建先进基层党组织、争当优秀共产党员活动。",
            phases=phases,
        ),
    )
    campaign = campaign_activate(actor=DEMO_ACTOR, campaign=campaign)
    standard_sector_refine(actor=DEMO_ACTOR, campaign=campaign, sector=Sector.RURAL)
    standard_item_add(
        actor=DEMO_ACTOR,
        campaign=campaign,
        kind=StandardKind.ORG,
        dimension=OrgDimension.PERFORMANCE,
        text="带领群众发展特色产业，村集体经济收入逐年增长",
        measure="村集体经济年收入增长不低于10%",
        sector=Sector.RURAL,
    )
    standard_item_add(
        actor=DEMO_ACTOR,
        campaign=campaign,
        kind=StandardKind.MEMBER,
        dimension=MemberDimension.SERVE,
        text="农村党员结对帮扶困难户",
        measure="每名有劳动能力的党员帮扶不少于1户",
        sector=Sector.RURAL,
    )
    # The branch of the demo logins first (it may sit under a 党总支), so the 书记 login sees
    # its targets at once; then the township's first direct branches.
    login_branches = list(
        Organization.objects.filter(
            role_grants__role=Role.SECRETARY, path__startswith=root.path
        ).distinct()
    )
    direct = list(
        Organization.objects.filter(
            parent=root, kind__in=[OrgKind.BRANCH, OrgKind.JOINT_BRANCH]
        ).order_by("code")
    )
    branches = login_branches + [b for b in direct if b not in login_branches]
    chosen = branches[:BRANCHES_WITH_TARGETS]
    if chosen:
        standard_item_add(
            actor=DEMO_ACTOR,
            campaign=campaign,
            kind=StandardKind.ORG,
            dimension=OrgDimension.MECHANISM,
            text="每月10日为党员固定活动日，组织党员开展志愿服务",
            measure="全年不少于12次",
            organization=chosen[0],
        )
    for branch in chosen:
        _branch_targets(campaign, root, branch, today, ends, rng)


def _branch_targets(
    campaign: Campaign,
    root: Organization,
    branch: Organization,
    today: dt.date,
    ends: dt.date,
    rng: random.Random,
) -> None:
    items = [
        _branch_item(campaign, root, branch, values, today) for values in _targets(today, ends)
    ]
    members = list(
        Member.objects.filter(
            organization__path__startswith=branch.path, status=MemberStatus.ACTIVE
        )
        .exclude(party_post="")
        .order_by("name")[:2]
    )
    parts = []
    if members:
        # 发展党员 split between the committee members who look after the candidates.
        for member in members:
            parts.append(
                target_decompose(
                    actor=DEMO_ACTOR,
                    parent=items[0],
                    member=member,
                    values=TargetValues(
                        title=f"培养考察入党积极分子（{member.name}联系）",
                        weight=Decimal(10),
                        measure=Measure.NUMBER,
                        unit="名",
                        baseline=Decimal(0),
                        target_value=Decimal(1),
                        deadline=items[0].deadline,
                        dimension=OrgDimension.MEMBERSHIP,
                    ),
                    today=today,
                )
            )
    else:
        parts.append(items[0])
    for part in parts:
        if rng.random() < 0.6:
            target_report_progress(
                actor=DEMO_ACTOR,
                item=part,
                value=Decimal(1),
                note="已确定入党积极分子，正在培养考察。",
                today=today,
            )
    income = Decimal(8) + Decimal(rng.randint(5, 35)) / 10
    target_report_progress(
        actor=DEMO_ACTOR,
        item=items[1],
        value=income,
        note=f"截至目前村集体经济收入{income}万元。",
        today=today,
    )
    meetings = Decimal(rng.randint(2, 4))
    target_report_progress(
        actor=DEMO_ACTOR,
        item=items[2],
        value=meetings,
        note=f"已召开支部党员大会{meetings}次，会议记录齐全。",
        today=today,
    )
    if rng.random() < 0.5:
        target_report_progress(
            actor=DEMO_ACTOR,
            item=items[3],
            done=True,
            note="党群服务中心完成改造并投入使用。",
            today=today,
        )
    _sign_if_possible(root, branch, items[0])


def _branch_item(
    campaign: Campaign,
    root: Organization,
    branch: Organization,
    values: TargetValues,
    today: dt.date,
) -> TargetItem:
    """A target held by `branch`: set by the township directly, or, for a branch further
    down (under a 党总支, or several levels below a province-sized root), set for the root's
    child on the way and decomposed level by level to the branch."""
    if branch.parent_id == root.pk or branch.parent is None:
        return target_set(
            actor=DEMO_ACTOR,
            campaign=campaign,
            superior=root,
            organization=branch,
            values=values,
            today=today,
        )
    ids = branch.ancestor_ids
    chain_ids = [*ids[ids.index(root.pk) + 1 :], branch.pk] if root.pk in ids else [branch.pk]
    by_id = Organization.objects.in_bulk(chain_ids)
    chain = [by_id[i] for i in chain_ids]
    held = TargetItem.objects.filter(
        campaign=campaign, organization=chain[0], title=values.title, parent=None
    ).first() or target_set(
        actor=DEMO_ACTOR,
        campaign=campaign,
        superior=root,
        organization=chain[0],
        values=replace(values),
        today=today,
    )
    for org in chain[1:]:
        held = TargetItem.objects.filter(
            campaign=campaign, organization=org, parent=held
        ).first() or target_decompose(
            actor=DEMO_ACTOR, parent=held, organization=org, values=replace(values), today=today
        )
    return held


def _sign_if_possible(root: Organization, branch: Organization, item: TargetItem) -> None:
    """Each first-responsible person signs where the demo has a login for them (the letter is
    signed once both have; a 党总支 without a login leaves its side open, as in real life)."""
    letter = item.letter
    if letter is None:
        return
    for side, org in ((SUPERIOR, branch.parent or root), (HOLDER, branch)):
        grant = (
            RoleGrant.objects.filter(organization=org, role__in=[Role.SECRETARY, Role.ADMIN])
            .select_related("user")
            .order_by("id")
            .first()
        )
        if grant is not None:
            letter = letter_sign(
                actor=Actor(user=grant.user, label="seed_demo"),
                letter=letter,
                side=side,
                user=grant.user,
            )

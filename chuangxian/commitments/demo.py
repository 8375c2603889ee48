"""Demo commitments for the demo township: members' and branches' sheets walked through the
real services on days the campaign's phases allow, up to `today` — so a demo seeded in
February shows drafts under review, one seeded in November shows progress, comments and
ratings."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from chuangxian.audit.services import Actor
from chuangxian.campaigns.models import Campaign, CampaignStatus, Phase, PhaseKind
from chuangxian.commitments import services
from chuangxian.commitments.models import CommitmentItem, CommitmentSheet, RaterGroup
from chuangxian.orgs.models import Member, MemberStatus, Organization, OrgKind, Role, User
from chuangxian.orgs.models.organization import BRANCH_KINDS

SEED = Actor(label="seed_demo")
BRANCHES = 5
MEMBERS_PER_BRANCH = 4

# (kind, 五带头 dimension, text, number, unit, (保底, 努力, 争取))
MEMBER_ITEMS = [
    ("common", "study", "每月参加支部集中学习，撰写学习心得", 12, "篇", None),
    (
        "common",
        "discipline",
        "遵守党章党规，按时足额交纳党费",
        None,
        "",
        ("按时交纳", "带头宣讲", "带动身边党员"),
    ),
    ("post", "excel", "推广稻虾共养技术，带动农户增收", 5, "户", None),
    ("post", "serve", "为村里留守老人代办医保、养老认证等事项", 20, "件", None),
    ("deed", "serve", "结对帮扶1户困难家庭，每月走访", 12, "次", None),
    (
        "deed",
        "integrity",
        "参与村里移风易俗宣传，劝导红白喜事简办",
        None,
        "",
        ("参与宣传", "劝导2户", "劝导5户"),
    ),
    ("post", "excel", "带头发展庭院经济，示范种植特色果蔬", 3, "亩", None),
    ("deed", "serve", "参加志愿服务，清理河道和村道垃圾", 24, "小时", None),
    (
        "common",
        "study",
        "学习使用“学习强国”，带动身边党员一起学",
        None,
        "",
        ("坚持每日学习", "带动3人", "带动10人"),
    ),
    ("deed", "integrity", "调解邻里纠纷，化解矛盾在基层", 6, "起", None),
]
# (kind, 五好 dimension, text, number, unit)
ORG_ITEMS = [
    ("common", "mechanism", "按期规范开展“三会一课”和主题党日", 12, "次"),
    ("deed", "performance", "硬化村组道路，解决群众出行难", 2, "公里"),
    ("deed", "reputation", "为群众办实事，建成村级便民服务点", 1, "个"),
    ("post", "membership", "发展培养入党积极分子", 2, "名"),
]
PROGRESS_TEXTS = [
    "本季度已按计划推进，完成阶段任务",
    "克服农忙困难，利用晚上时间开展",
    "与村委会一起落实，群众反映良好",
    "已完成大部分工作，下阶段加快进度",
]
COMMENTS = ["承诺具体实在，望持续抓好落实", "进展明显，群众认可度高", "要注意留存过程资料"]


def _campaign(root: Organization, today: dt.date) -> Campaign:
    """The root's latest campaign (another module's seed may have made it), else a new one."""
    existing = Campaign.objects.filter(owner=root).order_by("-year", "-starts_on").first()
    if existing is not None:
        return existing
    year = today.year
    campaign = Campaign.objects.create(
        name=f"{year}年度创先争优活动",
        owner=root,
        year=year,
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
        commitment_deadline=dt.date(year, 3, 31),
        status=CampaignStatus.ACTIVE,
        description="定诺、审诺、公诺、践诺、评诺，全年推进",
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
            starts_on=dt.date(year, *start),
            ends_on=dt.date(year, *end),
        )
    return campaign


def _open_days(campaign: Campaign, action: str, today: dt.date) -> list[dt.date]:
    last = min(today, campaign.ends_on)
    days = (last - campaign.starts_on).days + 1
    candidates = (campaign.starts_on + dt.timedelta(days=n) for n in range(max(days, 0)))
    return [day for day in candidates if campaign.allows(action, day)]


def _values(
    rng: random.Random, template: tuple[Any, ...], due_from: dt.date, due_to: dt.date
) -> services.ItemValues:
    kind, dimension, text, number, unit, *rest = template
    levels = rest[0] if rest else None
    span = max((due_to - due_from).days, 0)
    due = due_from + dt.timedelta(days=rng.randint(span // 2, span)) if span else due_to
    return services.ItemValues(
        kind=kind,
        dimension=dimension,
        text=text,
        due_on=due,
        target_value=Decimal(number) if number is not None else None,
        target_unit=unit,
        level_commit=levels[0] if levels else "",
        level_target=levels[1] if levels else "",
        level_stretch=levels[2] if levels else "",
    )


def seed_demo_commitments(*, root: Organization, today: dt.date, rng: random.Random) -> None:
    """Sheets for the members of the first branches of `root` (and the branches' own 五好
    sheets), as far along the lifecycle as the campaign allows by `today`. Does nothing when
    the campaign already has sheets, or has no 定诺 day up to `today`."""
    campaign = _campaign(root, today)
    campaign = Campaign.objects.prefetch_related("phases").get(pk=campaign.pk)
    if CommitmentSheet.objects.filter(
        campaign=campaign, organization__path__startswith=root.path
    ).exists():
        return
    commit_days = _open_days(campaign, "commit", today)
    if not commit_days:
        return
    draft_day = commit_days[0]
    publish_day = commit_days[min(len(commit_days) - 1, 10)]
    progress_days = [d for d in _open_days(campaign, "progress", today) if d > publish_day]
    rate_days = [d for d in _open_days(campaign, "rate", today) if d > publish_day]
    commit_still_open = campaign.allows("commit", today)
    superior = User.objects.filter(
        role_grants__organization=root, role_grants__role=Role.ADMIN
    ).first()
    superior_actor = Actor(user=superior) if superior is not None else SEED
    branches = list(
        Organization.objects.filter(path__startswith=root.path, kind__in=BRANCH_KINDS).order_by(
            "path"
        )[:BRANCHES]
    )
    for index, branch in enumerate(branches):
        members = list(
            Member.objects.filter(
                organization__path__startswith=branch.path, status=MemberStatus.ACTIVE
            )
            .filter(organization__kind__in=[*BRANCH_KINDS, OrgKind.GROUP])
            .order_by("id")
        )
        chosen = rng.sample(members, min(MEMBERS_PER_BRANCH, len(members)))
        sheets = [
            services.sheet_open(actor=SEED, campaign=campaign, member=member, today=draft_day)
            for member in chosen
        ]
        if index < 3:
            sheets.append(
                services.sheet_open(
                    actor=SEED, campaign=campaign, organization=branch, today=draft_day
                )
            )
        for sheet in sheets:
            if sheet.member_id is not None:
                templates = rng.sample(MEMBER_ITEMS, rng.randint(2, 3))
            else:
                templates = [(*t, None) for t in rng.sample(ORG_ITEMS, 2)]
            for template in templates:
                values = _values(
                    rng, template, publish_day + dt.timedelta(days=60), campaign.ends_on
                )
                item = services.item_add(actor=SEED, sheet=sheet, values=values, today=draft_day)
                _advance(
                    item=item,
                    rng=rng,
                    draft_day=draft_day,
                    publish_day=publish_day,
                    commit_still_open=commit_still_open,
                    progress_days=progress_days,
                    rate_days=rate_days,
                    superior=superior,
                    superior_actor=superior_actor,
                    root=root,
                )


def _advance(
    *,
    item: CommitmentItem,
    rng: random.Random,
    draft_day: dt.date,
    publish_day: dt.date,
    commit_still_open: bool,
    progress_days: list[dt.date],
    rate_days: list[dt.date],
    superior: User | None,
    superior_actor: Actor,
    root: Organization,
) -> None:
    roll = rng.random()
    if commit_still_open and roll < 0.15:
        return  # still a draft
    services.item_submit(actor=SEED, item=item, today=draft_day)
    if commit_still_open and roll < 0.3:
        return  # waiting for review
    if commit_still_open and roll < 0.36:
        services.item_return(actor=SEED, item=item, reason="目标不够具体，请量化", today=draft_day)
        return
    services.item_approve(actor=SEED, item=item, today=draft_day)
    services.item_publish(actor=SEED, item=item, today=publish_day)
    reports = sorted(rng.sample(progress_days, min(len(progress_days), rng.randint(1, 3))))
    for day in reports:
        services.progress_report(
            actor=SEED,
            item=item,
            text=rng.choice(PROGRESS_TEXTS),
            achieved_value=(
                (item.target_value * Decimal(rng.randint(3, 10)) / 10).quantize(Decimal("1"))
                if item.target_value is not None
                else None
            ),
            today=day,
        )
    if reports and rng.random() < 0.4:
        services.comment_add(
            actor=superior_actor, item=item, organization=root, text=rng.choice(COMMENTS)
        )
    if not rate_days or not reports:
        return
    outcome_day = progress_days[-1]
    if rng.random() < 0.85:
        services.item_fulfil(actor=SEED, item=item, note="已按承诺完成", today=outcome_day)
    else:
        services.item_mark_unmet(
            actor=SEED,
            item=item,
            explanation="受天气和资金影响未能全部完成，已列入明年计划",
            today=outcome_day,
        )
    rate_day = rate_days[-1]
    for n in range(rng.randint(2, 6)):
        services.rating_record(
            actor=Actor(label="群众（扫码评价）"),
            item=item,
            group=RaterGroup.PUBLIC,
            score=rng.choices([100, 60, 0], weights=[7, 2, 1])[0],
            device_id=f"demo-{item.pk}-{n}-{rng.random()}",
            today=rate_day,
        )
    if superior is not None:
        services.rating_record(
            actor=superior_actor,
            item=item,
            group=RaterGroup.SUPERIOR,
            score=rng.choice([100, 100, 60]),
            rater=superior,
            today=rate_day,
        )

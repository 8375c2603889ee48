"""Demo support and guarantees for the demo township, written through the services: the lagging
organizations the records show (plus one marked by hand) with support plans at different
stages, members in hardship with care visits, a pairing and a leader's contact point, the
year's work funds passed down to the branches and spent against receipts, and the guarantees
checklists of villages and communities with a few gaps."""

import datetime as dt
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from chuangxian.audit.services import Actor
from chuangxian.orgs.models import Member, MemberStatus, Organization, Sector
from chuangxian.orgs.models.organization import BRANCH_KINDS
from chuangxian.support.checklists import checklists_for
from chuangxian.support.lagging import lagging_among
from chuangxian.support.models import FundKind, HardshipKind, PairingKind
from chuangxian.support.services import care, funds, guarantees, pairings, plans
from chuangxian.uploads.safety import CleanFile, check_upload

SEED = Actor(label="seed_demo")
PLANS = 3
HARDSHIPS = 8

MEASURES = [
    ("按月召开支委会、主题党日，会议记录规范归档", "支部书记"),
    ("镇党委班子成员每月到村上一次党课", "包联领导"),
    ("选优配强支部委员，补齐组织委员", "镇组织委员"),
    ("建立党员联系农户制度，每名党员联系5户", "支部副书记"),
]
HARDSHIP_DETAILS = {
    HardshipKind.ILLNESS: "患慢性病长期服药，家庭医疗支出大",
    HardshipKind.ELDERLY: "年逾八旬，子女在外，独自生活",
    HardshipKind.INCOME: "家庭收入低于当地低保标准",
    HardshipKind.DISABILITY: "肢体残疾，生活需要照料",
    HardshipKind.DISASTER: "汛期房屋受损，正在修缮",
}
GIFTS = ["慰问金、米、油", "慰问金及冬衣", "药品和生活用品", "帮助申请临时救助"]
SPENDING = [
    ("购置党员活动室桌椅", "980.00"),
    ("主题党日活动资料印制", "360.50"),
    ("党建宣传栏更新", "1250.00"),
    ("订阅党报党刊", "480.00"),
]


def _image(text: str, rng: random.Random) -> CleanFile:
    """A small picture standing in for a photo or a scanned receipt."""
    image = Image.new("RGB", (480, 320), (rng.randint(180, 240), rng.randint(180, 240), 220))
    ImageDraw.Draw(image).text(
        (20, 140), text.encode("ascii", "ignore").decode() or "photo", fill=(60, 60, 60)
    )
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return check_upload(SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg"))


def _day(today: dt.date, days_ago: int) -> dt.date:
    """`days_ago` before today, but not before the year began (spending is per year)."""
    return max(today - dt.timedelta(days=days_ago), dt.date(today.year, 1, 1))


def _plans(
    root: Organization, branches: list[Organization], today: dt.date, rng: random.Random
) -> None:
    candidates = Organization.objects.filter(pk__in=[b.pk for b in branches])
    lagging = [row.organization for row in lagging_among(candidates, today)]
    if len(lagging) < PLANS:
        others = [b for b in branches if b not in lagging]
        for org in rng.sample(others, min(PLANS - len(lagging), len(others))):
            plans.lagging_mark(
                actor=SEED, organization=org, reason="班子软弱涣散，群众反映问题长期得不到解决"
            )
            lagging.append(org)
    helpers = [b for b in branches if b.sector == Sector.ORGAN] or [root]
    for index, org in enumerate(lagging[:PLANS]):
        plan = plans.plan_open(
            actor=SEED,
            organization=org,
            helpers=[helpers[index % len(helpers)]],
            leader=rng.choice(["镇党委副书记 刘建国", "镇长 陈志强", "组织委员 周丽"]),
            problems="组织生活不经常、不规范；班子成员分工不明确；党员作用发挥不明显。",
            today=today,
        )
        measures = [
            plans.measure_add(
                actor=SEED,
                plan=plan,
                text=text,
                owner=owner,
                due_on=today + dt.timedelta(days=10 + 20 * i),
                today=today,
            )
            for i, (text, owner) in enumerate(MEASURES[: 2 + index])
        ]
        if index == 0:
            continue  # still being drawn up (制定中)
        plans.plan_start(actor=SEED, plan=plan)
        plans.visit_record(
            actor=SEED,
            plan=plan,
            visited_on=today,
            visitors="镇组织办 王晓东、李敏",
            findings="支部已按计划召开支委会，会议记录基本规范，党员联系农户制度正在落实。",
            photos=[_image("visit", rng)],
            today=today,
        )
        done = measures if index == 2 else measures[:1]
        for measure in done:
            plans.measure_complete(
                actor=SEED, measure=measure, done_on=today, note="已按要求落实", today=today
            )
        if index == 2:
            plans.plan_submit(actor=SEED, plan=plan)  # awaits the superior's review (待验收)


def _care(branches: list[Organization], today: dt.date, rng: random.Random) -> None:
    members = list(
        Member.objects.filter(organization__in=branches, status=MemberStatus.ACTIVE).order_by(
            "birth_date", "pk"
        )[: HARDSHIPS * 3]
    )
    for i, member in enumerate(rng.sample(members, min(HARDSHIPS, len(members)))):
        kind = rng.choice(list(HARDSHIP_DETAILS))
        hardship = care.hardship_record(
            actor=SEED,
            member=member,
            kind=kind,
            details=HARDSHIP_DETAILS[kind],
            recorded_on=_day(today, 200),
            today=today,
        )
        if i % 4 != 3:  # most, not all, were visited this year
            care.care_visit_record(
                actor=SEED,
                hardship=hardship,
                visited_on=_day(today, rng.randint(5, 150)),
                visitors="支部书记、镇党委联点领导",
                given=rng.choice(GIFTS),
                amount=Decimal(rng.choice([200, 300, 500])),
                today=today,
            )


def _pairings(root: Organization, branches: list[Organization], today: dt.date) -> None:
    organs = [b for b in branches if b.sector == Sector.ORGAN]
    villages = [b for b in branches if b.sector == Sector.RURAL]
    if not organs or len(villages) < 2:
        return
    started = today - dt.timedelta(days=180)
    paired = pairings.pairing_create(
        actor=SEED,
        kind=PairingKind.PAIRED,
        first=organs[0],
        second=villages[-1],
        leader="",
        purpose="机关党员进村开展政策宣讲、帮办实事",
        started_on=started,
    )
    pairings.joint_activity_record(
        actor=SEED,
        pairing=paired,
        held_on=today - dt.timedelta(days=30),
        title="联合主题党日：清理村道环境",
        result="清理垃圾点6处，新栽行道树40株",
        today=today,
    )
    contact = pairings.pairing_create(
        actor=SEED,
        kind=PairingKind.CONTACT,
        first=root,
        second=villages[-2],
        leader="镇党委书记 张卫东",
        purpose="领导联点，指导村级集体经济发展",
        started_on=started,
    )
    pairings.joint_activity_record(
        actor=SEED,
        pairing=contact,
        held_on=today - dt.timedelta(days=12),
        title="联点领导讲党课并调研产业项目",
        result="确定发展油茶种植200亩",
        today=today,
    )


def _funds(
    root: Organization, branches: list[Organization], today: dt.date, rng: random.Random
) -> None:
    work = funds.allocation_create(
        actor=SEED,
        organization=root,
        year=today.year,
        kind=FundKind.WORK,
        amount=Decimal("200000"),
        note="县委组织部下拨党建工作经费",
    )
    venue = funds.allocation_create(
        actor=SEED,
        organization=root,
        year=today.year,
        kind=FundKind.VENUE,
        amount=Decimal("60000"),
        note="党员活动场所维修改造",
    )
    for index, branch in enumerate(branches[:12]):
        share = funds.allocation_pass_down(
            actor=SEED,
            source=work,
            organization=branch,
            amount=Decimal("8000"),
            note="村级党组织工作经费",
        )
        for purpose, amount in rng.sample(SPENDING, 2):
            funds.spending_record(
                actor=SEED,
                allocation=share,
                amount=Decimal(amount),
                spent_on=_day(today, rng.randint(3, 120)),
                purpose=purpose,
                receipt=_image("receipt", rng),
                today=today,
            )
        if index < 2:
            funds.allocation_pass_down(
                actor=SEED,
                source=venue,
                organization=branch,
                amount=Decimal("15000"),
                note="活动场所改造",
            )
    funds.spending_record(
        actor=SEED,
        allocation=work,
        amount=Decimal("12600.00"),
        spent_on=_day(today, 60),
        purpose="全镇党务干部培训班",
        receipt=_image("receipt", rng),
        today=today,
    )


def _checklists(branches: list[Organization], today: dt.date, rng: random.Random) -> None:
    for org in branches:
        for checklist in checklists_for(org):
            for code, _label in checklist.items:
                if rng.random() < 0.15:
                    continue  # not recorded yet
                met = rng.random() > 0.2
                guarantees.checklist_set(
                    actor=SEED,
                    organization=org,
                    item=code,
                    met=met,
                    note="" if met else "正在落实",
                    today=today,
                )


def seed_demo_support(*, root: Organization, today: dt.date, rng: random.Random) -> None:
    """All of the above under `root`. All or nothing."""
    branches = list(
        Organization.objects.filter(
            path__startswith=root.path, kind__in=list(BRANCH_KINDS)
        ).order_by("path")
    )
    if not branches:
        return
    with transaction.atomic():
        _plans(root, branches, today, rng)
        _care(branches, today, rng)
        _pairings(root, branches, today)
        _funds(root, branches, today, rng)
        _checklists(branches, today, rng)

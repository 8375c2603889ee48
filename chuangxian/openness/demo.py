"""Demo openness for the demo township: a few branches' disclosure catalogues and published
disclosures (with the generated dues and meeting tables), the public's opinions in every state
(waiting, answered and rated, reopened, one past its deadline), post cards with ratings, and a
consultation decided with comments adopted and declined. Written through the services."""

import datetime as dt
import random

from django.db import transaction

from chuangxian.audit.services import Actor
from chuangxian.openness import tables
from chuangxian.openness.models import (
    Audience,
    DisclosureKind,
    DisclosureScope,
    PostType,
)
from chuangxian.openness.services import cards, consultations, disclosures, opinions
from chuangxian.orgs.access import organizations_for
from chuangxian.orgs.models import Member, MemberStatus, Organization, OrgKind, Role, User

SEED = Actor(label="seed_demo")
BRANCHES = 4
OPINION_TEXTS = [
    "村口路灯坏了一个多月，晚上出行很不方便，请尽快修好。",
    "希望冬季组织一次老年人健康体检，很多老人行动不便去不了镇卫生院。",
    "垃圾站每天下午才清运，夏天气味很大，建议改为上午清运。",
    "建议在学校门口设置减速带，上下学时车辆太快，孩子过马路很危险。",
    "村务公开栏的内容还是去年的，希望按时更新低保评定名单。",
    "文化广场的健身器材有两台坏了，存在安全隐患，请派人维修。",
    "希望党员志愿者能定期到独居老人家里看看，帮忙买药和打扫卫生。",
    "河道边的护栏松动了，孩子们常在那里玩，请尽快加固。",
]
REPLIES = [
    "感谢您的监督！已联系电工，三天内完成维修。",
    "已纳入下月主题党日活动安排，由党员志愿者负责组织。",
    "已与镇环卫所协调，自下周起改为上午清运。",
    "已向交通部门反映，减速带将在本月内安装。",
]
PLEDGES = [
    ("村便民服务中心社保窗口", PostType.WINDOW, "微笑服务，一次讲清，限时办结。"),
    ("三组党员责任区", PostType.ZONE, "每周走访责任区农户，收集困难和诉求，当天记录、三天回复。"),
    ("农技服务党员先锋岗", PostType.VANGUARD, "农忙季节每天下田指导，免费提供病虫害防治技术。"),
]


def _branches(root: Organization) -> list[Organization]:
    admin = User.objects.filter(
        role_grants__organization=root, role_grants__role=Role.ADMIN
    ).first()
    if admin is None:
        return [root]
    found = organizations_for(admin).filter(kind__in=[OrgKind.BRANCH, OrgKind.JOINT_BRANCH])
    return list(found.order_by("path")[:BRANCHES])


@transaction.atomic
def seed_demo_openness(*, root: Organization, today: dt.date, rng: random.Random) -> None:
    """All or nothing."""
    for index, branch in enumerate(_branches(root)):
        disclosures.catalogue_open(actor=SEED, organization=branch, today=today)
        _disclosures(branch, today)
        _opinions(branch, today, rng, index)
        _cards(branch, today, rng)
        if index == 0:
            _consultation(branch, today)


def _disclosures(branch: Organization, today: dt.date) -> None:
    for kind, title, body, sources in (
        (
            DisclosureKind.DUES,
            "本季度党费收缴情况公开",
            "根据《关于中国共产党党费收缴、使用和管理的规定》，现将本季度党费收缴情况公开如下。",
            [tables.DUES],
        ),
        (
            DisclosureKind.MEETINGS,
            "三会一课落实情况公开",
            "现将本年度支部党员大会、支部委员会、党小组会和党课的召开情况公开如下。",
            [tables.MEETINGS],
        ),
    ):
        item = disclosures.disclosure_propose(
            actor=SEED,
            organization=branch,
            kind=kind,
            title=title,
            body=body,
            scope=DisclosureScope.PUBLIC,
            today=today,
            table_sources=sources,
        )
        disclosures.disclosure_submit(actor=SEED, disclosure=item)
        disclosures.disclosure_review(actor=SEED, disclosure=item, confirmed=True)
        disclosures.disclosure_approve(actor=SEED, disclosure=item)
        disclosures.disclosure_publish(actor=SEED, disclosure=item, today=today)
    # One waiting for review, so the workflow has something to show.
    waiting = disclosures.disclosure_propose(
        actor=SEED,
        organization=branch,
        kind=DisclosureKind.RECRUITMENT,
        title="发展对象公示",
        body="经支部委员会研究，拟确定2名入党积极分子为发展对象，公示期5个工作日。",
        scope=DisclosureScope.PUBLIC,
        today=today,
    )
    disclosures.disclosure_submit(actor=SEED, disclosure=waiting)


def _opinions(branch: Organization, today: dt.date, rng: random.Random, index: int) -> None:
    texts = rng.sample(OPINION_TEXTS, 4)
    for number, text in enumerate(texts):
        submitted = today - dt.timedelta(days=rng.randint(1, 20))
        opinion, token = opinions.opinion_submit(
            organization=branch,
            text=text,
            device_id=f"demo-{branch.pk}-{number}",
            today=submitted,
        )
        if number < 3:
            opinions.opinion_moderate(actor=SEED, opinion=opinion, publish=True)
        if number in (0, 1):
            answered_on = min(today, submitted + dt.timedelta(days=rng.randint(1, 6)))
            opinions.opinion_answer(
                actor=SEED, opinion=opinion, reply=REPLIES[(index + number) % 4], today=answered_on
            )
            satisfaction = "satisfied" if number == 0 else "dissatisfied"
            opinions.opinion_rate(opinion=opinion, token=token, satisfaction=satisfaction)
            if number == 1 and index % 2 == 0:
                opinions.opinion_reopen(
                    opinion=opinion, token=token, reason="维修后又坏了，请再看看。", today=today
                )


def _cards(branch: Organization, today: dt.date, rng: random.Random) -> None:
    members = list(
        Member.objects.filter(organization=branch, status=MemberStatus.ACTIVE).order_by("id")[:2]
    )
    for member, (post, kind, pledge) in zip(members, PLEDGES, strict=False):
        card = cards.card_save(
            actor=SEED, member=member, post_type=kind, post_name=post, pledge=pledge
        )
        for day in range(rng.randint(3, 8)):
            cards.card_rate(
                card=card,
                score=rng.choice((100, 100, 100, 60, 0)),
                device_id=f"demo-card-{card.pk}-{day}",
                today=today - dt.timedelta(days=day),
            )


def _consultation(branch: Organization, today: dt.date) -> None:
    members = list(
        Member.objects.filter(organization=branch, status=MemberStatus.ACTIVE).order_by("id")[:2]
    )
    consultation = consultations.consultation_open(
        actor=SEED,
        organization=branch,
        title="关于调整主题党日时间的决定（草案）",
        draft="为方便外出务工党员参加，拟将每月主题党日由10日调整为每月第一个周六。",
        audience=Audience.PUBLIC,
        deadline=today + dt.timedelta(days=7),
        today=today,
    )
    comments = [
        consultations.consultation_comment(
            consultation=consultation,
            text=text,
            device_id=f"demo-consult-{n}",
            today=today,
        )
        for n, text in enumerate(
            ("赞成，周六外出务工的党员也能回来。", "建议改在周日，周六村里赶集。")
        )
    ]
    if len(members) < 2:
        return
    consultations.consultation_decide(
        actor=SEED,
        consultation=consultation,
        decision="自下月起，主题党日定为每月第一个周六。",
        responses={
            comments[0].pk: (True, "已采纳"),
            comments[1].pk: (False, "多数党员周日有家务安排"),
        },
    )

"""Demo cases and demonstration points for the demo township, through the services: three
published cases (two to the public) taken up by other branches, one waiting for review, and
two demonstration points named by the township."""

import datetime as dt
import random

from django.db import transaction

from chuangxian.audit.services import Actor
from chuangxian.cases import services
from chuangxian.cases.services import CaseValues
from chuangxian.orgs.models import Organization
from chuangxian.orgs.models.organization import BRANCH_KINDS

SEED = Actor(label="seed_demo")

CASES = [
    (
        "“党员积分超市”让党员作用看得见",
        "incentive",
        "把党员参加组织生活、志愿服务、带头致富折算成积分，季度公开、兑换生活用品。",
        "村党支部制定《党员积分管理办法》，设学习、服务、带富、守纪四类积分项目，每项有分值和上限，"
        "不要求党员为积分拍照打卡，而由支委会根据会议签到、志愿服务台账按月据实记录。积分每季度在"
        "党务公开栏公示，党员可在村“积分超市”兑换米、油等生活用品，年底积分作为评先评优的参考之一，"
        "但不作为唯一依据。实行一年来，党员参加主题党日的比例由六成提高到九成以上，"
        "主动认领服务岗位的党员有三十余名。",
        "public",
    ),
    (
        "网格党小组“小事不出网格”",
        "service",
        "以网格划分党小组，党员中心户联系群众，问题在网格内发现、在网格内解决。",
        "社区按照居民楼栋划分网格，每个网格建立一个党小组，推选党员中心户联系周边十至十五户居民。"
        "群众反映的问题由党员中心户登记，能当场解决的当场解决，解决不了的报社区党支部，"
        "限期办结并回访。社区每月召开网格党小组长会议，通报办理情况。一年来共收集群众诉求三百余件，"
        "办结率百分之九十六，群众满意度明显提升。",
        "public",
    ),
    (
        "机关支部与村支部结对“一月一事”",
        "leadership",
        "机关党员每月进村办一件实事，结对双方共同商定事项清单。",
        "镇机关第一党支部与村党支部签订结对共建协议，年初双方共同梳理群众最关心的事项，形成“一月一事”"
        "清单，每月由机关党员带队落实一项，结对双方在联合主题党日上通报进展。全年完成村道路灯安装、"
        "留守儿童课后辅导、农产品网上销售培训等十二件实事，机关党员深入基层的作风得到群众认可。",
        "tree",
    ),
]
PENDING = (
    "“三务”公开二维码上墙",
    "supervision",
    "党务、村务、财务公开内容生成二维码张贴在村务公开栏，群众扫码即可查看明细。",
    "村党支部将每月党务、村务、财务公开内容整理成网页，生成二维码张贴在公开栏和各村民小组，"
    "群众扫码即可查看收支明细和原始票据照片，并可在线提出意见建议，支部在三个工作日内答复。"
    "试行半年来，群众对村级财务的疑问明显减少。",
)
ADOPTIONS = [
    (
        "参照积分办法制定本支部积分细则，增加“带头移风易俗”积分项",
        "党员参加集中学习的比例提高到百分之八十五",
    ),
    ("借鉴网格党小组做法，按村民小组设立党员责任区", "群众反映的道路、用水问题当月办结"),
]


def seed_demo_cases(*, root: Organization, today: dt.date, rng: random.Random) -> None:
    branches = list(
        Organization.objects.filter(
            path__startswith=root.path, kind__in=list(BRANCH_KINDS)
        ).order_by("path")
    )
    if len(branches) < 4:
        return
    with transaction.atomic():
        authors = rng.sample(branches, len(CASES) + 1)
        published = []
        for author, (title, mechanism, summary, body, visibility) in zip(
            authors[: len(CASES)], CASES, strict=True
        ):
            case = services.case_create(
                actor=SEED,
                organization=author,
                values=CaseValues(title, author.sector, mechanism, summary, body),
                files=[],
            )
            services.case_submit(actor=SEED, case=case)
            services.case_approve(actor=SEED, case=case, comment="做法具体，成效明显，同意推广")
            services.case_publish(actor=SEED, case=case, visibility=visibility)
            published.append(case)
        for case, (action, result) in zip(published[: len(ADOPTIONS)], ADOPTIONS, strict=True):
            adopters = [b for b in branches if b.pk != case.organization_id]
            for adopter in rng.sample(adopters, 2):
                services.adoption_record(
                    actor=SEED,
                    case=case,
                    organization=adopter,
                    adopted_on=today - dt.timedelta(days=rng.randint(10, 90)),
                    action=action,
                    result=result,
                    today=today,
                )
        title, mechanism, summary, body = PENDING
        author = authors[-1]
        pending = services.case_create(
            actor=SEED,
            organization=author,
            values=CaseValues(title, author.sector, mechanism, summary, body),
            files=[],
        )
        services.case_submit(actor=SEED, case=pending)
        themes = ["党建引领乡村振兴示范点", "“红色物业”示范点"]
        for org, theme in zip(rng.sample(branches, len(themes)), themes, strict=True):
            services.demo_point_designate(
                actor=SEED,
                organization=org,
                designated_by=root,
                theme=theme,
                leader="镇党委书记 张卫东",
                starts_on=dt.date(today.year, 1, 1),
                ends_on=dt.date(today.year + 1, 12, 31),
                public=True,
            )

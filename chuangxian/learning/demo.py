"""Demo data for the learning module: a study plan, courses with materials, offline training
and 学习强国 points (through the real importers), a question bank of 20 questions, an exam with
some attempts, and the 学时 derived from whatever orglife demo meetings exist."""

import csv
import datetime as dt
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.campaigns.models import Campaign, CampaignStatus
from chuangxian.learning.errors import LearningError
from chuangxian.learning.models import Course, Exam, QuestionKind
from chuangxian.learning.services.courses import (
    course_complete,
    course_create,
    material_add,
    material_viewed,
)
from chuangxian.learning.services.exams import (
    ExamValues,
    attempt_start,
    attempt_submit,
    exam_create,
)
from chuangxian.learning.services.hours import study_hours_sync
from chuangxian.learning.services.imports import offline_training_import, xuexi_points_import
from chuangxian.learning.services.plans import plan_create, plan_item_add
from chuangxian.learning.services.questions import QuestionValues, question_create
from chuangxian.orgs.models import Member, MemberStatus, Organization

ACTOR = Actor(label="seed_demo")
# A one-page PDF: enough for the upload check and a browser to open.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PLAN_TOPICS = [
    (1, "学习党章，重温入党誓词", "《中国共产党章程》全文"),
    (3, "学习《中国共产党支部工作条例（试行）》", "条例原文及解读"),
    (5, "党史学习：伟大建党精神", "党史读本第一至三章"),
    (7, "纪律教育：《中国共产党纪律处分条例》", "条例原文、典型案例通报"),
    (9, "乡村振兴政策学习", "中央一号文件"),
    (11, "创先争优年终总结与民主评议准备", "本年度学习笔记、心得体会"),
]
COURSES = [
    ("党章党规专题学习", "4", "党章全文学习材料", "https://www.12371.cn/special/dzdg/"),
    ("党史学习教育", "2", "党史学习讲义", "https://www.12371.cn/special/dsxx/"),
    ("基层治理能力提升", "3", "基层治理案例选编", "https://www.12371.cn/special/jczl/"),
]
SINGLE = [
    (
        "党的最高理想和最终目标是",
        ["实现共产主义", "全面建成小康社会", "实现现代化", "共同富裕"],
        [0],
        "党章",
    ),
    (
        "党员的党龄从什么时候算起",
        [
            "递交入党申请书之日",
            "预备期满转为正式党员之日",
            "成为预备党员之日",
            "参加入党积极分子培训之日",
        ],
        [1],
        "党章",
    ),
    ("预备党员的预备期为", ["半年", "一年", "两年", "三年"], [1], "党章"),
    ("党的根本组织原则是", ["民主集中制", "集体领导", "少数服从多数", "个人服从组织"], [0], "党章"),
    ("党支部党员大会一般每季度召开", ["1次", "2次", "3次", "4次"], [0], "支部工作"),
    ("党员每年集中学习培训一般不少于", ["16学时", "24学时", "32学时", "56学时"], [2], "党员教育"),
    (
        "党员如果没有正当理由，连续几个月不参加党的组织生活，就被认为是自行脱党",
        ["三个月", "六个月", "九个月", "十二个月"],
        [1],
        "党章",
    ),
    (
        "“三会一课”中的“一课”是指",
        ["党课", "形势政策课", "业务培训课", "廉政教育课"],
        [0],
        "支部工作",
    ),
]
MULTIPLE = [
    (
        "“三会一课”中的“三会”包括",
        ["支部党员大会", "支部委员会", "党小组会", "职工代表大会"],
        [0, 1, 2],
        "支部工作",
    ),
    (
        "创先争优活动中“五好”党组织包括",
        ["领导班子好", "党员队伍好", "工作机制好", "收入水平好"],
        [0, 1, 2],
        "创先争优",
    ),
    (
        "“五带头”包括",
        ["带头学习提高", "带头争创佳绩", "带头服务群众", "带头评优评先"],
        [0, 1, 2],
        "创先争优",
    ),
    ("民主评议党员的等次有", ["优秀", "合格", "基本合格", "不合格"], [0, 1, 2, 3], "支部工作"),
    ("党的纪律包括", ["政治纪律", "组织纪律", "廉洁纪律", "群众纪律"], [0, 1, 2, 3], "纪律"),
    ("公开承诺的环节包括", ["定诺", "审诺", "践诺", "免诺"], [0, 1, 2], "创先争优"),
]
JUDGE = [
    ("党员有权在党的会议上对党的任何组织和任何党员提出有根据的批评。", [0], "党章"),
    ("预备党员享有表决权、选举权和被选举权。", [1], "党章"),
    ("党支部委员会一般每月召开一次。", [0], "支部工作"),
    ("学习强国积分可以直接折算为学时。", [1], "党员教育"),
    ("党员学时按自然年度计算，未完成部分可结转到下一年度。", [1], "党员教育"),
    ("党费是党员对党组织应尽的义务。", [0], "党费"),
]


def _campaign(root: Organization, today: dt.date) -> Campaign:
    campaign = Campaign.objects.filter(owner=root, year=today.year).first()
    if campaign is None:
        # The campaigns module has no write service yet; the demo's cycle is a plain row.
        campaign = Campaign.objects.create(
            name=f"{today.year}年度创先争优活动",
            owner=root,
            year=today.year,
            starts_on=dt.date(today.year, 1, 1),
            ends_on=dt.date(today.year, 12, 31),
            status=CampaignStatus.ACTIVE,
        )
    return campaign


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _past_day(rng: random.Random, today: dt.date) -> dt.date:
    start = dt.date(today.year, 1, 1)
    return start + dt.timedelta(days=rng.randint(0, (today - start).days))


def seed_demo_learning(*, root: Organization, today: dt.date, rng: random.Random) -> None:
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, organization__path__startswith=root.path)
        .select_related("organization")
        .order_by("id")
    )
    zone = timezone.get_current_timezone()
    now = dt.datetime.combine(today, dt.time(10, 0), tzinfo=zone)

    plan = plan_create(
        actor=ACTOR,
        organization=root,
        campaign=_campaign(root, today),
        title=f"{root.name}{today.year}年度党员学习计划",
        note="按月开展专题学习，党课每季度不少于一次，主题党日每月一次。",
    )
    courses = []
    for title, hours, document, link in COURSES:
        course = course_create(
            actor=ACTOR,
            organization=root,
            title=title,
            description=f"{title}网络课程，看完全部材料后标记完成即记入学时。",
            hours=Decimal(hours),
        )
        material_add(
            actor=ACTOR,
            course=course,
            title=document,
            upload=SimpleUploadedFile(f"{document}.pdf", _PDF, "application/pdf"),
        )
        material_add(actor=ACTOR, course=course, title=f"{title}视频", url=link)
        courses.append(course)
    for (month, topic, materials), course in zip(PLAN_TOPICS, courses * 2, strict=False):
        plan_item_add(
            actor=ACTOR,
            plan=plan,
            month=month,
            topic=topic,
            materials=materials,
            hours=Decimal(4),
            course=course if month <= 5 else None,
        )

    for text, options, answer, tag in SINGLE:
        _question(root, QuestionKind.SINGLE, text, options, answer, tag)
    for text, options, answer, tag in MULTIPLE:
        _question(root, QuestionKind.MULTIPLE, text, options, answer, tag)
    for text, answer, tag in JUDGE:
        _question(root, QuestionKind.JUDGE, text, [], answer, tag)
    exam = exam_create(
        actor=ACTOR,
        organization=root,
        values=ExamValues(
            title=f"{today.year}年度党章党规知识测试",
            opens_at=now - dt.timedelta(days=7),
            closes_at=now + dt.timedelta(days=21),
            time_limit_minutes=30,
            pass_mark=60,
            attempt_limit=2,
            single_count=4,
            multiple_count=3,
            judge_count=3,
        ),
    )

    offline = [["公民身份号码", "培训名称", "日期", "学时"]]
    xuexi = [["公民身份号码", "学习积分"]]
    for member in members:
        if rng.random() < 0.45:
            for title in rng.sample(
                ["党员冬训", "乡村振兴专题培训", "党务干部培训班", "红色教育基地现场学习"],
                rng.randint(1, 2),
            ):
                hours = rng.choice(["4", "8", "半天", "全天", "3"])
                offline.append([member.id_number, title, _past_day(rng, today).isoformat(), hours])
        if rng.random() < 0.6:
            xuexi.append([member.id_number, str(rng.randint(800, 12000))])
    if len(offline) > 1:
        offline_training_import(
            actor=ACTOR, user=None, content=_csv(offline), file_name="demo-offline.csv", today=today
        )
    if len(xuexi) > 1:
        xuexi_points_import(
            actor=ACTOR, user=None, content=_csv(xuexi), file_name="demo-xuexi.csv", year=today.year
        )

    for member in members:
        if rng.random() < 0.2:
            _complete(member, rng.choice(courses), now, today)
        if rng.random() < 0.1:
            _take(member, exam, now, rng)
    # Attendance at 党课 and 主题党日, when the orglife demo has written meetings.
    study_hours_sync(organization=root, actor=ACTOR)


def _question(
    root: Organization, kind: str, text: str, options: list[str], answer: list[int], tag: str
) -> None:
    question_create(
        actor=ACTOR,
        organization=root,
        values=QuestionValues(
            kind=kind,
            text=text,
            options=options,
            answer=answer,
            tags=tag,
            explanation="",
        ),
    )


def _complete(member: Member, course: Course, now: dt.datetime, today: dt.date) -> None:
    for material in course.materials.all():
        material_viewed(member=member, material=material, now=now)
    course_complete(actor=ACTOR, member=member, course=course, now=now, today=today)


def _take(member: Member, exam: Exam, now: dt.datetime, rng: random.Random) -> None:
    try:
        attempt = attempt_start(member=member, exam=exam, now=now, rng=rng)
    except LearningError:
        return
    answers: dict[int, list[int]] = {}
    for answer in attempt.answers.select_related("question"):
        question = answer.question
        # Most demo members know most answers.
        if rng.random() < 0.75:
            answers[answer.position] = list(question.answer)
        else:
            answers[answer.position] = [rng.randrange(len(question.options))]
    attempt_submit(
        attempt=attempt, answers=answers, now=now + dt.timedelta(minutes=rng.randint(5, 25))
    )

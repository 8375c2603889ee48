"""Courses (materials, completion once, after viewing all) and study plans."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chuangxian.campaigns.models import Campaign
from chuangxian.learning import figures
from chuangxian.learning.errors import LearningError
from chuangxian.learning.models import CourseMaterial, StudyPlan, StudyRecord
from chuangxian.learning.services.courses import (
    course_complete,
    course_create,
    material_add,
    material_viewed,
)
from chuangxian.learning.services.plans import plan_create, plan_item_add
from tests.conftest import TODAY
from tests.learning.conftest import ACTOR, at

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"
NOW = at(2026, 11, 20)


def a_course(org, hours="2"):  # type: ignore[no-untyped-def]
    return course_create(
        actor=ACTOR, organization=org, title="党章学习", description="", hours=Decimal(hours)
    )


def test_complete_after_viewing_all_materials_once(tree):
    course = a_course(tree.town_a)
    doc = material_add(
        actor=ACTOR, course=course, title="讲义", upload=SimpleUploadedFile("讲义.pdf", PDF)
    )
    link = material_add(actor=ACTOR, course=course, title="视频", url="https://example.org/v/1")
    assert doc.kind == "document" and doc.file.name.endswith(".pdf")
    assert link.kind == "link" and not link.file
    material_viewed(member=tree.member_a1, material=doc, now=NOW)
    with pytest.raises(LearningError, match="还有1份学习材料未查看"):
        course_complete(actor=ACTOR, member=tree.member_a1, course=course, now=NOW, today=TODAY)
    assert not material_viewed(member=tree.member_a1, material=doc, now=NOW)
    material_viewed(member=tree.member_a1, material=link, now=NOW)
    course_complete(actor=ACTOR, member=tree.member_a1, course=course, now=NOW, today=TODAY)
    assert figures.study_hours(tree.member_a1, 2026) == Decimal("2.0")
    with pytest.raises(LearningError, match="学时只记录一次"):
        course_complete(actor=ACTOR, member=tree.member_a1, course=course, now=NOW, today=TODAY)
    assert StudyRecord.objects.count() == 1


def test_bad_materials_are_refused_and_nothing_written(tree):
    course = a_course(tree.town_a)
    with pytest.raises(LearningError) as refused:
        material_add(
            actor=ACTOR,
            course=course,
            title="脚本",
            upload=SimpleUploadedFile("a.pdf", b"<script>alert(1)</script>"),
        )
    assert "只接受图片" in str(refused.value)
    for url in ("javascript:alert(1)", "ftp://x/y", "www.example.org"):
        with pytest.raises(LearningError, match="http"):
            material_add(actor=ACTOR, course=course, title="视频", url=url)
    with pytest.raises(LearningError, match="二者选一"):
        material_add(actor=ACTOR, course=course, title="空")
    assert not CourseMaterial.objects.exists()
    with pytest.raises(LearningError, match="还没有学习材料"):
        course_complete(actor=ACTOR, member=tree.member_a1, course=course, now=NOW, today=TODAY)


def test_course_hours_rules(tree):
    with pytest.raises(LearningError) as refused:
        course_create(
            actor=ACTOR, organization=tree.town_a, title="", description="", hours=Decimal("0.2")
        )
    assert set(refused.value.message_dict) == {"title", "hours"}


def test_plans_per_cycle_and_organization(tree):
    campaign = Campaign.objects.create(
        name="2026年度创先争优",
        owner=tree.town_a,
        year=2026,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    other = Campaign.objects.create(
        name="乙镇",
        owner=tree.town_b,
        year=2026,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    plan = plan_create(
        actor=ACTOR, organization=tree.branch_a1, campaign=campaign, title="一村学习计划", note=""
    )
    with pytest.raises(LearningError, match="已有学习计划"):
        plan_create(
            actor=ACTOR, organization=tree.branch_a1, campaign=campaign, title="再来", note=""
        )
    with pytest.raises(LearningError, match="不覆盖本组织"):
        plan_create(actor=ACTOR, organization=tree.branch_a1, campaign=other, title="错", note="")
    course = a_course(tree.town_a)
    item = plan_item_add(
        actor=ACTOR,
        plan=plan,
        month=3,
        topic="学党章",
        materials="党章",
        hours=Decimal(4),
        course=course,
    )
    assert str(item) == "3月 学党章"
    with pytest.raises(LearningError) as refused:
        plan_item_add(
            actor=ACTOR,
            plan=plan,
            month=13,
            topic="",
            materials="",
            hours=None,
            course=a_course(tree.town_b),
        )
    assert set(refused.value.message_dict) == {"month", "topic", "course"}
    assert StudyPlan.objects.get().items.count() == 1

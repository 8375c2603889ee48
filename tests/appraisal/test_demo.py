"""The demo: a published 民主评议 round for the demo branch, a closed 五好 round for the
township, every count consistent, every member of the branch seeing their own result."""

import datetime as dt
import random

import pytest

from chuangxian.appraisal.demo import seed_demo_appraisal
from chuangxian.appraisal.models import Round, RoundStatus, SubjectResult, SubjectType
from chuangxian.appraisal.selectors import (
    explanation_text,
    participation_proof,
    subject_explanation,
)
from chuangxian.demo.services import demo_seed
from chuangxian.orgs.models import Organization

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def test_demo_rounds() -> None:
    demo_seed(members=400, seed=2026, today=TODAY)
    root = Organization.objects.get(parent__isnull=True)
    seed_demo_appraisal(root=root, today=TODAY, rng=random.Random(7))
    democratic = Round.objects.get(scheme__code="democratic_records")
    five_good = Round.objects.get(scheme__code="five_good_branch")
    assert democratic.status == RoundStatus.PUBLISHED and democratic.published_version == 1
    assert five_good.status == RoundStatus.CLOSED
    for round_ in (democratic, five_good):
        proof = participation_proof(round_)
        assert proof.matches and proof.superiors == 1 and proof.public_tokens > 0
        results = SubjectResult.objects.filter(round=round_)
        assert results.count() == round_.subjects.count() > 0
    assert participation_proof(democratic).members == democratic.subjects.count()
    grades = set(SubjectResult.objects.filter(round=democratic).values_list("grade", flat=True))
    assert grades & {"优秀", "合格"}
    subject = five_good.subjects.filter(kind=SubjectType.ORGANIZATION).first()
    lines = explanation_text(subject_explanation(five_good, subject))
    assert any("上级评价" in line for line in lines)
    assert any("自动计算“三会一课按期召开率”" in line for line in lines)

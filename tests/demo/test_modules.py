"""The full demo: the township plus every module's records, as `make run` loads it."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from chuangxian.appraisal.models import Round
from chuangxian.campaigns.models import Campaign
from chuangxian.commitments.models import CommitmentItem
from chuangxian.dues.models import Payment
from chuangxian.honors.models import AwardBatch, AwardRecord, BatchStatus, PointEntry
from chuangxian.learning.models import StudyRecord
from chuangxian.openness.models import Consultation, Disclosure, Opinion, PostRating
from chuangxian.orglife.models import Meeting

pytestmark = pytest.mark.django_db(transaction=False)
TODAY = dt.date(2026, 11, 22)


def test_seed_demo_fills_every_module(client):
    out = io.StringIO()
    call_command("seed_demo", "--members", "300", "--today", TODAY.isoformat(), stdout=out)
    printed = out.getvalue()
    labels = (
        "组织生活",
        "学习",
        "党费",
        "公开承诺",
        "考评",
        "党务公开与群众意见",
        "评先评优与积分",
    )
    for label in labels:
        assert label in printed
    assert Campaign.objects.exists()
    assert Meeting.objects.filter(held_start__isnull=False).count() > 50
    assert StudyRecord.objects.exists()
    assert Payment.objects.exists()
    assert CommitmentItem.objects.exists()
    assert Round.objects.exists()
    assert Opinion.objects.filter(reply__gt="").exists()
    assert Disclosure.objects.filter(status="published").exclude(tables=[]).exists()
    assert PostRating.objects.exists() and Consultation.objects.exists()
    assert AwardRecord.objects.exists()
    assert AwardBatch.objects.filter(status=BatchStatus.NOTICE).exists()
    assert PointEntry.objects.exists()
    # The demo administrator's pages all open on the seeded data.
    assert client.login(username="admin", password="Demo2026pass")
    for url in (
        "/",
        "/campaigns/",
        "/commitments/",
        "/orglife/",
        "/orglife/compliance/",
        "/learning/",
        "/dues/",
        "/appraisal/",
        "/reminders/",
        "/openness/",
        "/openness/disclosures/",
        "/openness/cards/",
        "/openness/consultations/",
        "/openness/notices/",
        "/openness/reports/",
        "/openness/requests/",
        "/openness/moderation/",
        "/honors/",
        "/honors/points/orgs/0/",
        "/public/honors/",
    ):
        assert client.get(url).status_code == 200, url

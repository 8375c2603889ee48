import datetime as dt
import random

import pytest

from chuangxian.demo.services import demo_seed
from chuangxian.orglife.compliance import compute_compliance
from chuangxian.orglife.demo import seed_demo_orglife
from chuangxian.orglife.models import Attendance, Meeting, MeetingStatus
from chuangxian.orglife.periods import Period
from chuangxian.orgs.models import Organization

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def test_demo_year_of_meetings_mostly_compliant_with_gaps():
    demo_seed(members=1500, seed=2026, today=TODAY)
    root = Organization.objects.get(parent=None)
    seed_demo_orglife(root=root, today=TODAY, rng=random.Random(7))

    assert Meeting.objects.count() > 500
    assert (
        Attendance.objects.filter(status="present").count()
        > Attendance.objects.filter(status="absent").count()
    )
    assert Meeting.objects.filter(status=MeetingStatus.APPROVED).exists()
    assert Meeting.objects.filter(status=MeetingStatus.SUBMITTED).exists()
    assert Meeting.objects.filter(status=MeetingStatus.PLANNED).count() == 1

    report = compute_compliance(root=root, period=Period(2026, 1, 12), today=TODAY)
    assert 0.5 < report.ok / report.organizations < 1, (report.ok, report.organizations)
    theme = next(r for r in report.rules if r.rule_key[1] == "theme_day")
    assert theme.percent >= 60

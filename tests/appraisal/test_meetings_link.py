"""One event: a 民主评议 round linked to each branch's 民主评议党员 meeting (created or found),
the meeting page showing the round's participation, and the grades' path to the member."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import RoundMeeting
from chuangxian.appraisal.schemes import five_good_spec
from chuangxian.appraisal.services import ballot_submit, round_open, scheme_create
from chuangxian.appraisal.services.meetings import round_link_meetings
from chuangxian.audit.services import SYSTEM
from chuangxian.orglife.models import Meeting, MeetingType
from tests.appraisal.helpers import democratic_round, mark_sheet, member_subjects
from tests.appraisal.test_views import client_for
from tests.learning.conftest import held_meeting

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 12, 20, 9, tzinfo=timezone.get_current_timezone())


def test_link_creates_or_finds_the_meeting_of_each_branch(tree) -> None:  # type: ignore[no-untyped-def]
    existing = held_meeting(
        tree.branch_a2,
        kind=MeetingType.APPRAISAL,
        when=dt.datetime(2026, 12, 1, 9, tzinfo=timezone.get_current_timezone()),
        topic="二村民主评议",
    )
    round_ = democratic_round(tree.town_a)
    links = round_link_meetings(actor=SYSTEM, round_=round_, planned_start=WHEN)
    by_branch = {link.organization_id: link.meeting for link in links}
    assert set(by_branch) == {tree.branch_a1.pk, tree.branch_a2.pk}
    assert by_branch[tree.branch_a2.pk] == existing
    created = by_branch[tree.branch_a1.pk]
    assert created.meeting_type == MeetingType.APPRAISAL and created.topic == round_.name
    assert created.attendances.count() > 0  # planned by orglife: expected attendees listed
    assert round_link_meetings(actor=SYSTEM, round_=round_, planned_start=WHEN) == []
    assert Meeting.objects.filter(meeting_type=MeetingType.APPRAISAL).count() == 2


def test_only_member_rounds_before_closing(tree) -> None:  # type: ignore[no-untyped-def]
    scheme = scheme_create(actor=SYSTEM, spec=five_good_spec())
    round_ = round_open(
        actor=SYSTEM, scheme=scheme, organization=tree.town_a, name="五好", year=2026
    )
    with pytest.raises(AppraisalError, match="只有评议党员"):
        round_link_meetings(actor=SYSTEM, round_=round_, planned_start=WHEN)
    assert not RoundMeeting.objects.exists()


def test_meeting_page_shows_participation_without_choices(tree) -> None:  # type: ignore[no-untyped-def]
    round_ = democratic_round(tree.branch_a1)
    client = client_for(tree.town_admin)
    page = client.post(
        reverse("appraisal:round_meetings", args=[round_.pk]),
        {"planned_start": "2026-12-20T09:00"},
        follow=True,
    )
    assert "已关联1个支部的民主评议党员会议" in page.content.decode()
    meeting = RoundMeeting.objects.get(round=round_).meeting
    subjects = member_subjects(round_)
    ballot_submit(
        round_=round_,
        sheet=mark_sheet(round_, dict.fromkeys(subjects.values(), "合格")),
        rater_member=tree.member_a1,
    )
    body = client_for(tree.secretary).get(reverse("orglife:meeting", args=[meeting.pk]))
    text = body.content.decode()
    assert "本支部党员已提交评价表1人，共2人" in text
    assert "上级审核确认" in text
    # Someone who may not see the round sees no line about it.
    outsider_page = client_for(tree.sibling_secretary).get(
        reverse("orglife:meeting", args=[meeting.pk])
    )
    assert "本支部党员已提交评价表" not in outsider_page.content.decode()

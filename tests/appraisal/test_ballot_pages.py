"""The ballot sheet's counter and records beside each member (member, superior, public), and
closing through the confirmation page with participation per rater group."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangxian.appraisal.models import Round
from chuangxian.appraisal.services import ballot_submit, tokens_issue
from chuangxian.appraisal.services.folding import ballots_fold
from chuangxian.audit.services import SYSTEM
from chuangxian.orglife.models import AttendanceStatus
from chuangxian.orgs.models import Member
from tests.appraisal.helpers import democratic_round, mark_sheet, member_subjects
from tests.appraisal.test_views import client_for
from tests.factories import MemberFactory
from tests.learning.conftest import attend, held_meeting
from tests.learning.test_figures_reminders import credit

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch_round(tree):  # type: ignore[no-untyped-def]
    """民主评议 over branch A1; 张三 attended 1 of 2 meetings (1 on leave), studied 12 h."""
    for _ in range(3):
        MemberFactory(organization=tree.branch_a1)
    when = dt.datetime(2026, 3, 10, 9, tzinfo=timezone.get_current_timezone())
    first = held_meeting(tree.branch_a1, when=when)
    second = held_meeting(tree.branch_a1, when=when + dt.timedelta(days=30))
    attend(first, tree.member_a1)
    attend(second, tree.member_a1, AttendanceStatus.LEAVE)
    credit(tree.member_a1, dt.date(2026, 4, 1), 12)
    return tree, democratic_round(tree.branch_a1)


def test_member_sheet_shows_counter_and_the_year_of_each_member(branch_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    page = client_for(tree.member_user).get(reverse("appraisal:ballot", args=[round_.pk, "member"]))
    body = page.content.decode()
    assert "data-ap-counter" in body and "已评 {x}/{n}" in body and "共5个对象" in body
    assert "会议出席1/2（请假1） · 学时12.0/32" in body
    assert "承诺0项，已兑现0" in body
    assert "appraisal/ballot.js" in body and "<script>" not in body
    assert "ap-compact" in body  # one leaf: compact cards on phones


def test_superior_sheet_shows_the_records_too(branch_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    url = reverse("appraisal:ballot", args=[round_.pk, "superior"])
    assert "会议出席1/2" in client_for(tree.town_admin).get(url).content.decode()


def test_public_sheet_shows_only_public_facts(branch_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    _, tokens = tokens_issue(actor=SYSTEM, round_=round_, organization=tree.branch_a1, count=1)
    body = client_for(None).get(f"/public/appraisal/t/{tokens[0]}/").content.decode()
    assert "data-ap-counter" in body
    assert "会议出席" not in body and "学时" not in body and "党费" not in body


def test_close_asks_for_confirmation_and_shows_participation(branch_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    client = client_for(tree.town_admin)
    round_page = client.get(reverse("appraisal:round", args=[round_.pk])).content.decode()
    confirm_url = reverse("appraisal:round_close_confirm", args=[round_.pk])
    assert confirm_url in round_page
    subjects = member_subjects(round_)
    ballot_submit(
        round_=round_,
        sheet=mark_sheet(round_, {subjects[tree.member_a1.pk]: "合格"}),
        rater_member=tree.member_a1,
    )
    page = client.get(confirm_url)
    body = page.content.decode()
    assert "另有1份评价表尚未汇总" in body
    assert "有5个考评对象除本人自评外" in body
    ballots_fold(round_.pk)
    page = client.get(confirm_url)
    body = page.content.decode()
    groups = {g.group: g for g in page.context["groups"]}
    assert (groups["self"].reaching, groups["self"].subjects) == (1, 5)
    assert "现在不能结算" in body and "确认结算" not in body
    assert "只凭自评或没有评价不能定等" in body
    # A direct POST is refused by the service the same way, and lands back here.
    refused = client.post(reverse("appraisal:round_action", args=[round_.pk, "close"]))
    assert refused.status_code == 302 and refused["Location"] == confirm_url
    assert Round.objects.get(pk=round_.pk).status == "collecting"
    everyone = dict.fromkeys(subjects.values(), "合格")
    for member_id in [m for m in subjects if m != tree.member_a1.pk]:
        ballot_submit(
            round_=round_,
            sheet=mark_sheet(round_, everyone),
            rater_member=Member.objects.get(pk=member_id),
        )
    ballot_submit(round_=round_, sheet=mark_sheet(round_, everyone), rater_user=tree.town_admin)
    ballots_fold(round_.pk)
    body = client.get(confirm_url).content.decode()
    assert "确认结算" in body and "群众评价" in body and "5个不足" in body
    done = client.post(reverse("appraisal:round_action", args=[round_.pk, "close"]), follow=True)
    assert "已转为“已结算”" in done.content.decode()
    assert client.get(confirm_url).status_code == 302  # closed: back to the round

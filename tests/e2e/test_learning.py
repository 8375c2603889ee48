"""A member on a phone: sees their study hours, takes an exam on one page with a countdown,
each answer saved as it is tapped, hands it in and sees the result."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangxian.learning.models import Attempt, AttemptStatus
from chuangxian.learning.services.courses import course_create
from tests.e2e.conftest import body_overflow, login, screenshot
from tests.learning.conftest import ACTOR, attend, held_meeting, make_bank, make_exam

pytestmark = pytest.mark.e2e


def test_member_takes_an_exam_on_a_phone(transactional_db, tree, phone, site_url):
    attend(held_meeting(tree.branch_a1, when=timezone.now() - dt.timedelta(days=2)), tree.member_a1)
    course_create(
        actor=ACTOR, organization=tree.town_a, title="党史学习", description="", hours=Decimal(2)
    )
    make_bank(tree.town_a, single=3, multiple=2, judge=2)
    now = timezone.now()
    exam = make_exam(
        tree.town_a,
        single=2,
        multiple=1,
        judge=1,
        minutes=20,
        opens=now - dt.timedelta(hours=1),
        closes=now + dt.timedelta(days=1),
    )
    page = phone
    login(page, site_url, "member_a1")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="学习").tap()
    expect(page.get_by_role("heading", name="我的学时")).to_be_visible()
    expect(page.locator(".hours-big")).to_contain_text("4.0")
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_role("link", name="党史学习")).to_be_visible()
    assert body_overflow(page) <= 1, "learning home wider than the phone"

    page.get_by_role("link", name=exam.title).tap()
    page.get_by_role("button", name="开始答题").tap()
    expect(page.get_by_role("timer")).to_be_visible()
    expect(page.locator("#countdown-time")).to_contain_text(":")
    assert body_overflow(page) <= 1, "exam page wider than the phone"
    screenshot(page, "learning-exam-phone")

    attempt = Attempt.objects.get(member=tree.member_a1, exam=exam)
    answers = list(attempt.answers.select_related("question").order_by("position"))
    for answer in answers:
        fieldset = page.locator(f"fieldset[data-position='{answer.position}']")
        for index in answer.question.answer:
            fieldset.locator("label.option").nth(index).tap()
        # Each tap is saved at once, on the server.
        expect(page.locator(f"#saved-{answer.position}")).to_have_text("已保存")
    saved = {a.position: a.chosen for a in attempt.answers.all()}
    assert saved == {a.position: a.question.answer for a in answers}

    page.get_by_role("button", name="交卷").tap()
    expect(page.locator(".score")).to_contain_text("100")
    expect(page.get_by_text("及格", exact=True).first).to_be_visible()
    assert body_overflow(page) <= 1, "result page wider than the phone"
    screenshot(page, "learning-exam-result-phone")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 100

    # Back on the exam page the single allowed attempt is used.
    page.get_by_role("link", name="返回考试").tap()
    expect(page.get_by_text("您已用完全部作答机会。")).to_be_visible()

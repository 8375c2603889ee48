"""考评方案 built on screen, then used: a township administrator builds a 民主评议 scheme with
an automatic figure (attendance, by threshold steps), is told what is wrong until it is right,
runs a round with it, members rate on phones (counter, record beside each member, a draft
surviving a reload), the close is confirmed after the participation check, and the
explanation names the records behind the automatic figure."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangxian.appraisal.models import Indicator, Scheme, SubjectResult
from chuangxian.orglife.models import AttendanceStatus
from tests.e2e.conftest import PASSWORD, body_overflow, login, screenshot
from tests.factories import MemberFactory, make_user
from tests.learning.conftest import attend, held_meeting

pytestmark = pytest.mark.django_db(transaction=True)


def _row(page, index: int, **values: str) -> None:  # type: ignore[no-untyped-def]
    for name, value in values.items():
        selector = f"[name=rows-{index}-{name}]"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def test_build_a_scheme_and_close_a_round_with_figures(tree, desktop, phone, site_url) -> None:  # type: ignore[no-untyped-def]
    base = site_url
    extra = [MemberFactory(organization=tree.branch_a1, name=f"党员{i}") for i in range(2)]
    make_user("lisi", member=tree.member_a1g)
    raters = [("member_a1", tree.member_a1), ("lisi", tree.member_a1g)]
    for i, member in enumerate(extra):
        make_user(f"extra{i}", member=member)
        raters.append((f"extra{i}", member))
    when = dt.datetime(2026, 3, 10, 9, tzinfo=timezone.get_current_timezone())
    for month in range(4):
        meeting = held_meeting(tree.branch_a1, when=when + dt.timedelta(days=30 * month))
        attend(meeting, tree.member_a1)
        attend(
            meeting, tree.member_a1g, AttendanceStatus.ABSENT if month else AttendanceStatus.PRESENT
        )

    login(desktop, base, "town_admin")
    desktop.goto(f"{base}/appraisal/")
    desktop.click("text=考评方案")
    desktop.click("text=新建方案")
    desktop.fill("[name=code]", "jiazhen_records")
    desktop.fill("[name=name]", "甲镇民主评议（含出席）")
    desktop.select_option("[name=owner]", value=str(tree.town_a.pk))
    _row(desktop, 0, code="vote", name="民主测评", weight="70", kind="rated", scale="democratic")
    _row(desktop, 1, code="records", name="平时表现", weight="30", kind="")
    _row(
        desktop,
        2,
        code="attendance",
        parent="records",
        name="参加组织生活",
        weight="90",
        kind="automatic",
        metric="orglife.attendance_rate",
        rule="thresholds",
        steps="0.9:100, 0.75:80, 0.6:60",
        missing="100",
    )
    desktop.click("button:has-text('保存方案')")
    problems = desktop.inner_text(".ap-problems")
    assert "“平时表现”的下级指标的权重之和应为100，现为90" in problems
    _row(desktop, 2, weight="100")
    desktop.click("button:has-text('保存方案')")
    assert "方案已保存" in desktop.inner_text(".messages")
    assert "组织生活出席率" in desktop.inner_text("main")
    screenshot(desktop, "appraisal-scheme-built")
    scheme = Scheme.objects.get(code="jiazhen_records")
    assert Indicator.objects.get(scheme=scheme, code="attendance").parent.code == "records"

    # The editor and the scheme page fit a phone too.
    login(phone, base, "town_admin")
    for path in ("/appraisal/schemes/new/", f"/appraisal/schemes/{scheme.pk}/"):
        phone.goto(f"{base}{path}")
        assert body_overflow(phone) == 0, path
    screenshot(phone, "appraisal-scheme-editor-phone")
    phone.click("form.logout button[type=submit]")
    phone.wait_for_load_state()

    desktop.goto(f"{base}/appraisal/new/")
    desktop.select_option("select[name=organization]", value=str(tree.branch_a1.pk))
    desktop.select_option("select[name=scheme]", label="甲镇民主评议（含出席）")
    desktop.fill("input[name=name]", "2026年度甲镇一村民主评议")
    desktop.click("button:has-text('创建')")
    desktop.click("button:has-text('开始测评')")
    assert "读取于" in desktop.inner_text("main")
    round_url = desktop.url

    for number, (username, _member) in enumerate(raters):
        login(phone, base, username, PASSWORD)
        phone.goto(f"{base}/appraisal/")
        phone.click("text=填写评价表")
        counter = phone.locator("[data-ap-counter]")
        expect(counter).to_have_text("已评 0/4")
        cards = phone.locator("fieldset.ap-subject")
        cards.nth(0).get_by_label("优秀", exact=True).check()
        expect(counter).to_have_text("已评 1/4")
        if number == 0:
            assert "会议出席4/4" in phone.inner_text("main")
            phone.reload()  # the draft survives a reload
            expect(phone.locator("[data-ap-draft-note]")).to_be_visible()
            expect(counter).to_have_text("已评 1/4")
            assert body_overflow(phone) == 0
            screenshot(phone, "appraisal-ballot-phone")
        for i in range(1, cards.count()):
            cards.nth(i).get_by_label("合格", exact=True).check()
        expect(counter).to_have_text("已评 4/4")
        phone.click("button:has-text('提交评价')")
        assert "已提交" in phone.inner_text(".messages")
        phone.click("form.logout button[type=submit]")
        phone.wait_for_load_state()

    desktop.goto(f"{base}/appraisal/")
    desktop.click("text=填写评价表")
    cards = desktop.locator("fieldset.ap-subject")
    for i in range(cards.count()):
        cards.nth(i).get_by_label("合格", exact=True).check()
    desktop.click("button:has-text('提交评价')")
    desktop.goto(round_url)
    desktop.click("text=结束测评并结算")
    assert "各评价主体参与情况" in desktop.inner_text("main")
    screenshot(desktop, "appraisal-close-confirm")
    desktop.click("button:has-text('确认结算')")
    assert "已转为“已结算”" in desktop.inner_text(".messages")
    desktop.click("text=查看结果")
    desktop.locator("tr", has_text="李四").get_by_text("得分说明").click()
    explanation = desktop.inner_text(".ap-lines")
    assert "自动计算“组织生活出席率”" in explanation
    assert "本对象的记录：已召开会议中应到4次，出席1次" in explanation
    assert "分档计分" in explanation
    assert SubjectResult.objects.filter(round__scheme=scheme).count() == 4

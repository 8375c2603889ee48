"""考评 in the browser: a township administrator runs a 民主评议 round for a branch (members rate
on phones, the public through a QR token) and a 五好 round for its branches, closes, reads the
explanation, changes one grade with a reason and publishes."""

import re

import pytest

from chuangxian.appraisal.models import Round, RoundStatus, SubjectResult
from tests.e2e.conftest import PASSWORD, TIMEOUT_MS, body_overflow, login, screenshot
from tests.factories import MemberFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _logout(page) -> None:  # type: ignore[no-untyped-def]
    page.click("form.logout button[type=submit]")
    page.wait_for_load_state()


def _mark_all(page, mark: str) -> None:  # type: ignore[no-untyped-def]
    cards = page.locator("fieldset.ap-subject")
    for i in range(cards.count()):
        cards.nth(i).get_by_label(mark, exact=True).check()


def test_appraisal_rounds_in_the_browser(tree, desktop, phone, site_url, browser) -> None:  # type: ignore[no-untyped-def]
    MemberFactory(organization=tree.branch_a1, name="孙七")
    make_user("lisi", member=tree.member_a1g)
    base = site_url

    # The administrator creates the 民主评议 round for branch A1 and starts it.
    login(desktop, base, "town_admin")
    desktop.goto(f"{base}/appraisal/")
    desktop.click("text=新建考评")
    desktop.select_option("select[name=organization]", value=str(tree.branch_a1.pk))
    desktop.select_option("select[name=scheme]", label="民主评议党员（仅民主测评）")
    desktop.fill("input[name=name]", "2026年度民主评议党员")
    desktop.click("button:has-text('创建')")
    desktop.click("button:has-text('开始测评')")
    assert "已转为“测评中”" in desktop.inner_text(".messages")
    round_url = desktop.url
    # One public token, printed as a QR sheet with its link.
    desktop.fill("input[name=count]", "1")
    desktop.click("button:has-text('发放并打印二维码')")
    assert desktop.locator(".ap-card svg").count() == 1
    token_url = desktop.inner_text(".ap-links li").strip()
    assert re.match(rf"{re.escape(base)}/public/appraisal/t/[\w-]+/$", token_url)

    # Members rate on their phones, once each.
    for username in ("member_a1", "lisi"):
        login(phone, base, username, PASSWORD)
        phone.goto(f"{base}/appraisal/")
        phone.click("text=填写评价表")
        _mark_all(phone, "优秀" if username == "member_a1" else "合格")
        assert body_overflow(phone) == 0
        phone.click("button:has-text('提交评价')")
        assert "已提交" in phone.inner_text(".messages")
        if username == "member_a1":
            phone.go_back()
            phone.reload()
            assert "每人只能提交一次" in phone.inner_text("main")
            screenshot(phone, "appraisal-member-done")
        _logout(phone)

    # The public through the QR token, without an account.
    # A Chinese phone, as the QR sheet's readers have: the page follows Accept-Language.
    public = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    public_page = public.new_page()
    public_page.set_default_timeout(TIMEOUT_MS)
    public_page.goto(token_url)
    _mark_all(public_page, "合格")
    public_page.click("button:has-text('提交评价')")
    assert "谢谢您的评价" in public_page.inner_text("main")
    public_page.goto(token_url)
    assert "已使用过" in public_page.inner_text("main")
    public.close()

    # The superior rates, then closes after looking at participation.
    desktop.goto(f"{base}/appraisal/")
    desktop.click("text=填写评价表")
    _mark_all(desktop, "合格")
    desktop.click("button:has-text('提交评价')")
    desktop.goto(round_url)
    assert "参与人数与评价表数一致" in desktop.inner_text("main")
    desktop.click("text=结束测评并结算")
    assert "各评价主体参与情况" in desktop.inner_text("main")
    desktop.click("button:has-text('确认结算')")
    desktop.click("text=查看结果")
    assert desktop.locator("table tbody tr").count() == 3
    desktop.locator("tr", has_text="李四").get_by_text("得分说明").click()
    explanation = desktop.inner_text(".ap-lines")
    assert "党员互评" in explanation and "综合得分" in explanation and "排第" in explanation
    current = desktop.inner_text(".ap-grade").strip()
    target = "基本合格" if current != "基本合格" else "合格"
    desktop.select_option("select[name=grade]", target)
    desktop.fill("textarea[name=reason]", "支部委员会研究：长期在外务工，联系不畅")
    desktop.click("button:has-text('确定调整')")
    assert desktop.inner_text(".ap-grade").strip() == target
    screenshot(desktop, "appraisal-explanation")
    desktop.goto(round_url)
    desktop.click("button:has-text('审核通过')")
    desktop.click("button:has-text('公布结果')")
    assert "已转为“已公布”" in desktop.inner_text(".messages")
    democratic = Round.objects.get(scheme__code="democratic")
    assert democratic.status == RoundStatus.PUBLISHED
    assert (
        SubjectResult.objects.filter(round=democratic, grade=target)
        .exclude(override_reason="")
        .exists()
    )

    # The 五好 round for the township's branches, rated by the administrator as superior.
    desktop.goto(f"{base}/appraisal/new/")
    desktop.select_option("select[name=organization]", value=str(tree.town_a.pk))
    desktop.select_option("select[name=scheme]", label="五好党组织考评")
    desktop.fill("input[name=name]", "2026年度五好党组织考评")
    desktop.click("button:has-text('创建')")
    desktop.click("button:has-text('开始测评')")
    five_good_url = desktop.url
    desktop.goto(f"{base}/appraisal/")
    desktop.locator("li", has_text="五好党组织考评").get_by_text("填写评价表").click()
    inputs = desktop.locator("input[type=number]")
    for i in range(inputs.count()):
        inputs.nth(i).fill(str(95 - i % 7))
    desktop.click("button:has-text('提交评价')")
    desktop.goto(five_good_url)
    desktop.click("text=结束测评并结算")
    assert "各评价主体参与情况" in desktop.inner_text("main")
    desktop.click("button:has-text('确认结算')")
    desktop.click("text=查看结果")
    assert desktop.locator("table tbody tr").count() == 2
    desktop.goto(five_good_url)
    desktop.click("button:has-text('审核通过')")
    desktop.click("button:has-text('公布结果')")
    assert Round.objects.get(scheme__code="five_good").status == RoundStatus.PUBLISHED

    # The member reads their own published result on the phone.
    login(phone, base, "member_a1", PASSWORD)
    phone.goto(f"{base}/appraisal/")
    phone.click("text=2026年度民主评议党员")
    assert phone.locator("table tbody tr").count() == 1
    assert "张三" in phone.inner_text("table")

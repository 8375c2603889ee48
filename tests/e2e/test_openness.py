"""Openness end to end, phone first: a visitor opens the organization's public page (where the
QR code leads), submits an opinion without an account, the secretary publishes and answers it,
and the visitor rates the answer on the follow page; a disclosure goes through review, blocked
by an ID number in its text, then published and read on the public page."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from chuangxian.openness.models import Disclosure, DisclosureStatus, Opinion, OpinionStatus
from tests.e2e.conftest import body_overflow, login, screenshot
from tests.factories import make_id_number

pytestmark = pytest.mark.e2e


def logout(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_public_opinion_submitted_answered_and_rated(
    transactional_db, tree, phone, browser, site_url
):
    page = phone
    page.goto(f"{site_url}/public/orgs/{tree.branch_a1.code}/")
    expect(page.locator("#opinions svg")).to_have_count(1)  # the QR code to print
    assert body_overflow(page) <= 1, "public organization page wider than the phone"
    page.get_by_role("link", name="我要提意见建议").tap()
    page.get_by_label("您的意见建议").fill("村口路灯坏了一个多月，晚上出行很不方便，请尽快修好。")
    page.get_by_label("手机号码（可选，用于回复您）").fill("13912345678")
    page.get_by_role("button", name="提交").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的意见建议")
    expect(page.get_by_text("待答复")).to_be_visible()
    follow_url = page.url
    assert "/follow/" in follow_url
    assert body_overflow(page) <= 1, "follow page wider than the phone"
    screenshot(page, "openness-1-submitted")

    # The secretary, on a phone too, publishes it on the 回音壁 and answers.
    staff = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    secretary = staff.new_page()
    login(secretary, site_url, "secretary_a1")
    secretary.goto(f"{site_url}/openness/moderation/")
    expect(secretary.get_by_text("村口路灯坏了")).to_be_visible()
    secretary.get_by_role("button", name="在回音壁公开").click()
    expect(secretary.get_by_text("已在回音壁公开。")).to_be_visible()
    secretary.goto(f"{site_url}/openness/")
    secretary.get_by_role("link", name=re.compile(r"^#\d+$")).first.click()
    expect(secretary.get_by_text("13912345678")).to_be_visible()  # staff see the phone
    secretary.get_by_label("答复内容").fill("已联系电工，路灯已于今天修好。感谢监督！")
    secretary.get_by_role("button", name="提交答复").click()
    expect(secretary.get_by_text("已答复。")).to_be_visible()
    staff.close()

    # The visitor comes back by the link and rates in one tap.
    page.goto(follow_url)
    expect(page.get_by_text("已联系电工，路灯已于今天修好。")).to_be_visible()
    page.get_by_role("button", name="满意", exact=True).tap()
    expect(page.get_by_text("感谢您的评价！")).to_be_visible()
    opinion = Opinion.objects.get()
    assert opinion.status == OpinionStatus.CLOSED and opinion.satisfaction == "satisfied"

    # The 回音壁 shows the opinion, the reply and the rating, but never the phone.
    page.goto(f"{site_url}/public/openness/{tree.branch_a1.code}/")
    expect(page.get_by_text("路灯已于今天修好")).to_be_visible()
    expect(page.locator(f"#opinion-{opinion.pk}")).to_contain_text("满意")
    assert "13912345678" not in page.content()
    assert body_overflow(page) <= 1, "回音壁 wider than the phone"
    screenshot(page, "openness-2-wall")


def test_disclosure_blocked_by_an_id_number_then_published(
    transactional_db, tree, phone, browser, site_url
):
    number = make_id_number(dt.date(1988, 6, 3), 11)
    worker = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = worker.new_page()
    login(page, site_url, "worker_a1")
    page.goto(f"{site_url}/openness/disclosures/")
    page.get_by_role("link", name="提出公开事项").click()
    page.get_by_label("公开事项").select_option(label="发展党员")
    page.locator("#id_title").fill("发展对象公示")
    page.get_by_label("公开内容").fill(
        f"拟确定李某（身份证号{number}）为发展对象，公示期5个工作日。"
    )
    page.get_by_label("公开范围").select_option(label="向社会公开")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已提出公开事项（草稿）。")).to_be_visible()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交审核。")).to_be_visible()
    disclosure_url = page.url
    worker.close()

    # The secretary reviews: the ID number is marked and blocks the review.
    staff = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    secretary = staff.new_page()
    login(secretary, site_url, "secretary_a1")
    secretary.goto(disclosure_url)
    expect(secretary.locator("mark.op-sensitive").first).to_have_text(number)
    secretary.get_by_label(re.compile("我已审核")).check()
    secretary.get_by_role("button", name="审核通过").click()
    expect(secretary.get_by_text(re.compile("须删除后才能公开"))).to_be_visible()
    screenshot(secretary, "openness-3-blocked")
    secretary.get_by_label("理由").fill("请删去身份证号")
    secretary.get_by_role("button", name="退回修改").click()
    expect(secretary.get_by_text("已退回。")).to_be_visible()
    staff.close()

    worker = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = worker.new_page()
    login(page, site_url, "worker_a1")
    page.goto(disclosure_url)
    page.get_by_role("link", name="修改").click()
    page.get_by_label("公开内容").fill("拟确定李某为发展对象，公示期5个工作日。")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交审核。")).to_be_visible()
    worker.close()

    staff = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    secretary = staff.new_page()
    login(secretary, site_url, "secretary_a1")
    secretary.goto(disclosure_url)
    expect(secretary.locator("mark.op-sensitive")).to_have_count(0)
    secretary.get_by_label(re.compile("我已审核")).check()
    secretary.get_by_role("button", name="审核通过").click()
    expect(secretary.get_by_text("审核通过，待审批。")).to_be_visible()
    secretary.get_by_role("button", name="审批同意").click()
    expect(secretary.get_by_text("已审批，可以公开。")).to_be_visible()
    secretary.get_by_role("button", name="公开", exact=True).click()
    expect(secretary.get_by_text("已公开。")).to_be_visible()
    staff.close()
    assert Disclosure.objects.get().status == DisclosureStatus.PUBLISHED

    # The public reads it on the organization's page.
    phone.goto(f"{site_url}/public/orgs/{tree.branch_a1.code}/")
    phone.get_by_role("link", name="发展对象公示").tap()
    expect(phone.get_by_text("拟确定李某为发展对象")).to_be_visible()
    assert number not in phone.content()
    assert body_overflow(phone) <= 1
    screenshot(phone, "openness-4-published")


def test_member_post_card_rated_on_a_phone(transactional_db, tree, phone, browser, site_url):
    from chuangxian.openness.models import PostCard, PostRating

    member = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = member.new_page()
    login(page, site_url, "member_a1")
    page.goto(f"{site_url}/openness/cards/")
    page.get_by_role("link", name="制作我的岗位卡").click()
    page.get_by_label("岗位类型").select_option(label="服务窗口")
    page.get_by_label("岗位名称").fill("村便民服务中心社保窗口")
    page.get_by_label("服务承诺").fill("微笑服务，一次讲清，限时办结。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存岗位卡。")).to_be_visible()
    page.get_by_role("link", name="打印岗位卡（A6）").click()
    expect(page.locator(".op-post-card svg")).to_have_count(1)
    member.close()

    card = PostCard.objects.get()
    phone.goto(f"{site_url}/public/openness/cards/{card.token}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("张三")
    assert body_overflow(phone) <= 1, "post card page wider than the phone"
    phone.get_by_label("意见（可选）").fill("办事很快，态度很好")
    phone.get_by_role("button", name="满意", exact=True).tap()
    expect(phone.get_by_text("感谢您的评价！")).to_be_visible()
    phone.get_by_role("button", name="基本满意").tap()
    expect(phone.get_by_text("本设备今天已评价过，明天可以再评价")).to_be_visible()
    screenshot(phone, "openness-5-card-rated")
    assert [(r.score, r.comment) for r in PostRating.objects.all()] == [(100, "办事很快，态度很好")]


def test_consultation_with_comments_adopted(transactional_db, tree, phone, browser, site_url):
    from chuangxian.openness.models import Consultation, ConsultationStatus

    staff = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    secretary = staff.new_page()
    login(secretary, site_url, "secretary_a1")
    secretary.goto(f"{site_url}/openness/consultations/")
    secretary.get_by_role("link", name="发布征求意见").click()
    secretary.locator("#id_title").fill("关于调整主题党日时间的决定（草案）")
    secretary.get_by_label("决定草案").fill("拟将每月主题党日调整为每月第一个周六。")
    secretary.get_by_label("征求范围").select_option(label="党员和群众")
    deadline = dt.date.today() + dt.timedelta(days=7)
    secretary.get_by_label("截止日期").fill(deadline.isoformat())
    secretary.get_by_role("button", name="发布").click()
    expect(secretary.get_by_text("已发布征求意见。")).to_be_visible()
    consultation = Consultation.objects.get()

    # A member comments on their phone.
    member = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = member.new_page()
    login(page, site_url, "member_a1")
    page.goto(f"{site_url}/openness/consultations/{consultation.pk}/")
    page.get_by_label("我的意见").fill("赞成，周六外出务工的党员也能回来参加。")
    page.get_by_role("button", name="提交意见").tap()
    expect(page.get_by_text("已提交意见。")).to_be_visible()
    assert body_overflow(page) <= 1

    # A member of the public comments from the organization's page.
    phone.goto(f"{site_url}/public/orgs/{tree.branch_a1.code}/")
    phone.get_by_role("link", name="关于调整主题党日时间的决定（草案）").tap()
    phone.get_by_label("我的意见").fill("建议改在周日，周六村里赶集。")
    phone.get_by_role("button", name="提交意见").tap()
    expect(phone.get_by_text("已提交意见。")).to_be_visible()

    # The secretary decides: the first adopted, the second declined with a reason.
    secretary.reload()
    first, second = consultation.comments.order_by("id")
    secretary.locator(f"input[name=adopt-{first.pk}][value=yes]").check()
    secretary.locator(f"input[name=adopt-{second.pk}][value=no]").check()
    secretary.locator(f"#reason-{second.pk}").fill("多数党员周日有家务安排")
    secretary.get_by_label("最终决定").fill("自下月起，主题党日定为每月第一个周六。")
    secretary.get_by_role("button", name="形成决定").click()
    expect(secretary.get_by_text("已形成决定，意见采纳情况已向提意见的人公开。")).to_be_visible()
    staff.close()
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.DECIDED

    # Both commenters see the trail.
    page.reload()
    expect(page.locator(f"#comment-{first.pk}")).to_contain_text("已采纳")
    member.close()
    phone.reload()
    expect(phone.locator(f"#comment-{second.pk}")).to_contain_text("未采纳")
    expect(phone.locator(f"#comment-{second.pk}")).to_contain_text("多数党员周日有家务安排")
    assert body_overflow(phone) <= 1
    screenshot(phone, "openness-6-consultation")

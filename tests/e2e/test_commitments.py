"""公开承诺 end to end: a member drafts (定诺), the branch secretary approves (审诺) and
publishes (公诺), the member reports progress (践诺), and in the rating phase a member of the
public on a phone opens the QR link, rates an item (评诺) — and a second rating from the same
device is refused."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangxian.campaigns.models import Campaign, CampaignStatus, Phase, PhaseKind
from chuangxian.commitments.models import CommitmentItem, ItemStatus, Rating
from tests.e2e.conftest import body_overflow, login, screenshot

pytestmark = pytest.mark.e2e


def logout(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_commitment_lifecycle_with_public_rating_on_a_phone(
    transactional_db, tree, desktop, phone, site_url
):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="创先争优年度活动",
        owner=tree.county,
        year=today.year,
        starts_on=today - dt.timedelta(days=100),
        ends_on=today + dt.timedelta(days=200),
        status=CampaignStatus.ACTIVE,
    )
    phase = Phase.objects.create(
        campaign=campaign,
        kind=PhaseKind.DEPLOY,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=10),
    )

    # 定诺: the member drafts and submits.
    page = desktop
    login(page, site_url, "member_a1")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="公开承诺").click()
    page.get_by_role("link", name="我要承诺").click()
    page.get_by_role("button", name="开始定诺").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("张三的公开承诺")
    page.get_by_label("承诺类型").select_option(label="实事承诺")
    page.get_by_label("对应“五带头”").select_option(label="带头服务群众")
    page.get_by_label("承诺内容").fill("为本村留守老人每月上门理发一次")
    page.get_by_label("目标数值").fill("12")
    page.get_by_label("单位").fill("次")
    page.get_by_label("完成时限").fill((today + dt.timedelta(days=90)).isoformat())
    page.get_by_role("button", name="添加").click()
    expect(page.get_by_text("已添加承诺事项（草稿）。")).to_be_visible()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".cm-item")).to_contain_text("待审诺")
    logout(page)

    # 审诺 + 公诺: the branch secretary approves from the queue, then publishes the sheet.
    login(page, site_url, "secretary_a1")
    page.goto(f"{site_url}/commitments/")
    page.get_by_role("link", name="待审核（1）").click()
    expect(page.locator("article")).to_contain_text("为本村留守老人每月上门理发一次")
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("已审核通过。")).to_be_visible()
    expect(page.get_by_text("没有待审核的承诺。")).to_be_visible()
    page.goto(f"{site_url}/commitments/")
    page.get_by_role("link", name="张三").first.click()
    page.get_by_role("button", name="公开承诺（公诺）").click()
    expect(page.get_by_text("已公开承诺，群众可扫码查看。")).to_be_visible()
    screenshot(page, "commitments-1-secretary-published")
    logout(page)
    item = CommitmentItem.objects.get()
    assert item.status == ItemStatus.PUBLISHED

    # 践诺: in the working phase the member reports progress.
    phase.kind = PhaseKind.CREATE
    phase.save()
    login(page, site_url, "member_a1")
    page.goto(f"{site_url}/commitments/")
    page.get_by_role("link", name="为本村留守老人每月上门理发一次").click()
    page.get_by_label("进展情况").fill("已为5位老人上门理发")
    page.get_by_label("已完成数值").fill("5")
    page.get_by_role("button", name="报告进展").click()
    expect(page.get_by_text("已报告践诺进展。")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("已为5位老人上门理发")
    logout(page)

    # 评诺: the public on a phone, through the QR link.
    phase.kind = PhaseKind.REVIEW
    phase.save()
    wall = f"{site_url}/public/commitments/{tree.branch_a1.code}/"
    qr_title = phone.context.new_page()
    qr_title.goto(wall)
    # The QR code on the wall carries exactly this absolute URL.
    expect(qr_title.locator("svg.segno title")).to_have_text(wall)
    stale = qr_title  # a second tab on the same phone, opened before rating
    public = phone
    public.goto(wall)
    assert body_overflow(public) <= 1, "wall wider than the phone"
    expect(public.get_by_role("heading", level=1)).to_have_text("甲镇一村党支部公开承诺")
    card = public.locator(f"#item-{item.pk}")
    expect(card).to_contain_text("为本村留守老人每月上门理发一次")
    expect(card).to_contain_text("践诺中")
    card.get_by_text("满意", exact=True).tap()
    card.get_by_role("button", name="提交评价").tap()
    expect(public.get_by_text("感谢您的评价！")).to_be_visible()
    expect(public.locator(f"#item-{item.pk}")).to_contain_text("您已评价：满意")
    screenshot(public, "commitments-2-public-rated-phone")

    stale.locator(f"#item-{item.pk}").get_by_text("不满意").tap()
    stale.locator(f"#item-{item.pk}").get_by_role("button", name="提交评价").tap()
    expect(stale.get_by_text("本设备已评价过该承诺，每台设备只能评价一次")).to_be_visible()
    ratings = list(Rating.objects.values_list("group", "score"))
    assert ratings == [("public", 100)]

    # The printable cards for the physical 公开栏: one card, the QR code scaled into it.
    desktop.goto(f"{wall}cards/")
    card = desktop.locator(".commitment-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("张三")
    expect(card).to_contain_text(tree.branch_a1.name)
    qr_box = card.locator("svg").bounding_box()
    card_box = card.bounding_box()
    assert qr_box is not None and card_box is not None
    assert (
        60 <= qr_box["width"] <= 200
        and qr_box["x"] + qr_box["width"] <= card_box["x"] + card_box["width"]
    )
    screenshot(desktop, "commitments-3-cards")

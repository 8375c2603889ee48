"""帮扶 and 典型经验 end to end.

A support plan from a lagging tier to the closing review: the township administrator sees the
branch placed in the lowest tier of the closed appraisal, draws up a plan with a measure and
starts it; the branch's secretary, on a phone, records a visit with a photo, the measure done
and asks for the review; the administrator accepts it with the figures before and after.

A case submitted by one branch, reviewed and published to the public by its township, adopted
by a branch of another township, and shown spread on the public page."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangxian.cases.models import Adoption, Case, CaseStatus
from chuangxian.support.models import PlanStatus, SupportPlan
from tests.cases.conftest import BODY
from tests.e2e.conftest import body_overflow, login, screenshot
from tests.support.conftest import closed_round, held_meeting, jpeg_bytes

pytestmark = pytest.mark.e2e


def logout(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_support_plan_from_lagging_tier_to_closing_review(
    transactional_db, tree, desktop, phone, site_url, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    for branch in (tree.branch_a1, tree.branch_a2, tree.branch_b1):
        held_meeting(branch, today - dt.timedelta(days=20))
    closed_round(tree.town_a, {tree.branch_a1: "五星", tree.branch_a2: "二星"})

    page = desktop
    login(page, site_url, "town_admin")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="帮扶与保障").click()
    row = page.locator("tr", has_text="甲镇二村党支部")
    expect(row).to_contain_text("考评最低档次")
    expect(row).to_contain_text("评为二星（最低档次）")
    row.get_by_role("link", name="制定帮扶计划").click()
    page.get_by_label("帮扶单位").select_option(label="甲镇一村党支部（A1）")
    page.get_by_label("包联领导").fill("王镇长")
    page.get_by_label("查摆的问题").fill("党员参加组织生活不积极，班子分工不明确")
    page.get_by_role("button", name="保存计划").click()
    expect(page.get_by_text("已制定帮扶计划，请添加整改措施。")).to_be_visible()
    page.get_by_label("整改措施").fill("每月固定召开主题党日并规范记录")
    page.get_by_label("责任人").fill("支部书记")
    page.get_by_label("完成时限").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="添加措施").click()
    expect(page.get_by_text("已添加整改措施。")).to_be_visible()
    page.get_by_role("button", name="启动整顿").click()
    expect(page.get_by_text("帮扶计划已启动，进入整顿。")).to_be_visible()
    plan = SupportPlan.objects.get()
    logout(page)

    # The branch itself, on a phone: a visit with a photo, the measure done, the review asked.
    photo = tmp_path / "visit.jpg"
    photo.write_bytes(jpeg_bytes())
    login(phone, site_url, "secretary_a2")
    phone.goto(f"{site_url}/support/plans/{plan.pk}/")
    assert body_overflow(phone) <= 1, "plan page wider than the phone"
    phone.get_by_label("回访人员").fill("镇组织委员")
    phone.get_by_label("发现的情况").fill("已召开支委会，会议记录规范")
    phone.get_by_label("照片").set_input_files(str(photo))
    phone.get_by_role("button", name="保存回访").tap()
    expect(phone.get_by_text("已登记回访。")).to_be_visible()
    expect(phone.locator("img.sp-photo")).to_have_count(1)
    phone.get_by_label("完成情况").fill("已连续两个月按时召开")
    phone.get_by_role("button", name="登记完成").tap()
    expect(phone.get_by_text("已登记措施完成。")).to_be_visible()
    phone.get_by_role("button", name="申请验收").tap()
    expect(phone.get_by_text("已申请整顿验收。")).to_be_visible()
    expect(phone.get_by_role("button", name="验收通过")).to_have_count(0)
    screenshot(phone, "support-1-branch-asks-review-phone")

    # 整顿验收 by the superior.
    held_meeting(tree.branch_a2, today)
    login(page, site_url, "town_admin")
    page.goto(f"{site_url}/support/")
    page.locator("tr", has_text="甲镇二村党支部").get_by_role("link", name="待验收").click()
    page.get_by_label("验收意见").fill("整改措施全部落实，组织生活恢复正常，同意验收")
    page.get_by_role("button", name="验收通过").click()
    expect(page.get_by_text("整顿验收通过。")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("已验收")
    figures = page.locator("tr", has_text="近一年召开会议")
    expect(figures).to_contain_text("1")
    expect(figures).to_contain_text("2")
    screenshot(page, "support-2-closed")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert plan.figures_before["meetings_year"] == 1
    assert plan.figures_after["meetings_year"] == 2


def test_case_submitted_published_and_adopted_by_another_branch(
    transactional_db, tree, desktop, phone, site_url, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "case.jpg"
    photo.write_bytes(jpeg_bytes())
    page = desktop

    login(page, site_url, "secretary_a1")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="典型经验").click()
    page.get_by_role("link", name="报送案例").click()
    page.get_by_label("标题").fill("党员积分超市让党员作用看得见")
    page.get_by_label("所属领域").select_option(label="农村")
    page.get_by_label("涉及机制").select_option(label="激励机制")
    page.get_by_label("摘要").fill("积分兑换，激励党员发挥作用")
    page.get_by_label("正文").fill(BODY)
    page.get_by_label("照片和附件").set_input_files(str(photo))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存案例草稿")).to_be_visible()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交上级审核。")).to_be_visible()
    logout(page)

    login(page, site_url, "town_admin")
    page.goto(f"{site_url}/cases/")
    page.locator("section", has_text="待我审核或发布").get_by_role(
        "link", name="党员积分超市让党员作用看得见"
    ).click()
    page.get_by_label("审核意见").fill("做法具体，可推广")
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("已审核通过。")).to_be_visible()
    page.get_by_label("向社会公开").check()
    page.get_by_role("button", name="发布案例").click()
    expect(page.get_by_text("案例已发布。")).to_be_visible()
    logout(page)
    case = Case.objects.get()
    assert case.status == CaseStatus.PUBLISHED

    # Another township's administrator finds it by a word of its text and adopts it.
    login(page, site_url, "admin_b")
    page.goto(f"{site_url}/cases/")
    page.get_by_label("关键词").fill("积分超市")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="党员积分超市让党员作用看得见").click()
    page.get_by_label("借鉴单位").select_option(label="　乙镇一村党支部（B1）")
    page.get_by_label("借鉴做法").fill("按村民小组设积分项目，每季度公示")
    page.get_by_label("取得成效").fill("党员参加集中学习的比例提高到百分之八十五")
    page.get_by_role("button", name="登记借鉴").click()
    expect(page.get_by_text("已登记借鉴推广情况。")).to_be_visible()
    assert Adoption.objects.get().organization == tree.branch_b1

    # The public, on a phone: the case, its photo and where it spread.
    phone.goto(f"{site_url}/public/cases/?q=积分")
    phone.get_by_role("link", name="党员积分超市让党员作用看得见").tap()
    expect(phone.get_by_role("heading", level=2)).to_contain_text("1个组织借鉴")
    assert body_overflow(phone) <= 1, "public case wider than the phone"
    expect(phone.locator(".cs-adoption")).to_contain_text("乙镇一村党支部")
    expect(phone.locator("img.cs-photo")).to_have_count(1)
    screenshot(phone, "cases-1-public-spread-phone")

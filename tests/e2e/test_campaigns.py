"""A county administrator cascades a target two levels down and watches progress roll up:
county → town A (set), town A → branch A1 (decompose), the branch secretary reports, and the
county's targets page shows the rolled-up percentage."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangxian.campaigns.models import TargetItem
from tests.campaigns.conftest import DAY, make_campaign
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _logout(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_county_admin_cascades_targets_and_sees_the_roll_up(
    transactional_db, tree, desktop, site_url
):
    today = timezone.localdate()
    campaign = make_campaign(tree.county, tree.county_admin, today)
    page = desktop

    # 1. The county administrator sets a target for town A.
    login(page, site_url, "county_admin")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="创先争优").click()
    page.get_by_role("link", name=campaign.name).click()
    expect(page.locator("#allowed-today")).to_contain_text("下达和分解目标")
    page.get_by_role("link", name="某县委的目标").click()
    page.get_by_role("link", name="给下级下达目标").click()
    page.get_by_label("下达给").select_option(label="　甲镇党委（A）")
    page.get_by_label("目标内容").fill("发展党员")
    page.get_by_label("分值（权重）").fill("20")
    page.get_by_label("数值（基数→目标值）").check()
    page.get_by_label("单位", exact=True).fill("名")
    page.get_by_label("基数", exact=True).fill("0")
    page.get_by_label("目标值", exact=True).fill("4")
    page.get_by_label("完成时限").fill((today + 20 * DAY).isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已下达目标。")).to_be_visible()
    expect(page.locator("#children-progress")).to_contain_text("甲镇党委")
    _logout(page)

    # 2. The town administrator decomposes it to branch A1.
    login(page, site_url, "town_admin")
    page.goto(f"{site_url}/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="甲镇党委的目标").click()
    page.locator("table.targets").get_by_role("link", name="分解").click()
    page.get_by_label("分解给").select_option(label="甲镇一村党支部")
    page.get_by_label("目标值", exact=True).fill("2")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已分解目标。")).to_be_visible()
    _logout(page)

    # 3. The branch secretary reports progress: 1 of 2.
    login(page, site_url, "secretary_a1")
    page.goto(f"{site_url}/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="甲镇一村党支部的目标").click()
    page.locator("table.targets").get_by_role("link", name="报告进展").click()
    page.get_by_label("当前值（名）").fill("1")
    page.get_by_label("进展情况").fill("已发展预备党员1名")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("已报告进展。")).to_be_visible()
    expect(page.locator(".big-progress .pct")).to_have_text("50%")
    _logout(page)

    # 4. Back at the county: town A stands at 50%, rolled up from the branch.
    login(page, site_url, "county_admin")
    page.goto(f"{site_url}/campaigns/{campaign.pk}/org/{tree.county.pk}/targets/")
    town_row = page.locator("#children-progress tr", has_text="甲镇党委")
    expect(town_row.locator(".pct")).to_have_text("50%")
    item_row = page.locator("table.targets tr", has_text="发展党员").first
    expect(item_row.locator(".pct")).to_have_text("50%")
    screenshot(page, "campaigns-county-roll-up")
    assert TargetItem.objects.filter(campaign=campaign).count() == 2

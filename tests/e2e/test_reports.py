"""The dashboard: a county administrator drills down from the county to a branch, through a
chart bar and the table under it, and reaches the list of members behind a figure."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangxian.reports.build import figures_rebuild
from tests.e2e.conftest import body_overflow, login, screenshot

pytestmark = pytest.mark.e2e


def test_drill_down_from_county_to_branch(transactional_db, tree, desktop, phone, site_url):
    figures_rebuild(year=timezone.localdate().year)
    page = desktop
    login(page, site_url, "county_admin")
    page.get_by_role("link", name="统计看板").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("某县委")
    # The chart is drawn (an SVG from the vendored ECharts) with its table one click away.
    expect(page.locator("#chart-coverage svg")).to_have_count(1)
    screenshot(page, "reports-county")
    page.locator("#chart-coverage").locator("xpath=following-sibling::details[1]/summary").click()
    page.get_by_role("link", name="甲镇党委").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("甲镇党委")
    page.locator("#chart-coverage").locator("xpath=following-sibling::details[1]/summary").click()
    page.get_by_role("link", name="甲镇一村党支部").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("甲镇一村党支部")
    members = page.locator(".dashboard-group").first.locator(".figure").first
    expect(members.locator("strong")).to_have_text("2")
    members.get_by_role("link", name="明细").click()
    expect(page.get_by_text("张三")).to_be_visible()
    expect(page.get_by_text("李四")).to_be_visible()

    login(phone, site_url, "county_admin")
    phone.goto(f"{site_url}/reports/{tree.county.pk}/")
    expect(phone.locator("#chart-study svg")).to_have_count(1)
    assert body_overflow(phone) == 0
    screenshot(phone, "reports-county-phone")

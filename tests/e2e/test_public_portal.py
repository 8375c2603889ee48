"""The public portal on a phone without logging in: find an organization, open its page, and
see no member's name."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import body_overflow, screenshot

pytestmark = pytest.mark.e2e

MEMBER_NAMES = ("张三", "李四", "王五", "赵六")


def test_public_search_and_page_show_no_members(transactional_db, tree, phone, site_url):
    page = phone
    response = page.goto(f"{site_url}/public/")
    assert response is not None and response.status == 200
    expect(page).to_have_url(f"{site_url}/public/")  # no detour to the login page
    expect(page.get_by_role("navigation", name="主导航")).to_have_count(0)
    assert body_overflow(page) <= 1, "portal wider than the phone"

    page.get_by_label("组织名称或编码").fill("一村")
    page.get_by_role("button", name="查询").tap()
    results = page.locator("main ul.plain-list > li")
    expect(results).to_have_count(3)  # 甲镇一村, 一村第一党小组, 乙镇一村
    expect(results.get_by_role("link", name="甲镇一村党支部")).to_be_visible()
    assert body_overflow(page) <= 1, "portal results wider than the phone"

    page.get_by_label("组织名称或编码").fill("不存在的组织")
    page.get_by_role("button", name="查询").tap()
    expect(page.get_by_text("没有找到匹配的党组织。")).to_be_visible()

    page.get_by_label("组织名称或编码").fill("一村")
    page.get_by_role("button", name="查询").tap()
    results.get_by_role("link", name="甲镇一村党支部").tap()
    expect(page).to_have_url(f"{site_url}/public/orgs/{tree.branch_a1.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("甲镇一村党支部")
    expect(page.get_by_role("link", name="一村第一党小组")).to_be_visible()
    expect(page.get_by_role("link", name="甲镇党委")).to_be_visible()
    assert body_overflow(page) <= 1, "public organization page wider than the phone"
    screenshot(page, "5-public-organization")

    text = page.locator("body").inner_text()
    html = page.content()
    for name in MEMBER_NAMES:
        assert name not in text and name not in html, name
    for member in (tree.member_a1, tree.member_a1g):
        assert member.id_number not in html
        assert member.phone not in html

    # The 党小组's public page: its member's name is not there either.
    page.get_by_role("link", name="一村第一党小组").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("一村第一党小组")
    assert "李四" not in page.content()

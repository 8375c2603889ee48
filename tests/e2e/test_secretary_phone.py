"""A branch secretary on a phone: the pages fit the screen, the nav works, their own branch and
members are there, and another branch's page answers with the 404 page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import body_overflow, login, screenshot

pytestmark = pytest.mark.e2e


def test_secretary_on_a_phone_sees_only_their_branch(transactional_db, tree, phone, site_url):
    page = phone
    login(page, site_url, "secretary_a1")
    expect(page).to_have_url(f"{site_url}/")
    assert body_overflow(page) <= 1, "home page wider than the phone"

    nav = page.get_by_role("navigation", name="主导航")
    expect(nav).to_be_visible()
    links = nav.get_by_role("link")
    # 书记: home and the tree, none of the administrator's pages. (Later modules add their own
    # links, so the list is not pinned exactly.)
    expect(links.filter(has_text="首页")).to_have_count(1)
    expect(links.filter(has_text="组织架构")).to_have_count(1)
    for admin_only in ("账号与角色", "审计日志", "花名册导入"):
        expect(links.filter(has_text=admin_only)).to_have_count(0)
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"nav link {i} off screen"
        assert box["height"] >= 16, f"nav link {i} too small to tap"
    expect(page.get_by_role("button", name="退出")).to_be_visible()

    links.filter(has_text="组织架构").tap()
    expect(page).to_have_url(f"{site_url}/tree/")
    assert body_overflow(page) <= 1, "tree page wider than the phone"
    roots = page.locator("ul.tree.root > li")
    expect(roots).to_have_count(1)
    expect(roots.first).to_contain_text("甲镇一村党支部")
    expect(page.get_by_text("甲镇二村党支部")).to_have_count(0)
    expect(page.get_by_text("乙镇一村党支部")).to_have_count(0)

    roots.first.get_by_role("link", name="甲镇一村党支部").tap()
    expect(page).to_have_url(f"{site_url}/orgs/{tree.branch_a1.pk}/")
    assert body_overflow(page) <= 1, "organization page wider than the phone"
    members = page.locator("table.members tbody tr")
    expect(members).to_have_count(1)
    expect(members.first).to_contain_text("张三")
    # With the 党小组 below: 李四 too, and still nobody from another branch.
    page.get_by_label("含下级组织").check()
    page.get_by_role("button", name="筛选").tap()
    expect(members).to_have_count(2)
    expect(page.locator("table.members")).to_contain_text("李四")
    expect(page.locator("table.members")).not_to_contain_text("王五")
    expect(page.locator("table.members")).not_to_contain_text("赵六")
    screenshot(page, "3-secretary-phone-branch")

    members.filter(has_text="张三").get_by_role("link", name="张三").tap()
    expect(page).to_have_url(f"{site_url}/members/{tree.member_a1.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("张三")
    assert body_overflow(page) <= 1, "member page wider than the phone"

    # Another township's branch, a sibling branch and a sibling's member: the 404 page.
    for path in (
        f"/orgs/{tree.branch_b1.pk}/",
        f"/orgs/{tree.branch_a2.pk}/",
        f"/members/{tree.member_a2.pk}/",
    ):
        response = page.goto(f"{site_url}{path}")
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
        expect(page.locator("main")).not_to_contain_text("乙镇一村党支部")
        expect(page.locator("main")).not_to_contain_text("王五")
        assert body_overflow(page) <= 1, f"404 page for {path} wider than the phone"
    # The nav still works from the 404 page.
    page.get_by_role("link", name="返回首页").tap()
    expect(page).to_have_url(f"{site_url}/")

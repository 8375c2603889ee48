"""A town administrator's first hour: the tree, search, an organization, a member, the audited
reveal of the ID number, creating a child organization and the 党小组 rule."""

import re

import pytest
from playwright.sync_api import expect

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.orgs.models import Organization
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e

MASKED = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


def _toggle(summary) -> None:  # type: ignore[no-untyped-def]
    """Open or close a tree node by clicking its toggle beside the link, as a user would."""
    box = summary.bounding_box()
    assert box is not None
    summary.click(position={"x": box["width"] / 2, "y": box["height"] / 2})


def _node(page, name: str):  # type: ignore[no-untyped-def]
    """The <details> of the tree node whose own label (beside its <summary>, not a
    descendant's) is `name`."""
    return (
        page.locator("li.branch")
        .filter(has=page.locator(":scope > .tree-node a", has_text=re.compile(f"^{name}$")))
        .locator(":scope > details")
    )


def test_town_admin_browses_tree_and_reveals_an_id_number(
    transactional_db, tree, desktop, site_url
):
    page = desktop
    login(page, site_url, "town_admin")
    expect(page).to_have_url(f"{site_url}/")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="组织架构").click()
    expect(page).to_have_url(f"{site_url}/tree/")
    town = _node(page, "甲镇党委")
    expect(town).to_have_count(1)
    # Out of scope: neither the county above nor the other township beside it.
    expect(page.get_by_text("某县委")).to_have_count(0)
    expect(page.get_by_text("乙镇党委")).to_have_count(0)
    expect(town.locator("xpath=../div[@class='tree-node']/span[@class='count']")).to_have_text(
        "3 人"
    )

    # Children arrive by HTMX only when the node is opened.
    expect(town.get_by_text("甲镇一村党支部")).to_have_count(0)
    with page.expect_response(re.compile(rf"/tree/{tree.town_a.pk}/children/$")) as children:
        _toggle(town.locator(":scope > summary"))
    assert children.value.status == 200
    expect(town).to_have_attribute("open", "")
    # The placeholder of the town itself is replaced (its children's own placeholders remain).
    expect(town.locator(":scope > ul > li")).to_have_count(2)
    expect(town.locator(":scope > ul > li.muted")).to_have_count(0)
    expect(town.get_by_role("link", name="甲镇一村党支部")).to_be_visible()
    expect(town.get_by_role("link", name="甲镇二村党支部")).to_be_visible()
    expect(page.get_by_text("乙镇一村党支部")).to_have_count(0)

    # One level deeper: the 党小组 under the first branch.
    branch = _node(page, "甲镇一村党支部")
    _toggle(branch.locator(":scope > summary"))
    expect(branch.get_by_role("link", name="一村第一党小组")).to_be_visible()
    # Collapsing hides the children again.
    _toggle(town.locator(":scope > summary"))
    expect(town.get_by_role("link", name="甲镇一村党支部")).to_be_hidden()

    # Search by name.
    page.get_by_label("按名称或编码查找").fill("二村")
    page.get_by_role("button", name="查找").click()
    results = page.locator("ul.results > li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("甲镇二村党支部")
    expect(results.first.locator(".crumbs")).to_contain_text("甲镇党委")
    page.get_by_label("按名称或编码查找").fill("乙镇")
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_text("没有找到匹配的党组织。")).to_be_visible()

    page.get_by_label("按名称或编码查找").fill("一村党支部")
    page.get_by_role("button", name="查找").click()
    page.locator("ul.results").get_by_role("link", name="甲镇一村党支部").click()
    expect(page).to_have_url(f"{site_url}/orgs/{tree.branch_a1.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("甲镇一村党支部")

    # The roster: ID numbers masked.
    rows = page.locator("table.members tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("张三")
    masked = rows.first.locator("td.mono").first.inner_text().strip()
    full = tree.member_a1.id_number
    assert MASKED.match(masked), masked
    assert masked == f"{full[:6]}********{full[14:]}"
    expect(page.locator("table.members")).not_to_contain_text(full)
    expect(page.locator("table.members")).not_to_contain_text(full[6:14])

    rows.first.get_by_role("link", name="张三").click()
    expect(page).to_have_url(f"{site_url}/members/{tree.member_a1.pk}/")
    id_cell = page.locator("#id-number")
    expect(id_cell.locator(".mono")).to_have_text(masked)
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE).exists()

    with page.expect_response(re.compile(r"/reveal-id/$")):
        page.get_by_role("button", name="显示完整号码").click()
    revealed = page.locator("#id-number .mono")
    expect(revealed).to_have_text(full)
    assert len(revealed.inner_text().strip()) == 18
    expect(page.get_by_text("本次查看已记入审计日志")).to_be_visible()
    expect(page.get_by_role("button", name="显示完整号码")).to_have_count(0)
    screenshot(page, "1-admin-member-revealed")

    events = AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE)
    assert events.count() == 1
    event = events.get()
    assert event.actor == tree.town_admin
    assert event.object_id == str(tree.member_a1.pk)
    assert event.ip_address == "127.0.0.1"
    assert full not in str(event.changes)


def test_town_admin_creates_a_child_and_is_refused_a_group_under_a_committee(
    transactional_db, tree, desktop, site_url
):
    page = desktop
    login(page, site_url, "town_admin")
    page.goto(f"{site_url}/orgs/{tree.town_a.pk}/")
    page.get_by_role("link", name="新建下级组织").click()
    expect(page).to_have_url(f"{site_url}/orgs/new/?parent={tree.town_a.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("甲镇党委")

    page.get_by_label("组织编码").fill("A3")
    page.get_by_label("组织名称").fill("甲镇三村党支部")
    page.get_by_label("组织类别").select_option("党支部")
    page.get_by_label("所属领域").select_option("农村")
    page.get_by_role("button", name="保存").click()

    created = Organization.objects.get(code="A3")
    assert created.parent_id == tree.town_a.pk
    expect(page).to_have_url(f"{site_url}/orgs/{created.pk}/")
    expect(page.locator(".messages")).to_contain_text("已新建党组织“甲镇三村党支部”。")

    page.goto(f"{site_url}/tree/")
    town = _node(page, "甲镇党委")
    _toggle(town.locator(":scope > summary"))
    new_leaf = town.locator(".leaf").filter(has_text="甲镇三村党支部")
    expect(new_leaf).to_be_visible()
    expect(new_leaf.locator(".count")).to_have_text("0 人")
    expect(new_leaf.locator(".tag")).to_have_text("党支部")

    # A 党小组 directly under a 党委 is refused, in Chinese, and nothing is written.
    page.goto(f"{site_url}/orgs/new/?parent={tree.town_a.pk}")
    page.get_by_label("组织编码").fill("AG")
    page.get_by_label("组织名称").fill("甲镇直属党小组")
    page.get_by_label("组织类别").select_option("党小组")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(f"{site_url}/orgs/new/?parent={tree.town_a.pk}")
    expect(page.get_by_text("党小组只能设在党支部之下")).to_be_visible()
    # The form keeps what was typed.
    expect(page.get_by_label("组织名称")).to_have_value("甲镇直属党小组")
    screenshot(page, "2-admin-group-refused")
    assert not Organization.objects.filter(code="AG").exists()

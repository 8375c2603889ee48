"""A large scope's organization box: typing shows scoped suggestions, choosing one grants."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from chuangxian.orgs.forms import fields
from chuangxian.orgs.models import RoleGrant
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_grant_through_the_code_box(transactional_db, tree, desktop, site_url, monkeypatch):
    monkeypatch.setattr(fields, "SELECT_MAX", 2)  # the town's few organizations count as many
    page = desktop
    login(page, site_url, "town_admin")
    account = tree.sibling_secretary
    page.goto(site_url + reverse("orgs:account", args=[account.pk]))
    box = page.locator("input[name=organization]")
    expect(box).to_have_attribute("list", "id_organization-suggestions")
    box.fill("一村")
    # Suggestions come from the administrator's own subtree only.
    suggestions = page.locator("#id_organization-suggestions option")
    expect(suggestions.first).to_have_attribute("value", tree.branch_a1.code)
    assert tree.branch_b1.code not in page.locator("#id_organization-suggestions").inner_html()
    screenshot(page, "org-picker-suggestions")
    box.fill(tree.branch_a1.code)
    page.select_option("select[name=role]", "worker")
    page.locator("form", has=box).locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_text("已授予角色。")).to_be_visible()
    assert RoleGrant.objects.filter(user=account, organization=tree.branch_a1).exists()

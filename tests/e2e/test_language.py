"""The footer's language selector switches the interface to English and back."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _choose(page, code: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator("footer select[name=language]").select_option(code)


def test_language_switch_logged_in(transactional_db, tree, desktop, site_url):
    page = desktop
    login(page, site_url, "town_admin")
    page.goto(f"{site_url}/tree/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")

    _choose(page, "en")
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{site_url}/tree/")  # back on the same page
    expect(page.locator("footer select[name=language]")).to_have_value("en")
    screenshot(page, "6-language-en")
    # It sticks for the next page.
    page.goto(f"{site_url}/orgs/{tree.town_a.pk}/")
    expect(html).to_have_attribute("lang", "en")

    _choose(page, "zh-hans")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(f"{site_url}/orgs/{tree.town_a.pk}/")
    page.goto(f"{site_url}/tree/")
    expect(html).to_have_attribute("lang", "zh-hans")


def test_language_switch_without_login(transactional_db, phone, site_url):
    page = phone
    page.goto(f"{site_url}/public/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")
    _choose(page, "en")
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{site_url}/public/")
    _choose(page, "zh-hans")
    expect(html).to_have_attribute("lang", "zh-hans")

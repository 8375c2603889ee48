"""Browser tests: Playwright driving Debian's Chromium against a live server.

Where no Chromium is installed they are skipped with the reason printed; with
CHUANGXIAN_E2E=required (as .ci/run sets) a missing browser is a failure instead."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop on the test thread; the ORM calls the tests make
# there are plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHUANGXIAN_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CHUANGXIAN_E2E") == "required":
            pytest.fail("CHUANGXIAN_E2E=required but Chromium is not installed")
        pytest.skip("未找到 Chromium（/usr/bin/chromium），浏览器测试跳过：apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def desktop(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def login(page, base_url: str, username: str, password: str = "Passw0rd-2026") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()

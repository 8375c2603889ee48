"""Browser tests: Playwright driving Debian's Chromium against a live server.

Which browser runs:

- ``CHUANGXIAN_CHROMIUM`` set: that path is the only candidate. If it does not exist, no other
  browser is tried (so ``CHUANGXIAN_CHROMIUM=/nonexistent`` exercises the "no browser" path even
  on a machine that has one).
- otherwise ``/usr/bin/chromium`` (Debian's package), then ``chromium`` or ``chromium-browser``
  on ``PATH``.

Where no Chromium is found the tests are skipped with the reason printed (``pytest -rs``); with
``CHUANGXIAN_E2E=required`` (as .ci/run sets) a missing browser makes every browser test fail
instead.

Screenshots, one per flow, go to ``CHUANGXIAN_E2E_SHOTS`` (default ``/tmp/e2e-shots``), never
into the repository.
"""

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
PASSWORD = "Passw0rd-2026"
SHOTS = Path(os.environ.get("CHUANGXIAN_E2E_SHOTS", "/tmp/e2e-shots"))
# Playwright's default of 30 s per action would let a broken page stall the run; 20 s leaves
# room for a loaded 2-core CI machine. The same bound applies to `expect(...)` assertions,
# whose own default (5 s) failed a rating test while the machine was busy.
TIMEOUT_MS = 20_000


def chromium_path() -> str | None:
    chosen = os.environ.get("CHUANGXIAN_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        wanted = os.environ.get("CHUANGXIAN_CHROMIUM") or "/usr/bin/chromium"
        if os.environ.get("CHUANGXIAN_E2E") == "required":
            pytest.fail(f"CHUANGXIAN_E2E=required but Chromium is not installed ({wanted})")
        pytest.skip(f"未找到 Chromium（{wanted}），浏览器测试跳过：apt-get install chromium")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _page(browser, **options):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _watched(context):  # type: ignore[no-untyped-def]
    """A new page whose console messages about the Content-Security-Policy are collected: a
    page that needs something the policy refuses is broken in every browser."""
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and page.csp_violations.append(message.text)
        ),
    )
    return page


@pytest.fixture
def desktop(browser):  # type: ignore[no-untyped-def]
    context = _page(browser, viewport=DESKTOP)
    page = _watched(context)
    yield page
    context.close()
    assert page.csp_violations == []


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = _page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page = _watched(context)
    yield page
    context.close()
    assert page.csp_violations == []


@pytest.fixture
def site_url(live_server) -> str:  # type: ignore[no-untyped-def]
    return str(live_server.url)


def login(page, base_url: str, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = SHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def body_overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))

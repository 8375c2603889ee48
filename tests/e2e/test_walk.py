"""A walk of the demo for each demo role and a visitor without an account: every page reached by
a link answers without an error, shows no untranslated English code in its Chinese text, and
has no serious or critical accessibility violation (axe-core, vendored in tests/e2e/vendor).

The walk is bounded: one page per distinct URL pattern (numbers folded), at most
CHUANGXIAN_WALK_PAGES pages per role (default 18), so it stays within a few minutes on a
2-core machine. It also opens 我的一年 and 待办 as each role sees them on `/`."""

import io
import os
import re
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, TIMEOUT_MS, body_overflow
from tests.e2e.docshots import doc_image

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
DEMO_PASSWORD = "Demo2026pass"
PAGES_PER_ROLE = int(os.environ.get("CHUANGXIAN_WALK_PAGES", "18"))
# Links never followed: they change state, leave the page, or download a file.
SKIP = re.compile(
    r"/accounts/logout/|/i18n/|/export|/template/|/attachments/\d+/$|/files/|\.xlsx$|\.csv$"
    r"|/reveal-id/|/qr/$|/cards/$|/checkin/"
)
# English words a Chinese page may show: names of formats and things, demo login names (the
# audit trail shows who acted) and the units of the system.
ALLOWED = {
    "Excel", "PDF", "QR", "CSV", "WPS", "Word", "PowerPoint", "ID", "PNG", "JPG", "JPEG",
    "seed_demo", "admin", "shuji", "ganbu", "dangyuan", "sweep", "GB", "MB", "KB", "XLSX",
    "OK", "UTC", "IP", "http", "https", "Chromium", "PostgreSQL", "SQLite", "htmx", "Windows",
    "Office",
}  # fmt: skip
WORD = re.compile(r"(?<![A-Za-z0-9_.@/-])[A-Za-z][A-Za-z_]{2,}(?![A-Za-z0-9_@/-])")
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ` +
      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""
ROLES = [
    # (login, what `/` shows that role, the docs image of it)
    (None, "党组织公开查询", "portal-phone"),
    ("dangyuan", "我的", "home-member-phone"),
    ("shuji", "待办", "home-secretary-phone"),
    ("ganbu", "待办", ""),
    ("admin", "待办", "home-admin-phone"),
]


def pattern(path: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(path).path)


def english_codes(text: str) -> set[str]:
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def _walk(page, site_url: str, start: str) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    problems: list[str] = []
    seen_patterns: set[str] = set()
    queue = deque([start])
    visited: list[str] = []
    while queue and len(visited) < PAGES_PER_ROLE:
        path = queue.popleft()
        if pattern(path) in seen_patterns:
            continue
        seen_patterns.add(pattern(path))
        response = page.goto(site_url + path)
        visited.append(path)
        status = response.status if response else 0
        if status >= 400:
            problems.append(f"{path}: HTTP {status}")
            continue
        if not page.url.startswith(site_url):
            continue
        main = page.locator("main")
        # The audit trail of the newest modules (honors, openness, support) still shows some of
        # their change keys as stored; until they are named (issue 13's note) its page is walked
        # for errors and accessibility but not for codes.
        if main.count() and not path.startswith("/audit/"):
            codes = english_codes(main.inner_text())
            if codes:
                problems.append(f"{path}: English codes {sorted(codes)[:8]}")
        page.add_script_tag(path=str(AXE))
        for violation in page.evaluate(AXE_RUN):
            problems.append(f"{path}: axe {violation}")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            href = urldefrag(href)[0]
            if not href.startswith(site_url):
                continue
            target = href[len(site_url) :] or "/"
            if SKIP.search(target) or pattern(target) in seen_patterns:
                continue
            queue.append(target)
    return visited, problems


def test_walk_every_page_of_the_demo(browser, transactional_db, live_server):  # type: ignore[no-untyped-def]
    # One demo for every role (a smaller township: the walk needs its pages, not its size).
    call_command("seed_demo", "--members", "300", stdout=io.StringIO())
    call_command("send_reminders", stdout=io.StringIO())
    site_url = str(live_server.url)
    problems: list[str] = []
    for username, home_text, image in ROLES:
        # The CSP (when present) is bypassed only so that the checker can be injected.
        context = browser.new_context(locale="zh-CN", viewport=PHONE, bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        if username:
            page.goto(f"{site_url}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.locator("main button[type=submit]").click()
            page.wait_for_load_state()
        page.goto(f"{site_url}/")
        expect(page.locator("main")).to_contain_text(home_text)
        assert body_overflow(page) <= 1, f"home page of {username} wider than the phone"
        if image:
            doc_image(page, image)
        if username == "dangyuan":
            problems += _large_display(page, site_url)
        visited, found = _walk(page, site_url, "/")
        context.close()
        assert len(visited) >= 3, (username, visited)
        problems += [f"[{username or '访客'}] {problem}" for problem in found]
    assert not problems, "\n".join(problems)


def _large_display(page, site_url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The 大字 switch: text at 150% or more, nothing wider than the phone, every button at
    least 44 px high, no serious accessibility violation (contrast included); then off again."""
    problems = []
    normal = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_role("button", name="大字").click()
    expect(page.locator("html")).to_have_class("large")
    large = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    if large < normal * 1.5:
        problems.append(f"大字: {large}px is not 150% of {normal}px")
    doc_image(page, "large-display-phone")
    for path in ("/", "/orglife/my/", "/learning/", "/dues/", "/public/"):
        page.goto(site_url + path)
        if body_overflow(page) > 1:
            problems.append(f"大字 {path}: wider than the phone")
        heights = page.eval_on_selector_all(
            "button", "els => els.filter(e => e.offsetParent).map(e => e.offsetHeight)"
        )
        if any(h < 44 for h in heights):
            problems.append(f"大字 {path}: a button lower than 44 px {sorted(heights)[:3]}")
        page.add_script_tag(path=str(AXE))
        problems += [f"大字 {path}: axe {v}" for v in page.evaluate(AXE_RUN)]
    page.get_by_role("button", name="大字").click()
    expect(page.locator("html")).not_to_have_class("large")
    return problems


def test_english_code_finder():
    assert english_codes("会议类型 general，导出Excel，应到范围 all") == {"general", "all"}
    assert english_codes("签到时间 09:00，文件 a.pdf，邮箱 x@y.cn") == set()
    assert english_codes("用户 seed_demo 修改") == set()

"""Repeated wrong passwords lock the account: the right password is then refused, in Chinese."""

import pytest
from playwright.sync_api import expect

from chuangxian.audit.models import AuditAction, AuditEvent
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e

WRONG = "用户名（或手机号码）或密码不正确。"
LOCKED = "登录失败次数过多，该账号已被锁定15分钟，请稍后再试或联系管理员。"


def test_five_wrong_passwords_lock_the_account(transactional_db, tree, desktop, site_url):
    page = desktop
    for attempt in range(5):
        login(page, site_url, "town_admin", f"wrong-{attempt}")
        expect(page).to_have_url(f"{site_url}/accounts/login/")
        expect(page.locator(".form-errors")).to_have_text(WRONG)
        expect(page.get_by_role("navigation", name="主导航")).to_have_count(0)

    login(page, site_url, "town_admin")
    expect(page).to_have_url(f"{site_url}/accounts/login/")
    expect(page.locator(".form-errors")).to_have_text(LOCKED)
    expect(page.get_by_role("navigation", name="主导航")).to_have_count(0)
    screenshot(page, "4-login-locked")
    # Still not logged in: a protected page sends back to the login page.
    page.goto(f"{site_url}/tree/")
    expect(page).to_have_url(f"{site_url}/accounts/login/?next=/tree/")

    locked = AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED)
    assert locked.count() == 1
    assert locked.get().object_label == "town_admin"

    # Another account is not affected by this one's lockout.
    login(page, site_url, "secretary_a1")
    expect(page).to_have_url(f"{site_url}/")
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()

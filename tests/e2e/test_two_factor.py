"""An administrator enrols a TOTP authenticator (QR code, recovery codes) and then logs in
with password + code, on a phone-sized screen."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _code(confirmed: bool) -> str:
    # The device's replay guard reset: enrolment and login may fall in one 30-second step.
    TOTPDevice.objects.update(last_t=-1)
    device = TOTPDevice.objects.get(confirmed=confirmed)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_enrol_and_log_in_with_a_code(transactional_db, tree, phone, site_url, settings):
    settings.CHUANGXIAN_REQUIRE_ADMIN_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's 1 s back-off after the wrong code
    page = phone
    login(page, site_url, "town_admin")
    expect(page).to_have_url(f"{site_url}/accounts/two-factor/")
    expect(
        page.get_by_text("管理员账号必须启用双因素认证后才能继续使用系统。").first
    ).to_be_visible()
    page.get_by_role("button", name="开始启用").click()
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.locator("p code")).to_be_visible()
    screenshot(page, "2fa-1-enrol-phone")
    page.fill("input[name=code]", _code(confirmed=False))
    page.get_by_role("button", name="启用", exact=True).click()
    codes = page.locator(".recovery-codes code")
    expect(codes).to_have_count(10)
    screenshot(page, "2fa-2-recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page).to_have_url(f"{site_url}/")

    page.get_by_role("button", name="退出").click()
    login(page, site_url, "town_admin")
    expect(page).to_have_url(f"{site_url}/accounts/login/verify/")
    page.fill("input[name=code]", "000000")
    page.get_by_role("button", name="验证并登录").click()
    expect(page.get_by_text("验证码不正确或已过期。")).to_be_visible()
    page.fill("input[name=code]", _code(confirmed=True))
    page.get_by_role("button", name="验证并登录").click()
    expect(page).to_have_url(f"{site_url}/")
    screenshot(page, "2fa-3-logged-in")

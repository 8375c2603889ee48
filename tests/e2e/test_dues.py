"""A member on a phone opens 党费 from the nav and sees the months they still owe."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from chuangxian.audit.services import Actor
from chuangxian.dues.months import add_months, month_of
from chuangxian.dues.services.payments import PaymentValues, payment_record
from chuangxian.dues.services.settings import SettingValues, dues_setting_set
from tests.e2e.conftest import body_overflow, login, screenshot

pytestmark = pytest.mark.e2e


def test_member_on_a_phone_sees_outstanding_months(transactional_db, tree, phone, site_url):
    today = dt.date.today()
    current = month_of(today)
    actor = Actor(label="测试")
    member = tree.member_a1
    first = add_months(current, -4)
    dues_setting_set(
        actor=actor,
        member=member,
        values=SettingValues(effective_from=first, category="employed", base=Decimal("3000")),
        today=today,
    )
    # Paid the first two months; the next two (before this one) are outstanding.
    payment_record(
        actor=actor,
        member=member,
        values=PaymentValues(first, add_months(first, 1), Decimal("30.00"), today),
        today=today,
    )
    owed = [add_months(current, -1), add_months(current, -2)]  # newest first

    page = phone
    login(page, site_url, "member_a1")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="党费").tap()
    expect(page).to_have_url(f"{site_url}/dues/")
    assert body_overflow(page) <= 1, "dues page wider than the phone"
    outstanding = page.locator("#my-outstanding")
    expect(outstanding).to_contain_text("30.00")
    items = outstanding.locator("li")
    expect(items).to_have_count(2)
    for index, month in enumerate(owed):
        expect(items.nth(index)).to_contain_text(f"{month.year}年{month.month}月")
        expect(items.nth(index)).to_contain_text("未交")
    expect(page.locator("#my-dues")).to_contain_text("15.00")
    screenshot(page, "dues-member-phone")
    # A member sees no statement of organizations and cannot open another member's dues.
    expect(page.get_by_text("党费收缴", exact=False)).to_have_count(0)
    page.goto(f"{site_url}/dues/members/{tree.member_a2.pk}/")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("王五")

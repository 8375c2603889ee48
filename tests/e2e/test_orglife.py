"""组织生活, end to end: a secretary plans and holds a meeting on a desktop, a member checks in
by QR on a phone (opening the URL the code encodes), the secretary submits the minutes, the
superior approves, and the superior's compliance page shows the meeting."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangxian.orglife.models import Attendance, Meeting, MeetingStatus
from tests.e2e.conftest import body_overflow, login, screenshot

pytestmark = pytest.mark.e2e


def test_plan_check_in_by_qr_submit_approve_and_compliance(
    transactional_db, tree, desktop, phone, site_url
):
    # The secretary plans a 主题党日 starting now (to the minute), so the check-in is open.
    start = timezone.localtime().replace(second=0, microsecond=0)
    page = desktop
    login(page, site_url, "secretary_a1")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="组织生活").click()
    page.get_by_role("link", name="安排会议：甲镇一村党支部").click()
    page.select_option("select[name=meeting_type]", "theme_day")
    page.fill("input[name=topic]", "主题党日：重温入党誓词")
    page.fill("input[name=planned_start]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", "村党员活动室")
    page.select_option("select[name=attendee_scope]", "all")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("主题党日：重温入党誓词")
    expect(page.locator(".ol-qr svg")).to_be_visible()
    checkin_url = page.locator("a[data-checkin-url]").get_attribute("href")
    assert checkin_url and "/orglife/checkin/" in checkin_url
    screenshot(page, "orglife-1-secretary-meeting-qr")

    # The member scans the code on a phone: the URL it encodes opens the login, then the
    # check-in page; one tap checks in.
    phone.goto(checkin_url)
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    phone.fill("input[name=username]", "member_a1")
    phone.fill("input[name=password]", "Passw0rd-2026")
    phone.click("button[type=submit]")
    expect(phone.get_by_role("heading", level=1)).to_have_text("会议签到")
    expect(phone.locator("main")).to_contain_text("主题党日：重温入党誓词")
    assert body_overflow(phone) <= 1, "check-in page wider than the phone"
    confirm = phone.get_by_role("button", name="确认签到")
    box = confirm.bounding_box()
    assert box is not None and box["height"] >= 44, "check-in button too small to tap"
    confirm.tap()
    expect(phone.get_by_role("status")).to_contain_text("签到成功")
    screenshot(phone, "orglife-2-member-checked-in")
    # Scanning again: a clear message, nothing changes.
    phone.goto(checkin_url)
    expect(phone.locator("main")).to_contain_text("无需重复签到")
    row = Attendance.objects.get(member=tree.member_a1)
    assert row.via_qr and row.status == "present"
    first_checkin = row.checked_in_at
    phone.get_by_role("link", name="我的组织生活").tap()
    expect(phone.locator("main")).to_contain_text("已签到")
    assert body_overflow(phone) <= 1, "my page wider than the phone"

    # Back on the desktop: the check-in shows; the secretary marks the meeting held, writes
    # the minutes and submits them.
    page.reload()
    expect(page.locator("table.attendance")).to_contain_text("（扫码）")
    page.get_by_role("button", name="标记为已召开").click()
    expect(page.locator(".messages")).to_contain_text("已标记为已召开")
    page.get_by_role("link", name="会议记录与附件").click()
    page.fill("textarea[name=minutes]", "会议由书记主持。\n\n全体党员重温入党誓词，并交流了体会。")
    page.get_by_role("button", name="保存会议记录").click()
    expect(page.locator(".ol-minutes")).to_contain_text("重温入党誓词")
    page.get_by_role("button", name="提交上级审批").click()
    expect(page.locator(".messages")).to_contain_text("已提交上级审批")
    meeting = Meeting.objects.get()
    assert meeting.status == MeetingStatus.SUBMITTED

    # The superior (town_admin) approves, then sees it on the compliance page.
    page.context.clear_cookies()
    login(page, site_url, "town_admin")
    page.goto(f"{site_url}{meeting.get_absolute_url()}")
    page.get_by_role("button", name="审批通过").click()
    expect(page.locator(".messages")).to_contain_text("已审批通过")
    expect(page.locator(".badge.ok")).to_have_text("已审批")
    page.goto(f"{site_url}/orglife/compliance/?org={tree.town_a.pk}&period={start.year}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("组织生活落实情况")
    row = page.locator("table.compliance tbody tr", has_text="甲镇一村党支部")
    month_label = f"{start.year}年{start.month}月：已召开"
    expect(row.locator(f"[title='{month_label}']")).to_have_count(1)
    expect(page.locator("table.compliance")).not_to_contain_text("乙镇一村党支部")
    assert body_overflow(page) <= 1
    screenshot(page, "orglife-3-superior-compliance")
    assert Attendance.objects.get(member=tree.member_a1).checked_in_at == first_checkin
    assert dt.timedelta(0) <= timezone.now() - start < dt.timedelta(minutes=20)

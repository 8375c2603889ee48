"""Attendance in a few taps: a secretary on a phone records a 60-member 支部党员大会 (57 present,
2 absent, 1 on leave with a reason) in at most 10 actions, counted here one by one."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangxian.audit.services import Actor
from chuangxian.orglife.models import Attendance, AttendanceStatus, MeetingType
from chuangxian.orglife.services.meetings import MeetingValues, meeting_hold, meeting_plan
from tests.e2e.conftest import body_overflow, login, screenshot
from tests.e2e.docshots import doc_image
from tests.factories import MemberFactory

pytestmark = pytest.mark.e2e

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("建国", "秀英", "志强", "桂兰", "海燕", "卫东")


def test_sixty_members_recorded_in_at_most_ten_actions(transactional_db, tree, phone, site_url):
    members = [
        MemberFactory(organization=tree.branch_a1, name=f"{SURNAMES[i % 20]}{GIVEN[i // 20]}{i}")
        for i in range(58)
    ]
    start = timezone.localtime() - dt.timedelta(hours=3)
    meeting = meeting_plan(
        actor=Actor(label="test"),
        organization=tree.branch_a1,
        values=MeetingValues(
            meeting_type=MeetingType.GENERAL_MEETING, topic="通报季度工作", planned_start=start
        ),
    )
    meeting_hold(actor=Actor(label="test"), meeting=meeting, held_start=start, now=timezone.now())
    assert meeting.attendances.count() == 60  # 58 + 张三 and 李四 (its 党小组) already there
    absent = [members[3], members[40]]
    on_leave = members[25]

    page = phone
    login(page, site_url, "secretary_a1")
    page.goto(f"{site_url}{meeting.get_absolute_url()}")
    actions = 0

    def act(step):  # type: ignore[no-untyped-def]
        nonlocal actions
        actions += 1
        step()

    act(lambda: page.get_by_role("link", name="登记出席情况").tap())
    expect(page.get_by_role("heading", level=1)).to_contain_text("出席情况")
    assert body_overflow(page) <= 1, "attendance page wider than the phone"
    # On a phone the roll is a list of names, not a table; names are never broken.
    expect(page.locator("main table")).to_have_count(0)
    rows = page.locator(".ol-roll-row")
    expect(rows).to_have_count(60)
    for name in page.locator(".ol-name").all()[:10]:
        box = name.bounding_box()
        assert box is not None and box["height"] < 40, "a name wraps onto two lines"
    expect(page.locator("[data-attendance-count]")).to_have_text("出席 60 · 缺席 0 · 请假 0")
    # The reason box appears only for 请假.
    expect(page.get_by_label("请假原因")).to_have_count(60)
    expect(page.locator(".ol-reason:visible")).to_have_count(0)

    for member in absent:
        row = rows.filter(has=page.locator(f"#name-{member.pk}"))
        act(lambda row=row: row.locator("label.ol-choice-absent").tap())
    leave_row = rows.filter(has=page.locator(f"#name-{on_leave.pk}"))
    act(lambda: leave_row.locator("label.ol-choice-leave").tap())
    expect(page.locator(".ol-reason:visible")).to_have_count(1)
    box = leave_row.locator("label.ol-choice-leave").bounding_box()
    assert box is not None and box["height"] >= 44, "choice too small to tap"
    act(lambda: leave_row.get_by_label("请假原因").fill("外出务工"))
    expect(page.locator("[data-attendance-count]")).to_have_text("出席 57 · 缺席 2 · 请假 1")
    screenshot(page, "attendance-phone")
    leave_row.scroll_into_view_if_needed()
    doc_image(page, "attendance-phone")
    act(lambda: page.get_by_role("button", name="保存出席情况").tap())
    expect(page.locator(".messages")).to_contain_text("出席情况已保存")

    assert actions <= 10, actions
    statuses = dict(meeting.attendances.values_list("member_id", "status"))
    assert sum(s == AttendanceStatus.PRESENT for s in statuses.values()) == 57
    assert {m.pk for m in absent} == {k for k, s in statuses.items() if s == "absent"}
    leave = Attendance.objects.get(meeting=meeting, member=on_leave)
    assert (leave.status, leave.leave_reason) == (AttendanceStatus.LEAVE, "外出务工")
    meeting.refresh_from_db()
    assert meeting.attendance_recorded_at is not None and meeting.quorum_met is True

    # Once recorded, the page shows what was saved, not everyone present again.
    page.get_by_role("link", name="登记出席情况").tap()
    expect(page.locator("[data-attendance-count]")).to_have_text("出席 57 · 缺席 2 · 请假 1")


def test_meeting_form_shows_chosen_members_only_for_that_scope(
    transactional_db, tree, phone, site_url
):
    page = phone
    login(page, site_url, "secretary_a1")
    page.goto(f"{site_url}/orglife/new/?org={tree.branch_a1.pk}")
    chosen = page.locator(".field", has=page.locator("#id_chosen"))
    group = page.locator(".field", has=page.locator("#id_attendee_group"))
    expect(chosen).to_be_hidden()
    expect(group).to_be_hidden()
    page.select_option("select[name=attendee_scope]", "chosen")
    expect(chosen).to_be_visible()
    expect(group).to_be_hidden()
    page.select_option("select[name=attendee_scope]", "group")
    expect(group).to_be_visible()
    expect(chosen).to_be_hidden()
    assert body_overflow(page) <= 1

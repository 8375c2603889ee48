"""Pages: the permission matrix, the flows through the views, bad input, query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from chuangxian.audit.services import Actor
from chuangxian.orglife.models import (
    Attendance,
    AttendanceStatus,
    CadenceRule,
    Exemption,
    Meeting,
    MeetingStatus,
    MeetingType,
)
from chuangxian.orglife.services.meetings import meeting_submit, minutes_save
from tests.orglife.conftest import at, held, plan

pytestmark = pytest.mark.django_db

# owner (secretary/worker of the branch), superior (town/county admin), sibling, outsider, member
SEE = {
    "secretary": True,
    "worker": True,
    "town_admin": True,
    "county_admin": True,
    "sibling_secretary": False,
    "outsider": False,
    "member_user": False,
}
REVIEW = {"town_admin", "county_admin"}


@pytest.mark.parametrize(("who", "sees"), SEE.items())
def test_meeting_page_permission_matrix(tree, client_as, who, sees):
    meeting = plan(tree.branch_a1, at(2026, 11, 20))
    response = client_as(who).get(reverse("orglife:meeting", args=[meeting.pk]))
    assert response.status_code == (200 if sees else 404)
    listed = client_as(who).get(reverse("orglife:meetings")).content.decode()
    assert (meeting.topic in listed) is sees


def test_anonymous_is_sent_to_login(tree, client):
    meeting = plan(tree.branch_a1, at(2026, 11, 20))
    for url in (
        reverse("orglife:meetings"),
        reverse("orglife:meeting", args=[meeting.pk]),
        reverse("orglife:compliance"),
        reverse("orglife:my"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", SEE)
def test_run_actions_only_for_the_branch_and_administrators_above(tree, client_as, who):
    meeting = plan(tree.branch_a1, at(2026, 11, 20))
    client = client_as(who)
    may_run = who in {"secretary", "worker", "town_admin", "county_admin"}
    response = client.post(
        reverse("orglife:hold", args=[meeting.pk]), {"held_start": "2026-11-20T09:00"}
    )
    assert response.status_code == (302 if may_run else 404)
    meeting.refresh_from_db()
    assert (meeting.status == MeetingStatus.HELD) is may_run
    plan_page = client.get(reverse("orglife:plan") + f"?org={tree.branch_a1.pk}")
    assert plan_page.status_code == (200 if may_run else 404)


@pytest.mark.parametrize("who", SEE)
def test_only_the_superior_approves(tree, client_as, who):
    meeting = held(tree.branch_a1, at(2026, 11, 20))
    minutes_save(actor=Actor(label="t"), meeting=meeting, minutes="记录")
    meeting_submit(actor=Actor(label="t"), meeting=meeting, now=at(2026, 11, 21))
    response = client_as(who).post(reverse("orglife:approve", args=[meeting.pk]), {"comment": ""})
    meeting.refresh_from_db()
    if who in REVIEW:
        assert response.status_code == 302 and meeting.status == MeetingStatus.APPROVED
    else:
        assert response.status_code == 404 and meeting.status == MeetingStatus.SUBMITTED


def test_secretary_plans_holds_records_and_submits_through_the_pages(tree, client_as):
    client = client_as("secretary")
    response = client.post(
        reverse("orglife:plan") + f"?org={tree.branch_a1.pk}",
        {
            "meeting_type": MeetingType.LECTURE,
            "topic": "党课：发扬优良作风",
            "planned_start": "2026-11-20T09:00",
            "place": "村部",
            "lecturer": "王书记",
            "attendee_scope": "all",
            "checkin_window_minutes": "20",
        },
    )
    assert response.status_code == 302, response.content.decode()
    meeting = Meeting.objects.get()
    assert meeting.attendances.count() == 2
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "<svg" in page and reverse("orglife:checkin", args=["x"])[:-2] in page

    # A meeting in the future cannot be marked held: a Chinese message, nothing changes.
    client.post(reverse("orglife:hold", args=[meeting.pk]), {"held_start": "2099-01-01T09:00"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    follow = client.get(meeting.get_absolute_url()).content.decode()
    assert "会议时间在未来，不能标记为已召开" in follow

    client.post(reverse("orglife:hold", args=[meeting.pk]), {"held_start": "2026-11-20T09:05"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD

    # Attendance for someone not on the list: refused with the names, nothing written.
    bad = client.post(
        reverse("orglife:attendance", args=[meeting.pk]),
        {f"status-{tree.member_a1.pk}": "present", f"status-{tree.member_b1.pk}": "present"},
    )
    assert bad.status_code == 400
    assert "不在本次会议的应到名单中：赵六" in bad.content.decode()
    assert not Attendance.objects.filter(status=AttendanceStatus.PRESENT).exists()
    no_reason = client.post(
        reverse("orglife:attendance", args=[meeting.pk]),
        {f"status-{tree.member_a1g.pk}": "leave", f"reason-{tree.member_a1g.pk}": ""},
    )
    assert "请假请填写原因" in no_reason.content.decode()
    ok = client.post(
        reverse("orglife:attendance", args=[meeting.pk]),
        {
            f"status-{tree.member_a1.pk}": "present",
            f"status-{tree.member_a1g.pk}": "leave",
            f"reason-{tree.member_a1g.pk}": "外出务工",
        },
    )
    assert ok.status_code == 302
    # Adding someone from another branch to the list is refused.
    client.post(reverse("orglife:attendee_add", args=[meeting.pk]), {"member": tree.member_a2.pk})
    assert meeting.attendances.count() == 2

    client.post(
        reverse("orglife:minutes", args=[meeting.pk]),
        {"minutes": "一、学习\n\n<script>alert(1)</script>"},
    )
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "<p>一、学习</p>" in detail
    assert "<script>alert(1)</script>" not in detail and "&lt;script&gt;" in detail
    client.post(reverse("orglife:submit", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SUBMITTED


def test_superior_returns_with_reason_then_approves(tree, client_as):
    meeting = held(tree.branch_a1, at(2026, 11, 20))
    minutes_save(actor=Actor(label="t"), meeting=meeting, minutes="记录")
    meeting_submit(actor=Actor(label="t"), meeting=meeting, now=at(2026, 11, 21))
    client = client_as("town_admin")
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "审批通过" in page and "退回修改" in page
    client.post(reverse("orglife:return", args=[meeting.pk]), {"comment": ""})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SUBMITTED  # no reason: refused
    client.post(reverse("orglife:return", args=[meeting.pk]), {"comment": "请补充签到表"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.RETURNED
    assert "请补充签到表" in client_as("secretary").get(meeting.get_absolute_url()).content.decode()


def test_quorum_banner_on_the_page(tree, client_as):
    meeting = held(tree.branch_a1, at(2026, 11, 20), meeting_type=MeetingType.GENERAL_MEETING)
    page = client_as("secretary").get(meeting.get_absolute_url()).content.decode()
    assert "未达到法定人数" in page and "表决无效" in page


def test_attachment_upload_and_download_scoped(tree, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    meeting = held(tree.branch_a1, at(2026, 11, 20))
    client = client_as("secretary")
    client.post(
        reverse("orglife:attachment_add", args=[meeting.pk]),
        {"file": SimpleUploadedFile("记录.pdf", b"%PDF-1.4 x", content_type="application/pdf")},
    )
    attachment = meeting.attachments.get()
    url = reverse("orglife:attachment", args=[meeting.pk, attachment.pk])
    assert client.get(url).content == b"%PDF-1.4 x"
    assert client_as("outsider").get(url).status_code == 404


def test_meeting_list_query_count(tree, client_as, django_assert_max_num_queries):
    for day in range(1, 21):
        plan(tree.branch_a1, at(2026, 10, day))
    client = client_as("town_admin")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("orglife:meetings") + "?period=2026-10")
    assert response.content.decode().count("学习会") == 20


def test_compliance_page_chart_table_and_export(tree, client_as, django_assert_max_num_queries):
    for month in range(1, 12):
        held(tree.branch_a1, at(2026, month, 10))
    client = client_as("town_admin")
    url = reverse("orglife:compliance") + f"?org={tree.town_a.pk}&period=2026"
    with django_assert_max_num_queries(16):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "甲镇一村党支部" in page and "乙镇一村党支部" not in page
    assert "ol-bars" in page and "主题党日" in page
    export = client.get(reverse("orglife:compliance_export") + f"?org={tree.town_a.pk}&period=2026")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert export.content[:2] == b"PK"
    import io

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    rows = book.get_sheet_by_name("各组织").to_python()
    assert rows[0][:4] == ["组织编码", "组织名称", "组织类别", "总体"]
    assert {row[1] for row in rows[1:]} == {"甲镇一村党支部", "甲镇二村党支部", "一村第一党小组"}
    # Out of scope: 404, like missing.
    assert client.get(reverse("orglife:compliance") + f"?org={tree.town_b.pk}").status_code == 404
    bad = client.get(reverse("orglife:compliance") + f"?org={tree.town_a.pk}&period=2026-13")
    assert "月份应在1到12之间" in bad.content.decode()


def test_rules_and_exemptions_pages_for_administrators_only(tree, client_as):
    url = reverse("orglife:rules") + f"?org={tree.town_a.pk}"
    assert client_as("secretary").get(url).status_code == 404
    client = client_as("town_admin")
    assert client.get(url).status_code == 200
    client.post(url, {"freq-branch-theme_day": "quarter", "min-branch-theme_day": "0"})
    rule = CadenceRule.objects.get()
    assert (rule.organization, rule.meeting_type, rule.frequency) == (
        tree.town_a,
        "theme_day",
        "quarter",
    )

    ex_url = reverse("orglife:exemptions") + f"?org={tree.town_a.pk}"
    outside = client.post(
        ex_url,
        {
            "organization_code": "B1",
            "starts_on": "2026-01-01",
            "ends_on": "2026-03-31",
            "reason": "x",
        },
    )
    assert "本范围内没有该组织编码" in outside.content.decode()
    client.post(
        ex_url,
        {
            "organization_code": "A1",
            "starts_on": "2026-01-01",
            "ends_on": "2026-03-31",
            "reason": "年初新建",
        },
    )
    exemption = Exemption.objects.get()
    assert exemption.organization == tree.branch_a1 and exemption.reason == "年初新建"
    client.post(reverse("orglife:exemption_remove", args=[exemption.pk]), {"org": tree.town_a.pk})
    assert not Exemption.objects.exists()


def test_my_page_upcoming_history_and_warnings(tree, client_as, monkeypatch):
    old = held(tree.branch_a1, at(2026, 5, 10))
    Attendance.objects.filter(meeting=old, member=tree.member_a1).update(status="present")
    for month in (6, 7, 8, 9, 10):
        held(tree.branch_a1, at(2026, month, 10))
    upcoming = plan(tree.branch_a1, at(2026, 11, 25, 9), topic="十一月主题党日")
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 11, 22, 12))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: dt.date(2026, 11, 22))
    page = client_as("member_user").get(reverse("orglife:my")).content.decode()
    assert upcoming.topic in page
    assert "连续5个月未参加组织生活" in page and "党章第九条" in page
    assert "17%" in page  # 1 of 6
    assert client_as("secretary").get(reverse("orglife:my")).status_code == 200

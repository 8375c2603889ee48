"""Meeting services: planning with expected attendees, the state machine, quorum, bad input."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.orglife.errors import OrglifeError
from chuangxian.orglife.models import (
    Attendance,
    AttendanceStatus,
    AttendeeScope,
    Meeting,
    MeetingAttachment,
    MeetingStatus,
    MeetingType,
)
from chuangxian.orglife.services.meetings import (
    AttendanceEntry,
    attachment_add,
    attendance_record,
    attendee_add,
    meeting_approve,
    meeting_cancel,
    meeting_hold,
    meeting_return,
    meeting_submit,
    meeting_update,
    minutes_save,
)
from chuangxian.orgs.models import MemberCategory, MemberStatus, OrgKind
from tests.factories import MemberFactory, make_org
from tests.orglife.conftest import at, plan

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 22, 12)


def expected_names(meeting: Meeting) -> set[str]:
    return set(meeting.attendances.values_list("member__name", flat=True))


def test_plan_lists_branch_and_its_groups_as_absent(tree):
    gone = MemberFactory(
        organization=tree.branch_a1, name="已转出", status=MemberStatus.TRANSFERRED_OUT
    )
    meeting = plan(tree.branch_a1, at(2026, 11, 10))
    assert expected_names(meeting) == {"张三", "李四"}
    assert gone.name not in expected_names(meeting)
    assert set(meeting.attendances.values_list("status", flat=True)) == {AttendanceStatus.ABSENT}
    event = AuditEvent.objects.get(object_type="meeting", object_id=str(meeting.pk))
    assert event.org_path == tree.branch_a1.path


def test_plan_committee_group_and_chosen_scopes(tree):
    MemberFactory(organization=tree.branch_a1, name="书记甲", party_post="书记")
    MemberFactory(organization=tree.branch_a1, name="组织委员乙", party_post="组织委员")
    committee = plan(
        tree.branch_a1,
        at(2026, 11, 3),
        meeting_type=MeetingType.COMMITTEE,
        scope=AttendeeScope.COMMITTEE,
    )
    assert expected_names(committee) == {"书记甲", "组织委员乙"}

    group = plan(tree.group_a1, at(2026, 11, 4), meeting_type=MeetingType.GROUP)
    assert expected_names(group) == {"李四"}
    for_group = plan(
        tree.branch_a1, at(2026, 11, 5), scope=AttendeeScope.GROUP, attendee_group=tree.group_a1
    )
    assert expected_names(for_group) == {"李四"}

    chosen = plan(
        tree.branch_a1,
        at(2026, 11, 6),
        meeting_type=MeetingType.TALK,
        scope=AttendeeScope.CHOSEN,
        chosen=(tree.member_a1.pk,),
    )
    assert expected_names(chosen) == {"张三"}


def test_plan_refuses_bad_input_and_writes_nothing(tree):
    cases = [
        (dict(scope=AttendeeScope.CHOSEN, chosen=(tree.member_a2.pk,)), "不在本组织名册"),
        (dict(scope=AttendeeScope.CHOSEN, chosen=()), "请选择参会人员"),
        (dict(meeting_type=MeetingType.LECTURE, lecturer=""), "党课请填写授课人"),
        (dict(meeting_type=MeetingType.GROUP), "党小组会请在相应的党小组下安排"),
        (
            dict(scope=AttendeeScope.GROUP, attendee_group=tree.group_a1, topic=" "),
            "请填写会议主题",
        ),
        (dict(scope=AttendeeScope.COMMITTEE), "没有应到人员"),
        (dict(host=tree.member_b1), "不在本组织名册"),
    ]
    for kwargs, message in cases:
        with pytest.raises(OrglifeError) as refused:
            plan(tree.branch_a1, at(2026, 11, 10), **kwargs)
        assert any(message in m for m in refused.value.messages), (kwargs, refused.value.messages)
    assert not Meeting.objects.exists()
    assert not Attendance.objects.exists()
    assert not AuditEvent.objects.filter(object_type="meeting").exists()
    with pytest.raises(OrglifeError, match="党小组只能召开"):
        plan(tree.group_a1, at(2026, 11, 10), meeting_type=MeetingType.GENERAL_MEETING)


def test_state_machine_and_audit_trail(tree):
    actor = Actor(user=tree.secretary)
    meeting = plan(tree.branch_a1, at(2026, 11, 20, 9), actor=actor)
    with pytest.raises(OrglifeError, match="不能提交审批"):
        meeting_submit(actor=actor, meeting=meeting, now=NOW)
    meeting_hold(actor=actor, meeting=meeting, held_start=at(2026, 11, 20, 9), now=NOW)
    with pytest.raises(OrglifeError, match="不能标记为已召开"):
        meeting_hold(actor=actor, meeting=meeting, held_start=at(2026, 11, 20, 9), now=NOW)
    with pytest.raises(OrglifeError, match="请先填写会议记录"):
        meeting_submit(actor=actor, meeting=meeting, now=NOW)
    minutes_save(actor=actor, meeting=meeting, minutes="第一段\r\n\r\n第二段  ")
    meeting_submit(actor=actor, meeting=meeting, now=NOW)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SUBMITTED and meeting.minutes == "第一段\n\n第二段"
    with pytest.raises(OrglifeError, match="不能修改会议记录"):
        minutes_save(actor=actor, meeting=meeting, minutes="改")

    # Only the superior: not the branch's own secretary, not a sibling township.
    for outsider in (tree.secretary, tree.outsider, tree.sibling_secretary):
        with pytest.raises(OrglifeError, match="上级党组织的管理员"):
            meeting_approve(actor=Actor(user=outsider), meeting=meeting)
    superior = Actor(user=tree.town_admin)
    with pytest.raises(OrglifeError, match="退回请填写原因"):
        meeting_return(actor=superior, meeting=meeting, reason=" ")
    meeting_return(actor=superior, meeting=meeting, reason="缺少签到表")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.RETURNED and meeting.review_comment == "缺少签到表"
    assert meeting.was_held  # a returned meeting still took place
    minutes_save(actor=actor, meeting=meeting, minutes="第一段\n\n补充签到情况")
    meeting_submit(actor=actor, meeting=meeting, now=NOW)
    meeting_approve(actor=Actor(user=tree.county_admin), meeting=meeting, comment="同意")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.APPROVED and meeting.reviewed_by == tree.county_admin
    with pytest.raises(OrglifeError, match="不能退回"):
        meeting_return(actor=superior, meeting=meeting, reason="再看看")

    statuses = [
        e.changes["status"]
        for e in AuditEvent.objects.filter(
            object_type="meeting", object_id=str(meeting.pk)
        ).order_by("id")
        if "status" in e.changes
    ]
    assert statuses == [
        [None, "planned"],
        ["planned", "held"],
        ["held", "submitted"],
        ["submitted", "returned"],
        ["returned", "submitted"],
        ["submitted", "approved"],
    ]
    returned = AuditEvent.objects.get(
        object_id=str(meeting.pk), changes__status=["submitted", "returned"]
    )
    assert returned.reason == "缺少签到表" and returned.actor == tree.town_admin


def test_meeting_in_the_future_cannot_be_marked_held(tree):
    meeting = plan(tree.branch_a1, at(2026, 11, 25))
    with pytest.raises(OrglifeError) as refused:
        meeting_hold(actor=Actor(label="t"), meeting=meeting, held_start=at(2026, 11, 25), now=NOW)
    assert "会议时间在未来，不能标记为已召开" in refused.value.messages
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED and meeting.held_start is None


def test_cancel_needs_a_reason_and_only_from_planned(tree):
    meeting = plan(tree.branch_a1, at(2026, 11, 25))
    with pytest.raises(OrglifeError, match="请填写取消原因"):
        meeting_cancel(actor=Actor(label="t"), meeting=meeting, reason="")
    meeting_cancel(actor=Actor(label="t"), meeting=meeting, reason="暴雨")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and not meeting.was_held


def test_update_relists_attendees_unless_someone_was_recorded(tree):
    meeting = plan(
        tree.branch_a1, at(2026, 11, 25), scope=AttendeeScope.GROUP, attendee_group=tree.group_a1
    )
    values = meeting_values(meeting, attendee_scope=AttendeeScope.ALL_MEMBERS)
    meeting_update(actor=Actor(label="t"), meeting=meeting, values=values)
    assert expected_names(meeting) == {"张三", "李四"}
    attendance_record(
        actor=Actor(label="t"),
        meeting=meeting,
        entries={tree.member_a1.pk: AttendanceEntry("leave", "出差")},
    )
    with pytest.raises(OrglifeError, match="不能把他们移出"):
        meeting_update(
            actor=Actor(label="t"),
            meeting=meeting,
            values=meeting_values(
                meeting, attendee_scope=AttendeeScope.GROUP, attendee_group=tree.group_a1
            ),
        )
    assert expected_names(meeting) == {"张三", "李四"}


def meeting_values(meeting, **changes):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from chuangxian.orglife.services.meetings import MeetingValues

    base = MeetingValues(
        meeting_type=meeting.meeting_type,
        topic=meeting.topic,
        planned_start=meeting.planned_start,
        attendee_scope=meeting.attendee_scope,
        attendee_group=meeting.attendee_group,
    )
    return replace(base, **changes)


def test_attendance_refuses_strangers_and_leave_without_reason_all_or_nothing(tree):
    meeting = plan(tree.branch_a1, at(2026, 11, 20))
    actor = Actor(label="t")
    with pytest.raises(OrglifeError) as refused:
        attendance_record(
            actor=actor,
            meeting=meeting,
            entries={
                tree.member_a1.pk: AttendanceEntry(AttendanceStatus.PRESENT),
                tree.member_a2.pk: AttendanceEntry(AttendanceStatus.PRESENT),
                tree.member_a1g.pk: AttendanceEntry(AttendanceStatus.LEAVE, ""),
            },
        )
    messages = refused.value.messages
    assert any("不在本次会议的应到名单中：王五" in m for m in messages)
    assert any("李四：请假请填写原因" in m for m in messages)
    assert set(meeting.attendances.values_list("status", flat=True)) == {AttendanceStatus.ABSENT}

    changed = attendance_record(
        actor=actor,
        meeting=meeting,
        entries={
            tree.member_a1.pk: AttendanceEntry(AttendanceStatus.PRESENT),
            tree.member_a1g.pk: AttendanceEntry(AttendanceStatus.LEAVE, "外出务工"),
        },
    )
    assert changed == 2
    assert dict(meeting.attendances.values_list("member__name", "leave_reason")) == {
        "张三": "",
        "李四": "外出务工",
    }


def test_attendee_add_only_from_the_roster(tree):
    meeting = plan(
        tree.branch_a1, at(2026, 11, 20), scope=AttendeeScope.CHOSEN, chosen=(tree.member_a1.pk,)
    )
    with pytest.raises(OrglifeError, match="王五不在甲镇一村党支部的名册中"):
        attendee_add(actor=Actor(label="t"), meeting=meeting, member=tree.member_a2)
    with pytest.raises(OrglifeError, match="已在应到名单中"):
        attendee_add(actor=Actor(label="t"), meeting=meeting, member=tree.member_a1)
    attendee_add(actor=Actor(label="t"), meeting=meeting, member=tree.member_a1g)
    assert expected_names(meeting) == {"张三", "李四"}


@pytest.mark.parametrize(
    ("present", "total_full", "quorum"), [(3, 6, False), (4, 6, True), (3, 5, True), (2, 5, False)]
)
def test_general_meeting_quorum_counts_full_members(tree, present, total_full, quorum):
    branch = make_org("Q1", parent=tree.town_a, name="法定人数支部")
    full = [MemberFactory(organization=branch) for _ in range(total_full)]
    probationary = [
        MemberFactory(organization=branch, category=MemberCategory.PROBATIONARY) for _ in range(3)
    ]
    meeting = plan(branch, at(2026, 11, 20), meeting_type=MeetingType.GENERAL_MEETING)
    assert meeting.quorum_met is None
    entries = {
        m.pk: AttendanceEntry(AttendanceStatus.PRESENT) for m in full[:present] + probationary
    }
    attendance_record(actor=Actor(label="t"), meeting=meeting, entries=entries)
    meeting.refresh_from_db()
    assert meeting.quorum_met is None  # not held yet
    meeting_hold(actor=Actor(label="t"), meeting=meeting, held_start=at(2026, 11, 20), now=NOW)
    meeting.refresh_from_db()
    assert meeting.quorum_met is quorum


def test_quorum_follows_later_attendance_changes(tree):
    branch = make_org("Q2", parent=tree.town_a)
    people = [MemberFactory(organization=branch) for _ in range(4)]
    meeting = plan(branch, at(2026, 11, 20), meeting_type=MeetingType.GENERAL_MEETING)
    meeting = meeting_hold(
        actor=Actor(label="t"), meeting=meeting, held_start=at(2026, 11, 20), now=NOW
    )
    assert meeting.quorum_met is False
    attendance_record(
        actor=Actor(label="t"),
        meeting=meeting,
        entries={p.pk: AttendanceEntry(AttendanceStatus.PRESENT) for p in people[:3]},
    )
    meeting.refresh_from_db()
    assert meeting.quorum_met is True


def test_attachments_are_checked_and_kept(tree):
    meeting = plan(tree.branch_a1, at(2026, 11, 20))
    meeting = meeting_hold(
        actor=Actor(label="t"), meeting=meeting, held_start=at(2026, 11, 20), now=NOW
    )
    pdf = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    kept = attachment_add(actor=Actor(label="t"), meeting=meeting, upload=pdf)
    assert kept.name == "签到表.pdf" and bytes(kept.content).startswith(b"%PDF")
    fake = SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    with pytest.raises(OrglifeError, match="只接受图片"):
        attachment_add(actor=Actor(label="t"), meeting=meeting, upload=fake)
    assert MeetingAttachment.objects.count() == 1


def test_groups_only_hold_group_types(tree):
    assert tree.group_a1.kind == OrgKind.GROUP
    lecture = plan(tree.group_a1, at(2026, 11, 1), meeting_type=MeetingType.LECTURE)
    assert expected_names(lecture) == {"李四"}
    assert lecture.planned_start == at(2026, 11, 1)
    assert isinstance(lecture.planned_start, dt.datetime)

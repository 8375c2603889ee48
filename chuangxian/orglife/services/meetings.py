"""Writes on meetings: plan, change, hold, cancel, attendance, minutes, attachments, and the
superior's approval.

The state machine (MeetingStatus), one service per transition, each checking the source state:

    planned ──hold──► held ──submit──► submitted ──approve──► approved
       │                ▲                  │
       └──cancel──►     └───(edit)─── returned ◄──return──┘   (returned ──submit──► submitted)
    cancelled

Every service validates first, writes atomically and records who/when/why in the audit trail
with the organization's path; a refusal raises OrglifeError and leaves nothing behind."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record, diff_fields
from chuangxian.orglife.access import can_review_meetings_of
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
from chuangxian.orglife.roster import expected_members, full_members_of, roster_of
from chuangxian.orglife.services.tally import tally_add
from chuangxian.orgs.models import Member, MemberCategory, Organization, OrgKind
from chuangxian.uploads.safety import UploadRefused, check_upload

MIN_WINDOW, MAX_WINDOW = 5, 240
# A 党小组 records its own group meetings, lectures and talks; the branch-level meetings belong
# to the branch.
GROUP_TYPES = frozenset({MeetingType.GROUP, MeetingType.LECTURE, MeetingType.TALK})
# Attendance may change until the minutes go to the superior, and again when they come back.
ATTENDANCE_EDITABLE = frozenset({MeetingStatus.PLANNED, MeetingStatus.HELD, MeetingStatus.RETURNED})
MINUTES_EDITABLE = frozenset({MeetingStatus.HELD, MeetingStatus.RETURNED})
MAX_ATTACHMENTS = 20


@dataclass(frozen=True)
class MeetingValues:
    meeting_type: str
    topic: str
    planned_start: dt.datetime
    place: str = ""
    host: Member | None = None
    recorder: Member | None = None
    lecturer: str = ""
    attendee_scope: str = AttendeeScope.ALL_MEMBERS
    attendee_group: Organization | None = None
    chosen: tuple[int, ...] = field(default=())
    checkin_window_minutes: int = 20


def _snapshot(meeting: Meeting) -> dict[str, object]:
    return {
        "meeting_type": meeting.meeting_type,
        "topic": meeting.topic,
        "planned_start": meeting.planned_start,
        "held_start": meeting.held_start,
        "place": meeting.place,
        "host": meeting.host.name if meeting.host else "",
        "recorder": meeting.recorder.name if meeting.recorder else "",
        "lecturer": meeting.lecturer,
        "attendee_scope": meeting.attendee_scope,
        "attendee_group": meeting.attendee_group.code if meeting.attendee_group else "",
        "checkin_window_minutes": meeting.checkin_window_minutes,
        "status": meeting.status,
    }


def _check_values(org: Organization, values: MeetingValues) -> list[Member]:
    """Everything wrong with the values, at once; returns the expected attendees."""
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if values.meeting_type not in MeetingType.values:
        refuse("meeting_type", "请选择会议类型")
    elif org.kind == OrgKind.GROUP and values.meeting_type not in GROUP_TYPES:
        refuse("meeting_type", "党小组只能召开党小组会、党课或谈心谈话，其他会议由所在党支部召开")
    elif values.meeting_type == MeetingType.GROUP and org.kind != OrgKind.GROUP:
        refuse("meeting_type", "党小组会请在相应的党小组下安排")
    if not values.topic.strip():
        refuse("topic", "请填写会议主题")
    if values.meeting_type == MeetingType.LECTURE and not values.lecturer.strip():
        refuse("lecturer", "党课请填写授课人")
    if not MIN_WINDOW <= values.checkin_window_minutes <= MAX_WINDOW:
        refuse("checkin_window_minutes", f"签到时段应在{MIN_WINDOW}到{MAX_WINDOW}分钟之间")
    roster_ids = set(roster_of(org).values_list("pk", flat=True))
    for name, person in (("host", values.host), ("recorder", values.recorder)):
        if person is not None and person.pk not in roster_ids:
            refuse(name, f"{person.name}不在本组织名册中")
    group = values.attendee_group
    if values.attendee_scope == AttendeeScope.GROUP:
        if org.kind == OrgKind.GROUP:
            group = org
        elif group is None or group.parent_id != org.pk or group.kind != OrgKind.GROUP:
            refuse("attendee_group", "请选择本支部的一个党小组")
            group = None
    if values.attendee_scope == AttendeeScope.CHOSEN:
        strangers = set(values.chosen) - roster_ids
        if not values.chosen:
            refuse("chosen", "请选择参会人员")
        elif strangers:
            names = Member.objects.filter(pk__in=strangers).values_list("name", flat=True)
            refuse("chosen", "以下人员不在本组织名册中：" + "、".join(names or ["（未知）"]))
    if errors:
        raise OrglifeError(errors)
    expected = expected_members(org, values.attendee_scope, group=group, chosen=list(values.chosen))
    if not expected:
        raise OrglifeError({"attendee_scope": "按此范围没有应到人员，请检查名册或改选范围"})
    return expected


def _apply(meeting: Meeting, values: MeetingValues) -> None:
    meeting.meeting_type = values.meeting_type
    meeting.topic = values.topic.strip()
    meeting.planned_start = values.planned_start
    meeting.place = values.place.strip()
    meeting.host = values.host
    meeting.recorder = values.recorder
    meeting.lecturer = values.lecturer.strip()
    meeting.attendee_scope = values.attendee_scope
    meeting.attendee_group = (
        values.attendee_group if values.attendee_scope == AttendeeScope.GROUP else None
    )
    meeting.checkin_window_minutes = values.checkin_window_minutes


@transaction.atomic
def meeting_plan(*, actor: Actor, organization: Organization, values: MeetingValues) -> Meeting:
    """Plan a meeting and list its expected attendees (absent until recorded otherwise)."""
    expected = _check_values(organization, values)
    meeting = Meeting(organization=organization, status=MeetingStatus.PLANNED)
    _apply(meeting, values)
    meeting.created_by = actor.user if actor.user is not None and actor.user.pk else None
    meeting.full_clean()
    meeting.save()
    Attendance.objects.bulk_create(Attendance(meeting=meeting, member=m) for m in expected)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=meeting,
        org_path=organization.path,
        changes=diff_fields({}, _snapshot(meeting)) | {"expected": [None, len(expected)]},
    )
    return meeting


def _locked(meeting_id: int) -> Meeting:
    return (
        # Lock the meeting row only: the related rows are read, not changed.
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organization", "host", "recorder", "attendee_group")
        .get(pk=meeting_id)
    )


def _require(meeting: Meeting, allowed: frozenset[str] | set[str], doing: str) -> None:
    if meeting.status not in allowed:
        raise OrglifeError(f"会议当前状态为“{meeting.get_status_display()}”，不能{doing}")


@transaction.atomic
def meeting_update(*, actor: Actor, meeting: Meeting, values: MeetingValues) -> Meeting:
    """Change a planned meeting. A changed attendee scope lists the attendees again, which is
    refused once anyone has checked in or been recorded."""
    meeting = _locked(meeting.pk)
    _require(meeting, {MeetingStatus.PLANNED}, "修改计划")
    expected = _check_values(meeting.organization, values)
    before = _snapshot(meeting)
    _apply(meeting, values)
    meeting.full_clean()
    current = set(meeting.attendances.values_list("member_id", flat=True))
    wanted = {m.pk for m in expected}
    if current != wanted:
        touched = meeting.attendances.exclude(status=AttendanceStatus.ABSENT).exclude(
            member_id__in=wanted
        )
        if touched.exists():
            raise OrglifeError({"attendee_scope": "已有人员签到或请假，不能把他们移出应到名单"})
        meeting.attendances.exclude(member_id__in=wanted).delete()
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, member=m) for m in expected if m.pk not in current
        )
    meeting.save()
    changes = diff_fields(before, _snapshot(meeting))
    if current != wanted:
        changes["expected"] = [len(current), len(wanted)]
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=meeting,
            org_path=meeting.organization.path,
            changes=changes,
        )
    return meeting


def refresh_quorum(meeting: Meeting) -> bool | None:
    """For a held 支部党员大会: more than half of the branch's full members present (the
    present full members counted from the attendance). None for other meetings."""
    if not meeting.is_general_meeting or meeting.status not in (
        MeetingStatus.HELD,
        MeetingStatus.SUBMITTED,
        MeetingStatus.APPROVED,
        MeetingStatus.RETURNED,
    ):
        value = None
    else:
        total = full_members_of(meeting.organization)
        present = meeting.attendances.filter(
            status=AttendanceStatus.PRESENT, member__category=MemberCategory.FULL
        ).count()
        value = total > 0 and present * 2 > total
    if meeting.quorum_met != value:
        meeting.quorum_met = value
        meeting.save(update_fields=["quorum_met", "updated_at"])
    return value


@transaction.atomic
def meeting_hold(
    *, actor: Actor, meeting: Meeting, held_start: dt.datetime, now: dt.datetime
) -> Meeting:
    """Record that a planned meeting took place at `held_start`, which cannot be in the future."""
    meeting = _locked(meeting.pk)
    _require(meeting, {MeetingStatus.PLANNED}, "标记为已召开")
    if held_start > now:
        raise OrglifeError({"held_start": "会议时间在未来，不能标记为已召开"})
    meeting.held_start = held_start
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["held_start", "status", "updated_at"])
    tally_add(meeting)
    quorum = refresh_quorum(meeting)
    changes: dict[str, object] = {
        "status": [MeetingStatus.PLANNED, MeetingStatus.HELD],
        "held_start": [None, held_start.isoformat()],
    }
    if quorum is not None:
        changes["quorum_met"] = [None, quorum]
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=meeting,
        org_path=meeting.organization.path,
        changes=changes,
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    meeting = _locked(meeting.pk)
    _require(meeting, {MeetingStatus.PLANNED}, "取消")
    if not reason.strip():
        raise OrglifeError({"reason": "请填写取消原因"})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason.strip()[:200]
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=meeting,
        org_path=meeting.organization.path,
        changes={"status": [MeetingStatus.PLANNED, MeetingStatus.CANCELLED]},
        reason=meeting.cancel_reason,
    )
    return meeting


@dataclass(frozen=True)
class AttendanceEntry:
    status: str
    leave_reason: str = ""


@transaction.atomic
def attendance_record(
    *, actor: Actor, meeting: Meeting, entries: Mapping[int, AttendanceEntry]
) -> int:
    """Set 出席 / 请假 (with reason) / 缺席 for members on the expected list; returns how many
    changed, and marks the attendance as recorded (the page then shows it as saved instead of
    starting everyone as present). A member not on the list, or a 请假 without reason, refuses
    the whole batch."""
    meeting = _locked(meeting.pk)
    _require(meeting, ATTENDANCE_EDITABLE, "修改出席情况")
    rows = {a.member_id: a for a in meeting.attendances.select_related("member")}
    errors: list[str] = []
    strangers = [member_id for member_id in entries if member_id not in rows]
    if strangers:
        names = list(Member.objects.filter(pk__in=strangers).values_list("name", flat=True))
        errors.append(
            "以下人员不在本次会议的应到名单中：" + "、".join(names or [str(i) for i in strangers])
        )
    for member_id, entry in entries.items():
        row = rows.get(member_id)
        if entry.status not in AttendanceStatus.values:
            errors.append(f"出席情况“{entry.status}”无效")
        elif (
            row is not None
            and entry.status == AttendanceStatus.LEAVE
            and not entry.leave_reason.strip()
        ):
            errors.append(f"{row.member.name}：请假请填写原因")
    if errors:
        raise OrglifeError(errors)
    # Rows changing to the same values are updated together: a handful of UPDATEs per batch.
    groups: dict[tuple[str, str], list[int]] = {}
    changes: dict[str, list[str]] = {}
    for member_id, entry in entries.items():
        row = rows[member_id]
        reason = entry.leave_reason.strip()[:200] if entry.status == AttendanceStatus.LEAVE else ""
        if row.status == entry.status and row.leave_reason == reason:
            continue
        changes[f"{row.member.name}#{row.member_id}"] = [row.status, entry.status]
        groups.setdefault((entry.status, reason), []).append(row.pk)
    for (status, reason), ids in groups.items():
        values: dict[str, object] = {"status": status, "leave_reason": reason}
        if status != AttendanceStatus.PRESENT:
            values |= {"checked_in_at": None, "via_qr": False}
        Attendance.objects.filter(pk__in=ids).update(**values, updated_at=timezone.now())
    if meeting.attendance_recorded_at is None:
        meeting.attendance_recorded_at = timezone.now()
        meeting.save(update_fields=["attendance_recorded_at", "updated_at"])
    if changes:
        refresh_quorum(meeting)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="attendance",
            object_id=str(meeting.pk),
            object_label=str(meeting)[:200],
            org_path=meeting.organization.path,
            changes=changes,
        )
    return len(changes)


@transaction.atomic
def attendee_add(*, actor: Actor, meeting: Meeting, member: Member) -> Attendance:
    """Put a member of the organization's roster on the expected list after planning."""
    meeting = _locked(meeting.pk)
    _require(meeting, ATTENDANCE_EDITABLE, "增加应到人员")
    if not roster_of(meeting.organization).filter(pk=member.pk).exists():
        raise OrglifeError(f"{member.name}不在{meeting.organization.name}的名册中")
    if meeting.attendances.filter(member=member).exists():
        raise OrglifeError(f"{member.name}已在应到名单中")
    row = Attendance.objects.create(meeting=meeting, member=member)
    refresh_quorum(meeting)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="attendance",
        object_id=str(meeting.pk),
        object_label=str(meeting)[:200],
        org_path=meeting.organization.path,
        changes={"expected": [None, member.name]},
    )
    return row


@transaction.atomic
def minutes_save(*, actor: Actor, meeting: Meeting, minutes: str) -> Meeting:
    """Keep the minutes (plain text; paragraphs are blank lines)."""
    meeting = _locked(meeting.pk)
    _require(meeting, MINUTES_EDITABLE, "修改会议记录")
    text = "\n".join(line.rstrip() for line in minutes.replace("\r\n", "\n").split("\n")).strip()
    if len(text) > 50_000:
        raise OrglifeError({"minutes": "会议记录过长（上限五万字）"})
    if text != meeting.minutes:
        meeting.minutes = text
        meeting.save(update_fields=["minutes", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=meeting,
            org_path=meeting.organization.path,
            changes={"minutes": ["…", f"{len(text)}字"]},
        )
    return meeting


@transaction.atomic
def attachment_add(*, actor: Actor, meeting: Meeting, upload: UploadedFile) -> MeetingAttachment:
    """Keep a checked file with the minutes (images re-encoded, documents whitelisted)."""
    meeting = _locked(meeting.pk)
    _require(meeting, MINUTES_EDITABLE, "上传附件")
    if meeting.attachments.count() >= MAX_ATTACHMENTS:
        raise OrglifeError({"file": f"每次会议最多{MAX_ATTACHMENTS}个附件"})
    try:
        clean = check_upload(upload)
    except UploadRefused as refused:
        raise OrglifeError({"file": str(refused)})
    attachment = MeetingAttachment.objects.create(
        meeting=meeting,
        name=clean.name[:120],
        content_type=clean.content_type,
        size=len(clean.content),
        content=clean.content,
        uploaded_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=attachment,
        org_path=meeting.organization.path,
        changes={"meeting": [None, meeting.pk], "size": [None, attachment.size]},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Actor, attachment: MeetingAttachment) -> None:
    meeting = _locked(attachment.meeting_id)
    _require(meeting, MINUTES_EDITABLE, "删除附件")
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=attachment,
        org_path=meeting.organization.path,
    )
    attachment.delete()


@transaction.atomic
def meeting_submit(*, actor: Actor, meeting: Meeting, now: dt.datetime) -> Meeting:
    """Send the minutes to the superior. Needs minutes and an attendance record."""
    meeting = _locked(meeting.pk)
    _require(meeting, MINUTES_EDITABLE, "提交审批")
    if not meeting.minutes.strip():
        raise OrglifeError({"minutes": "请先填写会议记录再提交"})
    before = meeting.status
    meeting.status = MeetingStatus.SUBMITTED
    meeting.submitted_at = now
    meeting.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=meeting,
        org_path=meeting.organization.path,
        changes={"status": [before, MeetingStatus.SUBMITTED]},
    )
    return meeting


def _review(*, actor: Actor, meeting: Meeting, to: str, comment: str, now: dt.datetime) -> Meeting:
    meeting = _locked(meeting.pk)
    doing = "审批通过" if to == MeetingStatus.APPROVED else "退回"
    _require(meeting, {MeetingStatus.SUBMITTED}, doing)
    if actor.user is None or not can_review_meetings_of(actor.user, meeting.organization):
        raise OrglifeError("只有上级党组织的管理员可以审批")
    if to == MeetingStatus.RETURNED and not comment.strip():
        raise OrglifeError({"comment": "退回请填写原因"})
    meeting.status = to
    meeting.review_comment = comment.strip()[:500]
    meeting.reviewed_by = actor.user
    meeting.reviewed_at = now
    meeting.save(
        update_fields=["status", "review_comment", "reviewed_by", "reviewed_at", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=meeting,
        org_path=meeting.organization.path,
        changes={"status": [MeetingStatus.SUBMITTED, to]},
        reason=meeting.review_comment,
    )
    return meeting


@transaction.atomic
def meeting_approve(
    *, actor: Actor, meeting: Meeting, comment: str = "", now: dt.datetime | None = None
) -> Meeting:
    """The superior approves submitted minutes."""
    return _review(
        actor=actor,
        meeting=meeting,
        to=MeetingStatus.APPROVED,
        comment=comment,
        now=now or timezone.now(),
    )


@transaction.atomic
def meeting_return(
    *, actor: Actor, meeting: Meeting, reason: str, now: dt.datetime | None = None
) -> Meeting:
    """The superior sends submitted minutes back, with the reason, for correction."""
    return _review(
        actor=actor,
        meeting=meeting,
        to=MeetingStatus.RETURNED,
        comment=reason,
        now=now or timezone.now(),
    )

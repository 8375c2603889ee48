"""QR check-in: a signed link carrying the meeting and its check-in window.

The token is made with django.core.signing under its own salt, so it cannot be forged or
altered, and it names the window (start − N minutes … start + N minutes) it is valid in: a
screenshot sent to someone later does not work, and neither does an old code once the meeting
has moved. Scanning only opens a confirmation page; the check-in itself is a POST by the
logged-in member."""

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orglife.errors import OrglifeError
from chuangxian.orglife.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from chuangxian.orglife.services.meetings import refresh_quorum

SALT = "chuangxian.orglife.checkin"
CHECKIN_STATUSES = frozenset({MeetingStatus.PLANNED, MeetingStatus.HELD})


@dataclass(frozen=True)
class Window:
    opens: dt.datetime
    closes: dt.datetime

    def contains(self, moment: dt.datetime) -> bool:
        return self.opens <= moment <= self.closes


def checkin_window(meeting: Meeting) -> Window:
    """Around the planned start, the time members were told (to the second)."""
    start = meeting.planned_start.replace(microsecond=0)
    margin = dt.timedelta(minutes=meeting.checkin_window_minutes)
    return Window(start - margin, start + margin)


def checkin_token(meeting: Meeting) -> str:
    window = checkin_window(meeting)
    payload = {
        "m": meeting.pk,
        "o": int(window.opens.timestamp()),
        "c": int(window.closes.timestamp()),
    }
    return signing.dumps(payload, salt=SALT, compress=False)


@dataclass(frozen=True)
class CheckinTicket:
    meeting_id: int
    window: Window


def checkin_read(token: str) -> CheckinTicket:
    """The meeting and window a token names, or OrglifeError when it was altered."""
    try:
        payload = signing.loads(token, salt=SALT)
        ticket = CheckinTicket(
            int(payload["m"]),
            Window(
                dt.datetime.fromtimestamp(int(payload["o"]), tz=dt.UTC),
                dt.datetime.fromtimestamp(int(payload["c"]), tz=dt.UTC),
            ),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise OrglifeError("签到码无效，请重新扫描会场的二维码")
    return ticket


def _fmt(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%m月%d日 %H:%M}"


def checkin_check(*, ticket: CheckinTicket, meeting: Meeting, now: dt.datetime) -> None:
    """Refuse a ticket outside its window, for a moved or closed meeting."""
    if ticket.meeting_id != meeting.pk:
        raise OrglifeError("签到码无效，请重新扫描会场的二维码")
    current = checkin_window(meeting)
    if ticket.window != current:
        raise OrglifeError("会议时间已调整，此签到码已作废，请扫描会场的新二维码")
    if meeting.status not in CHECKIN_STATUSES:
        raise OrglifeError(f"会议当前状态为“{meeting.get_status_display()}”，不能签到")
    if now < current.opens:
        raise OrglifeError(f"签到尚未开始：签到时间为{_fmt(current.opens)}至{_fmt(current.closes)}")
    if now > current.closes:
        raise OrglifeError(f"签到已结束：签到时间为{_fmt(current.opens)}至{_fmt(current.closes)}")


@transaction.atomic
def checkin_record(
    *, actor: Actor, token: str, member_id: int | None, now: dt.datetime
) -> Attendance:
    """Mark the logged-in member present at the meeting the token names. Refused (nothing
    changed) with a tampered token, outside the window, for someone not expected, twice."""
    ticket = checkin_read(token)
    if member_id is None:
        raise OrglifeError("您的账号没有关联党员信息，不能签到，请联系党支部")
    try:
        meeting = (
            Meeting.objects.select_for_update()
            .select_related("organization")
            .get(pk=ticket.meeting_id)
        )
    except Meeting.DoesNotExist:
        raise OrglifeError("签到码对应的会议不存在")
    checkin_check(ticket=ticket, meeting=meeting, now=now)
    try:
        row = meeting.attendances.select_for_update().get(member_id=member_id)
    except Attendance.DoesNotExist:
        raise OrglifeError("您不在本次会议的应到名单中，如需参会请联系会议记录人")
    if row.checked_in_at is not None:
        raise OrglifeError(f"您已于{_fmt(row.checked_in_at)}签到，无需重复签到")
    before = row.status
    row.status = AttendanceStatus.PRESENT
    row.leave_reason = ""
    row.checked_in_at = now
    row.via_qr = True
    row.save(update_fields=["status", "leave_reason", "checked_in_at", "via_qr", "updated_at"])
    refresh_quorum(meeting)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="attendance",
        object_id=str(meeting.pk),
        object_label=str(meeting)[:200],
        org_path=meeting.organization.path,
        changes={"checkin": [before, AttendanceStatus.PRESENT], "via_qr": [False, True]},
    )
    return row

"""Reads composed for pages outside the meeting pages (a member's own page, 我的一年)."""

import datetime as dt
from dataclasses import dataclass

from chuangxian.orglife.models import Attendance, Meeting, MeetingStatus
from chuangxian.orglife.services.checkin import Window, checkin_window
from chuangxian.orglife.services.meetings import MAX_WINDOW
from chuangxian.orgs.models import Member


@dataclass(frozen=True)
class UpcomingMeeting:
    attendance: Attendance
    window: Window
    checkin_open: bool

    @property
    def meeting(self) -> Meeting:
        return self.attendance.meeting


def upcoming_meetings(
    member: Member, *, now: dt.datetime, limit: int = 20
) -> list[UpcomingMeeting]:
    """Meetings the member is expected at that are still ahead, or whose check-in is still
    open, soonest first, with whether the QR check-in is open now."""
    # A meeting stays "upcoming" while its check-in may still be open.
    earliest = now - dt.timedelta(minutes=MAX_WINDOW)
    rows = (
        Attendance.objects.filter(
            member=member,
            meeting__status__in=[MeetingStatus.PLANNED, MeetingStatus.HELD],
            meeting__planned_start__gte=earliest,
        )
        .select_related("meeting", "meeting__organization")
        .order_by("meeting__planned_start")[:20]
    )
    found = []
    for row in rows:
        window = checkin_window(row.meeting)
        if row.meeting.status == MeetingStatus.HELD and window.closes < now:
            continue
        found.append(UpcomingMeeting(row, window, window.contains(now)))
    return found[:limit]

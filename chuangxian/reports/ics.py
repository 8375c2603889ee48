"""iCalendar (RFC 5545) feeds a phone's calendar subscribes to: an organization's obligations
and a member's own (meetings they are expected at, their commitments' deadlines, the monthly
dues). A calendar app cannot log in, so the feed's address carries a signed token naming the
user; the feed is built for that user's scope when it is fetched, so a changed role changes it
and a removed account's address stops working."""

import datetime as dt
import hashlib

from django.core import signing
from django.utils import timezone

from chuangxian.commitments.models import CommitmentItem, ItemStatus
from chuangxian.orglife.models import Attendance, MeetingStatus, MeetingType
from chuangxian.orgs.models import Member
from chuangxian.reports.calendar import Obligation

SALT = "chuangxian.reports.ics"


def feed_token(user_id: int, org_id: int | None) -> str:
    return signing.dumps({"u": user_id, "o": org_id}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, int | None] | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    org = data.get("o")
    return data["u"], org if isinstance(org, int) else None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not parts else 74
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = char
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _event(uid: str, day: dt.date, summary: str, description: str, url: str) -> list[str]:
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    following = day + dt.timedelta(days=1)
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}@chuangxian",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{following:%Y%m%d}",
        f"SUMMARY:{_escape(summary)}",
        *([f"DESCRIPTION:{_escape(description)}"] if description else []),
        *([f"URL:{url}"] if url else []),
        "END:VEVENT",
    ]


def calendar_text(name: str, events: list[list[str]]) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//chuangxian//work calendar//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def obligation_events(found: list[Obligation], base_url: str) -> list[list[str]]:
    events = []
    for obligation in found:
        key = f"{obligation.day}|{obligation.system}|{obligation.title}"
        uid = hashlib.sha256(key.encode()).hexdigest()[:24]
        count = f"（{obligation.count}）" if obligation.count > 1 else ""
        events.append(
            _event(
                uid,
                obligation.day,
                f"{obligation.system}：{obligation.title}{count}",
                "",
                base_url + obligation.url if obligation.url else "",
            )
        )
    return events


def member_events(member: Member, first: dt.date, last: dt.date, base_url: str) -> list[list[str]]:
    """The member's own year: meetings they are expected at, their commitments' deadlines."""
    events = []
    attendances = Attendance.objects.filter(
        member=member,
        meeting__status=MeetingStatus.PLANNED,
        meeting__planned_start__date__range=(first, last),
    ).select_related("meeting")
    for attendance in attendances:
        meeting = attendance.meeting
        start = timezone.localtime(meeting.planned_start)
        events.append(
            _event(
                f"meeting-{meeting.pk}",
                start.date(),
                f"{MeetingType(meeting.meeting_type).label}：{meeting.topic}",
                f"{start:%H:%M} {meeting.place}".strip(),
                base_url + meeting.get_absolute_url(),
            )
        )
    items = CommitmentItem.objects.filter(
        sheet__member=member,
        due_on__range=(first, last),
        status__in=[ItemStatus.APPROVED, ItemStatus.PUBLISHED, ItemStatus.IN_PROGRESS],
    )
    for item in items:
        events.append(
            _event(f"commitment-{item.pk}", item.due_on, f"承诺完成时限：{item.text[:40]}", "", "")
        )
    return events

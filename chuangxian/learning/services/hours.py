"""学时 derived from organizational life: attendance at a held 党课 or 主题党日.

Secretaries record a meeting and its attendance once, in orglife; this sync turns every
出席 into one ledger row and keeps it in step. It is idempotent (a second run changes nothing),
removes rows whose attendance, meeting or held status went away, and follows a change of the
meeting's date, type or credited hours."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import SYSTEM, Actor, audit_record
from chuangxian.learning.errors import LearningError
from chuangxian.learning.models import MeetingCredit, StudyRecord, StudySource
from chuangxian.learning.rules import DEFAULT_MEETING_HOURS, HoursError, check_hours
from chuangxian.orglife.models import (
    HELD_STATUSES,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingType,
)
from chuangxian.orgs.models import Member, Organization

CREDITED_TYPES = (MeetingType.LECTURE, MeetingType.THEME_DAY)
WRITE_BATCH = 2000


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    deleted: int

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=zone)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=zone)


def _filters(
    year: int | None,
    organization: Organization | None,
    member: Member | None,
    meeting: Meeting | None,
) -> tuple[Q, Q]:
    """(condition on Attendance, condition on StudyRecord) for the part of the ledger synced."""
    wanted = Q()
    kept = Q()
    if year is not None:
        start, end = _year_range(year)
        wanted &= Q(meeting__held_start__gte=start, meeting__held_start__lt=end)
        # A meeting moved to another year is found by either date, and moved with it.
        kept &= Q(day__year=year) | Q(meeting__held_start__gte=start, meeting__held_start__lt=end)
    if organization is not None:
        wanted &= Q(meeting__organization__path__startswith=organization.path)
        kept &= Q(meeting__organization__path__startswith=organization.path)
    if member is not None:
        wanted &= Q(member=member)
        kept &= Q(member=member)
    if meeting is not None:
        wanted &= Q(meeting=meeting)
        kept &= Q(meeting=meeting)
    return wanted, kept


@transaction.atomic
def study_hours_sync(
    *,
    year: int | None = None,
    organization: Organization | None = None,
    member: Member | None = None,
    meeting: Meeting | None = None,
    actor: Actor = SYSTEM,
) -> SyncResult:
    """Make the attendance-derived ledger rows for the given year / subtree / member exactly
    match the held 党课 and 主题党日 attendance recorded in orglife. Every filter given narrows
    what is compared; with none, the whole ledger is brought in step."""
    wanted_q, kept_q = _filters(year, organization, member, meeting)
    attended = (
        Attendance.objects.filter(
            wanted_q,
            status=AttendanceStatus.PRESENT,
            meeting__meeting_type__in=CREDITED_TYPES,
            meeting__status__in=HELD_STATUSES,
            meeting__held_start__isnull=False,
        )
        .values_list(
            "member_id",
            "meeting_id",
            "meeting__held_start",
            "meeting__meeting_type",
            "meeting__topic",
            "meeting__study_credit__hours",
        )
        .order_by()
    )
    # The title is stored: always in the default language, whoever's request runs the sync.
    with translation.override(settings.LANGUAGE_CODE):
        type_labels = {value: str(label) for value, label in MeetingType.choices}
    wanted: dict[tuple[int, int], tuple[dt.date, Decimal, str]] = {}
    for member_id, meeting_id, held, kind, topic, credit in attended.iterator(chunk_size=5000):
        label = type_labels[kind]
        wanted[(member_id, meeting_id)] = (
            timezone.localtime(held).date(),
            credit if credit is not None else DEFAULT_MEETING_HOURS,
            f"{label}：{topic}"[:200],
        )
    existing = {
        (record.member_id, record.meeting_id): record
        for record in StudyRecord.objects.select_for_update(of=("self",))
        .filter(kept_q, source=StudySource.ATTENDANCE)
        .only("id", "member_id", "meeting_id", "day", "hours", "title")
    }
    stale = [record.pk for key, record in existing.items() if key not in wanted]
    changed: list[StudyRecord] = []
    new: list[StudyRecord] = []
    for (member_id, meeting_id), (day, hours, title) in wanted.items():
        record = existing.get((member_id, meeting_id))
        if record is None:
            new.append(
                StudyRecord(
                    member_id=member_id,
                    meeting_id=meeting_id,
                    source=StudySource.ATTENDANCE,
                    day=day,
                    hours=hours,
                    title=title,
                )
            )
        elif (record.day, record.hours, record.title) != (day, hours, title):
            record.day, record.hours, record.title = day, hours, title
            changed.append(record)
    for start in range(0, len(stale), WRITE_BATCH):
        StudyRecord.objects.filter(pk__in=stale[start : start + WRITE_BATCH]).delete()
    StudyRecord.objects.bulk_update(changed, ["day", "hours", "title"], batch_size=WRITE_BATCH)
    StudyRecord.objects.bulk_create(new, batch_size=WRITE_BATCH)
    result = SyncResult(created=len(new), updated=len(changed), deleted=len(stale))
    if result.changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="study_hours_sync",
            object_label="组织生活学时同步",
            org_path=organization.path if organization else "",
            changes={
                "year": [None, year],
                "created": [None, result.created],
                "updated": [None, result.updated],
                "deleted": [None, result.deleted],
            },
        )
    return result


@transaction.atomic
def meeting_credit_set(*, actor: Actor, meeting: Meeting, hours: Decimal) -> MeetingCredit:
    """Set the 学时 a held 党课 / 主题党日 is worth, then re-derive its attendees' rows."""
    if meeting.meeting_type not in CREDITED_TYPES:
        raise LearningError("只有党课和主题党日计入学时")
    try:
        hours = check_hours(hours)
    except HoursError as error:
        raise LearningError({"hours": str(error)})
    credit = MeetingCredit.objects.filter(meeting=meeting).first()
    before = credit.hours if credit else DEFAULT_MEETING_HOURS
    if credit is None:
        credit = MeetingCredit(meeting=meeting)
    credit.hours = hours
    credit.set_by = actor.user if actor.user is not None and actor.user.pk else None
    credit.full_clean()
    credit.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=meeting,
        object_type="meeting_credit",
        org_path=meeting.organization.path,
        changes={"hours": [str(before), str(hours)]},
    )
    study_hours_sync(meeting=meeting, actor=actor)
    return credit


def credited_meetings(org: Organization, year: int) -> list[dict[str, Any]]:
    """The held 党课 and 主题党日 of `org` (not its subtree) in `year`, with their credit."""
    start, end = _year_range(year)
    rows = (
        Meeting.objects.filter(
            organization=org,
            meeting_type__in=CREDITED_TYPES,
            status__in=HELD_STATUSES,
            held_start__gte=start,
            held_start__lt=end,
        )
        .order_by("held_start")
        .values("id", "meeting_type", "topic", "held_start", "study_credit__hours")
    )
    return [
        {
            "id": row["id"],
            "label": MeetingType(row["meeting_type"]).label,
            "topic": row["topic"],
            "held_start": row["held_start"],
            "hours": row["study_credit__hours"] or DEFAULT_MEETING_HOURS,
            "custom": row["study_credit__hours"] is not None,
        }
        for row in rows
    ]

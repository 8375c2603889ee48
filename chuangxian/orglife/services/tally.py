"""Keeping MeetingTally in step with held meetings.

A meeting enters the held statuses once (meeting_hold) and its organization, type and actual
start never change after that, so counting it then is enough; `tally_rebuild` recomputes a
year from the meetings themselves (after a bulk load, or to check)."""

from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from chuangxian.orglife.models import HELD_STATUSES, Meeting, MeetingTally

BATCH = 5_000


def tally_add(meeting: Meeting) -> None:
    """Count a meeting that has just been marked held (call inside its transaction)."""
    assert meeting.held_start is not None
    local = timezone.localtime(meeting.held_start)
    tally, _created = MeetingTally.objects.get_or_create(
        organization_id=meeting.organization_id, year=local.year, meeting_type=meeting.meeting_type
    )
    MeetingTally.objects.filter(pk=tally.pk).update(
        month_mask=F("month_mask").bitor(1 << (local.month - 1)),
        **{f"m{local.month}": F(f"m{local.month}") + 1},
    )


@transaction.atomic
def tally_rebuild(*, year: int) -> int:
    """Recount every held meeting of `year`; returns the number of tally rows."""
    MeetingTally.objects.filter(year=year).delete()
    tz = timezone.get_current_timezone()
    counts = (
        Meeting.objects.filter(status__in=list(HELD_STATUSES), held_start__isnull=False)
        .annotate(
            y=ExtractYear("held_start", tzinfo=tz), month=ExtractMonth("held_start", tzinfo=tz)
        )
        .filter(y=year)
        .order_by()
        .values_list("organization_id", "meeting_type", "month")
        .annotate(n=Count("id"))
    )
    rows: dict[tuple[int, str], MeetingTally] = {}
    for org_id, meeting_type, month, n in counts.iterator(chunk_size=BATCH):
        key = (org_id, meeting_type)
        tally = rows.get(key)
        if tally is None:
            tally = rows[key] = MeetingTally(
                organization_id=org_id, year=year, meeting_type=meeting_type
            )
        month = int(month)
        tally.month_mask |= 1 << (month - 1)
        setattr(tally, f"m{month}", n)
    MeetingTally.objects.bulk_create(rows.values(), batch_size=BATCH)
    return len(rows)

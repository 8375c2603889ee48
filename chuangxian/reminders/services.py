"""The reminder sweep."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from chuangxian.reminders.models import Reminder
from chuangxian.reminders.registry import Due, producers


@dataclass(frozen=True)
class SweepResult:
    opened: int
    kept: int
    resolved: int


@transaction.atomic
def reminders_sweep(*, today: dt.date, sources: list[str] | None = None) -> SweepResult:
    """Open a reminder for everything due today that has none, leave open ones alone, and
    resolve those of the swept sources whose condition no longer holds. Idempotent."""
    selected = {
        name: producer
        for name, producer in producers().items()
        if sources is None or name in sources
    }
    due: dict[str, Due] = {}
    for producer in selected.values():
        for item in producer(today):
            due[item.key] = item
    open_reminders = Reminder.objects.filter(source__in=selected, resolved_at=None)
    existing = set(Reminder.objects.filter(key__in=list(due)).values_list("key", flat=True))
    new = [
        Reminder(
            key=item.key,
            source=item.source,
            severity=item.severity,
            text=item.text[:300],
            link=item.link[:300],
            due_on=item.due_on,
            user=item.user,
            organization=item.organization,
        )
        for key, item in due.items()
        if key not in existing
    ]
    Reminder.objects.bulk_create(new, batch_size=1000)
    resolved = open_reminders.exclude(key__in=list(due)).update(resolved_at=timezone.now())
    return SweepResult(opened=len(new), kept=len(existing), resolved=resolved)


def reminder_mark_read(*, reminder: Reminder) -> None:
    if reminder.read_at is None:
        reminder.read_at = timezone.now()
        reminder.save(update_fields=["read_at"])

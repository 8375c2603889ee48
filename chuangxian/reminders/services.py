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
    # The swept sources' keys are compared here, not sent back in `IN (…)` lists: from October
    # a province's sources are due for hundreds of thousands of keys (keys begin with their
    # source, so no other source's row can hold one of them).
    known = Reminder.objects.filter(source__in=list(selected)).values_list(
        "key", "pk", "resolved_at"
    )
    existing: set[str] = set()
    to_resolve: list[int] = []
    for key, pk, resolved_at in known.iterator(chunk_size=5000):
        if key in due:
            existing.add(key)
        elif resolved_at is None:
            to_resolve.append(pk)
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
    now = timezone.now()
    resolved = 0
    for start in range(0, len(to_resolve), 1000):
        chunk = to_resolve[start : start + 1000]
        resolved += Reminder.objects.filter(pk__in=chunk, resolved_at=None).update(resolved_at=now)
    return SweepResult(opened=len(new), kept=len(existing), resolved=resolved)


def reminder_mark_read(*, reminder: Reminder) -> None:
    if reminder.read_at is None:
        reminder.read_at = timezone.now()
        reminder.save(update_fields=["read_at"])

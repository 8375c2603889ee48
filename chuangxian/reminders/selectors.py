"""Which reminders a user sees: their own, and those filed on organizations they work in."""

from typing import Any

from django.db.models import Q, QuerySet

from chuangxian.orgs.access import scope_for
from chuangxian.reminders.models import Reminder


def reminders_for(user: Any, *, include_resolved: bool = False) -> QuerySet[Reminder]:
    scope = scope_for(user)
    condition = Q(user=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    condition |= scope.organization_q(prefix="organization__") & Q(user=None)
    reminders = Reminder.objects.filter(condition)
    if not include_resolved:
        reminders = reminders.filter(resolved_at=None)
    return reminders.select_related("organization")

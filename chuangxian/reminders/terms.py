"""换届 reminders: the organization tree's own deadline, 90 days ahead and after expiry."""

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from chuangxian.orgs.models import Organization
from chuangxian.orgs.models.organization import TERM_ALERT_DAYS
from chuangxian.reminders.models import Severity
from chuangxian.reminders.registry import Due, register


@register("orgs.term")
def term_reminders(today: dt.date) -> Iterator[Due]:
    horizon = today + dt.timedelta(days=TERM_ALERT_DAYS)
    expiring = Organization.objects.filter(term_ends_on__lte=horizon).select_related("parent")
    for org in expiring.iterator(chunk_size=2000):
        assert org.term_ends_on is not None
        link = reverse("orgs:organization", args=[org.pk])
        if org.term_ends_on >= today:
            yield Due(
                key=f"orgs.term:{org.pk}:{org.term_ends_on}:ahead",
                source="orgs.term",
                severity=Severity.AHEAD,
                text=f"{org.name}本届任期将于{org.term_ends_on:%Y-%m-%d}届满，请做好换届准备",
                link=link,
                due_on=org.term_ends_on,
                organization=org,
            )
        else:
            yield Due(
                key=f"orgs.term:{org.pk}:{org.term_ends_on}:overdue",
                source="orgs.term",
                severity=Severity.ESCALATED,
                text=f"{org.name}任期已于{org.term_ends_on:%Y-%m-%d}届满，尚未换届",
                link=link,
                due_on=org.term_ends_on,
                organization=org.parent or org,
            )

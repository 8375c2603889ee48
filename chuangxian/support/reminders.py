"""Deadlines of support-plan measures: a warning to the organization a week ahead, overdue to
the organization on the day after, and escalated to its superior (the organization above)
once a measure is two weeks late."""

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from chuangxian.reminders.models import Severity
from chuangxian.reminders.registry import Due, register
from chuangxian.support.models import Measure, PlanStatus

SOURCE = "support.measure"
DAYS_AHEAD = 7
DAYS_BEFORE_ESCALATION = 14


@register(SOURCE)
def measure_reminders(today: dt.date) -> Iterator[Due]:
    horizon = today + dt.timedelta(days=DAYS_AHEAD)
    measures = Measure.objects.filter(
        plan__status=PlanStatus.ACTIVE, done_on__isnull=True, due_on__lte=horizon
    ).select_related("plan__organization__parent")
    for measure in measures.iterator(chunk_size=2000):
        org = measure.plan.organization
        link = reverse("support:plan", args=[measure.plan_id])
        late = (today - measure.due_on).days
        if late <= 0:
            yield Due(
                key=f"{SOURCE}:{measure.pk}:{measure.due_on}:ahead",
                source=SOURCE,
                severity=Severity.AHEAD,
                text=f"{org.name}整改措施“{measure.text[:40]}”将于{measure.due_on:%Y-%m-%d}到期（责任人：{measure.owner}）",
                link=link,
                due_on=measure.due_on,
                organization=org,
            )
        elif late < DAYS_BEFORE_ESCALATION:
            yield Due(
                key=f"{SOURCE}:{measure.pk}:{measure.due_on}:overdue",
                source=SOURCE,
                severity=Severity.OVERDUE,
                text=f"{org.name}整改措施“{measure.text[:40]}”已逾期{late}天（责任人：{measure.owner}）",
                link=link,
                due_on=measure.due_on,
                organization=org,
            )
        else:
            yield Due(
                key=f"{SOURCE}:{measure.pk}:{measure.due_on}:escalated",
                source=SOURCE,
                severity=Severity.ESCALATED,
                text=f"{org.name}整改措施“{measure.text[:40]}”逾期{late}天仍未完成，请督促（责任人：{measure.owner}）",
                link=link,
                due_on=measure.due_on,
                organization=org.parent or org,
            )

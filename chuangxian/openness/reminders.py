"""Deadlines of openness, as reminders: ahead to the organization that must act, and after the
deadline up to its superior.

- opinions: one working day before the answer is due, to the organization; once overdue, to
  the organization and escalated to its parent;
- on-request disclosure: the same, the day before and after the due day;
- the disclosure catalogue: an item due within CATALOGUE_DAYS_AHEAD days is flagged to the
  organization; an overdue one is flagged as overdue."""

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from chuangxian.openness.models import (
    CatalogueItem,
    DisclosureRequest,
    Opinion,
    OpinionStatus,
    ReportStatus,
    RequestStatus,
    SituationReport,
)
from chuangxian.orgs.models import Organization
from chuangxian.reminders.models import Severity
from chuangxian.reminders.registry import Due, register
from chuangxian.workdays import add_working_days

OPINIONS = "openness.opinions"
REQUESTS = "openness.requests"
CATALOGUE = "openness.catalogue"
REPORTS = "openness.reports"
CATALOGUE_DAYS_AHEAD = 14


def _parents(orgs: list[Organization]) -> dict[int, Organization]:
    ids = {o.parent_id for o in orgs if o.parent_id is not None}
    return {p.pk: p for p in Organization.objects.filter(pk__in=ids)}


@register(OPINIONS)
def opinion_reminders(today: dt.date) -> Iterator[Due]:
    horizon = add_working_days(today, 1)
    waiting = list(
        Opinion.objects.filter(
            status__in=[OpinionStatus.OPEN, OpinionStatus.REOPENED], due_on__lte=horizon
        ).select_related("organization")
    )
    parents = _parents([o.organization for o in waiting])
    for opinion in waiting:
        org = opinion.organization
        link = reverse("openness:opinion", args=[opinion.pk])
        round_ = "r" if opinion.reopened_at else "f"
        if opinion.due_on >= today:
            yield Due(
                key=f"{OPINIONS}:{opinion.pk}:{round_}:ahead",
                source=OPINIONS,
                severity=Severity.AHEAD,
                text=f"群众意见建议#{opinion.pk}须在{opinion.due_on:%Y-%m-%d}前答复",
                link=link,
                due_on=opinion.due_on,
                organization=org,
            )
            continue
        yield Due(
            key=f"{OPINIONS}:{opinion.pk}:{round_}:overdue",
            source=OPINIONS,
            severity=Severity.OVERDUE,
            text=f"群众意见建议#{opinion.pk}已超过答复期限（{opinion.due_on:%Y-%m-%d}）",
            link=link,
            due_on=opinion.due_on,
            organization=org,
        )
        parent = parents.get(org.parent_id) if org.parent_id else None
        if parent is not None:
            yield Due(
                key=f"{OPINIONS}:{opinion.pk}:{round_}:escalated",
                source=OPINIONS,
                severity=Severity.ESCALATED,
                text=f"{org.name}未按期答复群众意见建议#{opinion.pk}（期限{opinion.due_on:%Y-%m-%d}）",
                link=link,
                due_on=opinion.due_on,
                organization=parent,
            )


@register(REQUESTS)
def request_reminders(today: dt.date) -> Iterator[Due]:
    horizon = add_working_days(today, 1)
    waiting = list(
        DisclosureRequest.objects.filter(
            status__in=[RequestStatus.OPEN, RequestStatus.EXTENDED], due_on__lte=horizon
        ).select_related("organization")
    )
    parents = _parents([r.organization for r in waiting])
    for request in waiting:
        org = request.organization
        link = reverse("openness:request", args=[request.pk])
        stage = request.status
        if request.due_on >= today:
            yield Due(
                key=f"{REQUESTS}:{request.pk}:{stage}:ahead",
                source=REQUESTS,
                severity=Severity.AHEAD,
                text=f"依申请公开#{request.pk}须在{request.due_on:%Y-%m-%d}前答复",
                link=link,
                due_on=request.due_on,
                organization=org,
            )
            continue
        parent = parents.get(org.parent_id) if org.parent_id else None
        yield Due(
            key=f"{REQUESTS}:{request.pk}:{stage}:escalated",
            source=REQUESTS,
            severity=Severity.ESCALATED if parent is not None else Severity.OVERDUE,
            text=f"{org.name}未按期答复依申请公开#{request.pk}（期限{request.due_on:%Y-%m-%d}）",
            link=link,
            due_on=request.due_on,
            organization=parent or org,
        )


@register(CATALOGUE)
def catalogue_reminders(today: dt.date) -> Iterator[Due]:
    horizon = today + dt.timedelta(days=CATALOGUE_DAYS_AHEAD)
    items = CatalogueItem.objects.filter(
        interval_months__gt=0, next_due_on__isnull=False, next_due_on__lte=horizon
    ).select_related("organization")
    for item in items:
        if item.next_due_on is None:  # excluded by the query; narrows the type
            continue
        overdue = item.next_due_on < today
        yield Due(
            key=f"{CATALOGUE}:{item.pk}:{item.next_due_on:%Y%m%d}",
            source=CATALOGUE,
            severity=Severity.OVERDUE if overdue else Severity.AHEAD,
            text=(
                f"党务公开“{item.get_kind_display()}”"
                + ("已逾期" if overdue else "即将到期")
                + f"（应于{item.next_due_on:%Y-%m-%d}前公开）"
            ),
            link=reverse("openness:catalogue", args=[item.organization_id]),
            due_on=item.next_due_on,
            organization=item.organization,
        )


@register(REPORTS)
def report_reminders(today: dt.date) -> Iterator[Due]:
    """A 情况反映 unanswered REPORT_REPLY_DAYS working days after it was sent: flagged to the
    organization it was sent to."""
    from chuangxian.openness.services.notices import REPORT_REPLY_DAYS

    waiting = SituationReport.objects.filter(status=ReportStatus.OPEN).select_related(
        "to_organization"
    )
    for report in waiting:
        due = add_working_days(report.sent_on, REPORT_REPLY_DAYS)
        if due >= today:
            continue
        yield Due(
            key=f"{REPORTS}:{report.pk}",
            source=REPORTS,
            severity=Severity.OVERDUE,
            text=f"情况反映“{report.subject}”已{REPORT_REPLY_DAYS}个工作日未回复",
            link=reverse("openness:report", args=[report.pk]),
            due_on=due,
            organization=report.to_organization,
        )

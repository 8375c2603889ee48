"""Periodic reports: drafting, submitting (the figures frozen), returning. Each transition
checks the state it starts from, is atomic and is audited."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orglife.periods import Period
from chuangxian.orgs.models import Organization
from chuangxian.reports.models import PeriodicReport, ReportStatus
from chuangxian.reports.periodic import report_lines

NARRATIVE_MAX = 4000


class ReportError(ValueError):
    """A refused transition; the message is Chinese."""


def _report(org: Organization, kind: str, period: Period) -> PeriodicReport:
    report, _created = PeriodicReport.objects.select_for_update().get_or_create(
        organization=org, kind=kind, period=period.code
    )
    return report


def _audit(
    actor: Actor, report: PeriodicReport, changes: dict[str, list[object]], reason: str = ""
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=report,
        object_type="periodicreport",
        object_label=f"{report.organization.name} {report.get_kind_display()} {report.period}",
        org_path=report.organization.path,
        changes=changes,
        reason=reason,
    )


@transaction.atomic
def report_save(
    *, actor: Actor, org: Organization, kind: str, period: Period, narrative: str
) -> PeriodicReport:
    """Keep the narrative of a report not yet submitted."""
    report = _report(org, kind, period)
    if report.status == ReportStatus.SUBMITTED:
        raise ReportError("报表已报送，不能再修改；如需修改请上级退回")
    text = narrative.strip()
    if len(text) > NARRATIVE_MAX:
        raise ReportError(f"情况说明不能超过 {NARRATIVE_MAX} 字")
    before = report.narrative
    report.narrative = text
    report.save(update_fields=["narrative", "updated_at"])
    if before != text:
        _audit(actor, report, {"情况说明": ["…" if before else "", "…"]})
    return report


@transaction.atomic
def report_submit(
    *,
    actor: Actor,
    org: Organization,
    kind: str,
    period: Period,
    narrative: str,
    today: dt.date,
) -> PeriodicReport:
    """Submit to the superior: the figures are generated now and frozen in the report."""
    report = report_save(actor=actor, org=org, kind=kind, period=period, narrative=narrative)
    if report.status == ReportStatus.SUBMITTED:
        raise ReportError("报表已报送")
    if period.months == 3 and today < period.end - dt.timedelta(days=1):
        raise ReportError("季度的最后一天起才能报送")
    before = report.status
    report.lines = [line.as_json() for line in report_lines(org, kind, period, today)]
    report.status = ReportStatus.SUBMITTED
    report.submitted_by = actor.user if actor.user is not None and actor.user.pk else None
    report.submitted_at = timezone.now()
    report.return_reason = ""
    report.save()
    _audit(actor, report, {"状态": [before, report.status], "数字": [None, len(report.lines)]})
    return report


@transaction.atomic
def report_return(*, actor: Actor, report: PeriodicReport, reason: str) -> PeriodicReport:
    """The superior sends a submitted report back for correction, saying why."""
    report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        raise ReportError("只能退回已报送的报表")
    text = reason.strip()
    if not text:
        raise ReportError("请填写退回理由")
    report.status = ReportStatus.RETURNED
    report.return_reason = text[:500]
    report.save(update_fields=["status", "return_reason", "updated_at"])
    _audit(actor, report, {"状态": [ReportStatus.SUBMITTED, report.status]}, reason=text)
    return report

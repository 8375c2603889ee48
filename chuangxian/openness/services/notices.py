"""情况通报 down the tree with read receipts, and 情况反映 up the tree tracked to a reply."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import (
    Notice,
    NoticeReceipt,
    ReportStatus,
    SituationReport,
)
from chuangxian.orgs.models import Member, Organization

# Working days a superior has before an unanswered report is flagged to it.
REPORT_REPLY_DAYS = 5


@transaction.atomic
def notice_send(
    *,
    actor: Actor,
    organization: Organization,
    title: str,
    body: str,
    recipients: Sequence[Organization],
) -> Notice:
    """A notice to organizations below the sender, one receipt each."""
    errors = {}
    if not title.strip():
        errors["title"] = "请填写标题"
    if not body.strip():
        errors["body"] = "请填写通报内容"
    if not recipients:
        errors["recipients"] = "请选择接收通报的下级组织"
    if errors:
        raise OpennessError(errors)
    below = [
        org for org in recipients if org.path.startswith(organization.path) and org != organization
    ]
    if len(below) != len(recipients):
        raise OpennessError({"recipients": "只能向本组织的下级组织通报"})
    notice = Notice.objects.create(
        organization=organization, title=title.strip(), body=body.strip(), created_by=actor.user
    )
    NoticeReceipt.objects.bulk_create(
        [
            NoticeReceipt(notice=notice, organization=org)
            for org in {o.pk: o for o in below}.values()
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=notice,
        object_label=f"情况通报：{notice.title}",
        org_path=organization.path,
        changes={"recipients": [None, sorted(org.code for org in below)]},
    )
    return notice


@transaction.atomic
def notice_mark_read(*, actor: Actor, receipt: NoticeReceipt) -> NoticeReceipt:
    """已阅: the receiving organization confirms; a second confirmation changes nothing."""
    locked = (
        NoticeReceipt.objects.select_for_update()
        .select_related("organization", "notice")
        .get(pk=receipt.pk)
    )
    if locked.read_at is not None:
        return locked
    locked.read_at = timezone.now()
    locked.read_by = actor.user
    locked.save(update_fields=["read_at", "read_by"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        object_label=f"情况通报已阅：{locked.notice.title}",
        org_path=locked.organization.path,
        changes={"read": [False, True]},
    )
    return locked


@transaction.atomic
def report_send(
    *,
    actor: Actor,
    subject: str,
    body: str,
    today: dt.date,
    organization: Organization | None = None,
    member: Member | None = None,
) -> SituationReport:
    """情况反映: by an organization to its parent, or by a member to their organization."""
    errors = {}
    if not subject.strip():
        errors["subject"] = "请填写事由"
    if not body.strip():
        errors["body"] = "请填写反映内容"
    if errors:
        raise OpennessError(errors)
    if member is not None:
        source, target = member.organization, member.organization
    elif organization is not None:
        source = organization
        target = organization.parent  # type: ignore[assignment]
        if target is None:
            raise OpennessError("最上级组织没有可以反映情况的上级")
    else:
        raise OpennessError("请选择以哪个组织的名义反映")
    report = SituationReport.objects.create(
        from_organization=source,
        from_member=member,
        to_organization=target,
        subject=subject.strip(),
        body=body.strip(),
        sent_on=today,
        created_by=actor.user,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=report,
        object_label=f"情况反映：{report.subject}",
        org_path=target.path,
        changes={"to": [None, target.name], "by_member": [None, member is not None]},
    )
    return report


@transaction.atomic
def report_reply(
    *, actor: Actor, report: SituationReport, reply: str, today: dt.date
) -> SituationReport:
    reply = reply.strip()
    if not reply:
        raise OpennessError({"reply": "请填写回复内容"})
    locked = (
        SituationReport.objects.select_for_update()
        .select_related("to_organization")
        .get(pk=report.pk)
    )
    if locked.status != ReportStatus.OPEN:
        raise OpennessError("该情况反映已回复")
    locked.status = ReportStatus.REPLIED
    locked.reply = reply[:3000]
    locked.replied_on = today
    locked.replied_by = actor.user
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=locked,
        object_label=f"情况反映已回复：{locked.subject}",
        org_path=locked.to_organization.path,
        changes={"status": [ReportStatus.OPEN, ReportStatus.REPLIED]},
    )
    return locked

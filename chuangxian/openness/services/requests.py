"""依申请公开: a member asks their organization; the answer is due in REQUEST_DAYS working days,
extendable once, with a reason, to EXTENDED_DAYS working days from the request."""

import datetime as dt

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import DisclosureRequest, RequestStatus
from chuangxian.orgs.models import Organization
from chuangxian.workdays import add_working_days

REQUEST_DAYS = 3
EXTENDED_DAYS = 10


def _audit(
    actor: Actor, request: DisclosureRequest, label: str, before: str, reason: str = ""
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION if before else AuditAction.CREATE,
        obj=request,
        object_label=f"依申请公开#{request.pk}（{label}）",
        org_path=request.organization.path,
        changes={"status": [before or None, request.status], "due_on": [None, str(request.due_on)]},
        reason=reason,
    )


@transaction.atomic
def request_create(
    *, actor: Actor, organization: Organization, subject: str, today: dt.date
) -> DisclosureRequest:
    """The member's request, to their own organization, due in REQUEST_DAYS working days."""
    subject = subject.strip()
    if len(subject) < 5:
        raise OpennessError({"subject": "请写明希望公开的内容（至少5个字）"})
    if len(subject) > 1000:
        raise OpennessError({"subject": "申请内容不能超过1000字"})
    if actor.user is None:
        raise OpennessError("请先登录")
    request = DisclosureRequest.objects.create(
        organization=organization,
        requester=actor.user,
        subject=subject,
        asked_on=today,
        due_on=add_working_days(today, REQUEST_DAYS),
    )
    _audit(actor, request, "申请", "")
    return request


def _locked(request: DisclosureRequest) -> DisclosureRequest:
    return (
        DisclosureRequest.objects.select_for_update()
        .select_related("organization")
        .get(pk=request.pk)
    )


@transaction.atomic
def request_extend(*, actor: Actor, request: DisclosureRequest, reason: str) -> DisclosureRequest:
    """延期: once, with a reason, to EXTENDED_DAYS working days after the request."""
    reason = reason.strip()
    if not reason:
        raise OpennessError({"reason": "延期须说明理由"})
    locked = _locked(request)
    if locked.status != RequestStatus.OPEN:
        raise OpennessError(
            f"该申请当前为“{locked.get_status_display()}”，不能延期（只能延期一次）"
        )
    before = locked.status
    locked.status = RequestStatus.EXTENDED
    locked.extension_reason = reason[:500]
    locked.due_on = add_working_days(locked.asked_on, EXTENDED_DAYS)
    locked.save()
    _audit(actor, locked, "延期", before, reason)
    return locked


@transaction.atomic
def request_answer(
    *, actor: Actor, request: DisclosureRequest, answer: str, today: dt.date
) -> DisclosureRequest:
    answer = answer.strip()
    if not answer:
        raise OpennessError({"answer": "请填写答复内容"})
    locked = _locked(request)
    if locked.status not in (RequestStatus.OPEN, RequestStatus.EXTENDED):
        raise OpennessError("该申请已答复")
    before = locked.status
    locked.status = RequestStatus.ANSWERED
    locked.answer = answer[:3000]
    locked.answered_on = today
    locked.answered_by = actor.user
    locked.save()
    _audit(actor, locked, "答复", before)
    return locked

"""Writes on members in hardship (困难党员) and care visits (慰问). The hardship's details are
sensitive: the audit trail records that they were set or changed, never their text."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record, diff_fields
from chuangxian.orgs.models import Member, MemberStatus
from chuangxian.support.errors import SupportError
from chuangxian.support.models import CareVisit, Hardship, HardshipKind


@transaction.atomic
def hardship_record(
    *, actor: Actor, member: Member, kind: str, details: str, recorded_on: dt.date, today: dt.date
) -> Hardship:
    """Record a member in hardship. One open record per member."""
    errors: dict[str, str] = {}
    details = details.strip()
    if member.status != MemberStatus.ACTIVE:
        errors["member"] = "该党员不在册"
    if kind not in HardshipKind.values:
        errors["kind"] = "请选择困难类型"
    if not details:
        errors["details"] = "请填写困难情况"
    elif len(details) > 2000:
        errors["details"] = "困难情况不能超过2000字"
    if recorded_on > today:
        errors["recorded_on"] = "登记日期不能晚于今天"
    if errors:
        raise SupportError(errors)
    hardship = Hardship(member=member, kind=kind, details=details, recorded_on=recorded_on)
    try:
        with transaction.atomic():
            hardship.save()
    except IntegrityError:
        raise SupportError("该党员已登记为困难党员") from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=hardship,
        org_path=member.organization.path,
        changes=diff_fields({}, {"kind": kind, "details": details}, masked=["details"]),
    )
    return hardship


@transaction.atomic
def hardship_end(
    *, actor: Actor, hardship: Hardship, ended_on: dt.date, today: dt.date
) -> Hardship:
    """The hardship is over (脱困): the record stays, closed."""
    locked = (
        Hardship.objects.select_for_update()
        .select_related("member__organization")
        .get(pk=hardship.pk)
    )
    if locked.ended_on is not None:
        raise SupportError("该记录已解除")
    if ended_on > today or ended_on < locked.recorded_on:
        raise SupportError({"ended_on": "解除日期应在登记日期和今天之间"})
    locked.ended_on = ended_on
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        org_path=locked.member.organization.path,
        changes={"ended_on": [None, str(ended_on)]},
    )
    return locked


@transaction.atomic
def care_visit_record(
    *,
    actor: Actor,
    hardship: Hardship,
    visited_on: dt.date,
    visitors: str,
    given: str,
    amount: Decimal,
    today: dt.date,
) -> CareVisit:
    """A care visit (慰问) and what was given."""
    errors: dict[str, str] = {}
    visitors, given = visitors.strip(), given.strip()
    if not visitors:
        errors["visitors"] = "请填写慰问人员"
    if not given:
        errors["given"] = "请填写慰问内容（如：慰问金、米、油）"
    if amount < 0:
        errors["amount"] = "慰问金不能为负数"
    if visited_on > today or visited_on < hardship.recorded_on:
        errors["visited_on"] = "慰问日期应在登记日期和今天之间"
    if errors:
        raise SupportError(errors)
    visit = CareVisit.objects.create(
        hardship=hardship,
        visited_on=visited_on,
        visitors=visitors[:200],
        given=given[:300],
        amount=amount,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=visit,
        org_path=hardship.member.organization.path,
        changes={"given": [None, visit.given], "amount": [None, str(amount)]},
    )
    return visit

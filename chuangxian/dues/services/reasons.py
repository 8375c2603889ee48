"""Recording a good reason (正当理由) for not paying dues or not attending organizational life."""

import datetime as dt

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.dues.errors import DuesError
from chuangxian.dues.models import GoodReason, ReasonScope
from chuangxian.orgs.models import Member


@transaction.atomic
def good_reason_record(
    *,
    actor: Actor,
    member: Member,
    applies_to: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    text: str,
    today: dt.date,
) -> GoodReason:
    """Record the reason and its dates; the months it touches stop counting towards the
    党章第九条 six months. Audited with the text."""
    errors: dict[str, str] = {}
    if applies_to not in ReasonScope.values:
        errors["applies_to"] = "请选择适用范围"
    if starts_on > today:
        errors["starts_on"] = "开始日期不能晚于今天（理由须为已发生的情况）"
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "结束日期早于开始日期"
    if len(text.strip()) < 4:
        errors["text"] = "请具体写明理由（如外出务工地点、病情及证明）"
    if errors:
        raise DuesError(errors)
    reason = GoodReason(
        member=member,
        applies_to=applies_to,
        starts_on=starts_on,
        ends_on=ends_on,
        text=text.strip()[:300],
        recorded_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    reason.full_clean()
    reason.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=reason,
        object_label=f"{member.name} 正当理由",
        org_path=member.organization.path,
        changes={
            "applies_to": [None, reason.get_applies_to_display()],
            "starts_on": [None, starts_on.isoformat()],
            "ends_on": [None, ends_on.isoformat() if ends_on else "至今"],
        },
        reason=reason.text,
    )
    return reason


@transaction.atomic
def good_reason_end(
    *, actor: Actor, reason: GoodReason, ends_on: dt.date, note: str, today: dt.date
) -> GoodReason:
    """Close an open-ended (or correct a dated) reason: from the month after `ends_on` the
    member's months count towards the 党章第九条 six months again. The reason itself is kept;
    the change is audited with the note saying why."""
    errors: dict[str, str] = {}
    if ends_on < reason.starts_on:
        errors["ends_on"] = "结束日期早于开始日期"
    if ends_on > today:
        errors["ends_on"] = "结束日期不能晚于今天"
    if len(note.strip()) < 2:
        errors["note"] = "请写明结束的原因（如已返乡、已康复）"
    if errors:
        raise DuesError(errors)
    before = reason.ends_on
    reason.ends_on = ends_on
    reason.full_clean()
    reason.save(update_fields=["ends_on"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=reason,
        object_label=f"{reason.member.name} 正当理由",
        org_path=reason.member.organization.path,
        changes={"ends_on": [before.isoformat() if before else "至今", ends_on.isoformat()]},
        reason=note.strip()[:500],
    )
    return reason

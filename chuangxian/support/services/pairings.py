"""Writes on paired organizations (结对共建), leaders' contact points (领导联点) and the
activities done together."""

import datetime as dt

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs.models import Organization
from chuangxian.support.errors import SupportError
from chuangxian.support.models import JointActivity, Pairing, PairingKind


@transaction.atomic
def pairing_create(
    *,
    actor: Actor,
    kind: str,
    first: Organization,
    second: Organization,
    leader: str,
    purpose: str,
    started_on: dt.date,
) -> Pairing:
    """A pairing between two organizations; a contact point needs the leader's name."""
    errors: dict[str, str] = {}
    leader, purpose = leader.strip(), purpose.strip()
    if kind not in PairingKind.values:
        errors["kind"] = "请选择类型"
    if first.pk == second.pk:
        errors["second"] = "结对双方不能是同一个党组织"
    if kind == PairingKind.CONTACT and not leader:
        errors["leader"] = "领导联点请填写联点领导"
    if not purpose:
        errors["purpose"] = "请填写共建内容"
    if errors:
        raise SupportError(errors)
    if Pairing.objects.filter(
        kind=kind, first=first, second=second, ended_on__isnull=True
    ).exists():
        raise SupportError("这两个党组织已有同类结对")
    pairing = Pairing.objects.create(
        kind=kind,
        first=first,
        second=second,
        leader=leader[:50],
        purpose=purpose[:300],
        started_on=started_on,
    )
    for org in (first, second):
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=pairing,
            org_path=org.path,
            changes={"kind": [None, kind], "pair": [None, str(pairing)]},
        )
    return pairing


@transaction.atomic
def joint_activity_record(
    *, actor: Actor, pairing: Pairing, held_on: dt.date, title: str, result: str, today: dt.date
) -> JointActivity:
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = "请填写活动内容"
    if held_on > today:
        errors["held_on"] = "活动日期不能晚于今天"
    elif held_on < pairing.started_on:
        errors["held_on"] = "活动日期不能早于结对开始日期"
    if errors:
        raise SupportError(errors)
    activity = JointActivity.objects.create(
        pairing=pairing, held_on=held_on, title=title[:200], result=result.strip()[:500]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=activity,
        org_path=pairing.first.path,
        changes={"title": [None, activity.title], "pair": [None, str(pairing)]},
    )
    return activity

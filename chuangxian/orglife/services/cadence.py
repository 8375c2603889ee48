"""Writes on cadence rules and exemptions (administrators, for their subtree)."""

import datetime as dt

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orglife.cadence import RuleBook
from chuangxian.orglife.errors import OrglifeError
from chuangxian.orglife.models import CadenceRule, Exemption, Frequency, MeetingType, OrgClass
from chuangxian.orgs.models import Organization


@transaction.atomic
def cadence_rule_set(
    *,
    actor: Actor,
    organization: Organization,
    org_class: str,
    meeting_type: str,
    frequency: str,
    min_full_members: int = 0,
) -> CadenceRule | None:
    """Set the rule for `organization`'s subtree. Setting it back to what applies from above
    removes the row, so the subtree follows later changes made higher up again."""
    errors: dict[str, str] = {}
    if org_class not in OrgClass.values:
        errors["org_class"] = "适用组织无效"
    if meeting_type not in MeetingType.values:
        errors["meeting_type"] = "会议类型无效"
    if frequency not in Frequency.values:
        errors["frequency"] = "频次无效"
    if not 0 <= min_full_members <= 999:
        errors["min_full_members"] = "最少正式党员数应在0到999之间"
    if errors:
        raise OrglifeError(errors)
    existing = CadenceRule.objects.filter(
        organization=organization, org_class=org_class, meeting_type=meeting_type
    ).first()
    above = RuleBook(
        CadenceRule.objects.filter(organization_id__in=organization.ancestor_ids)
    ).all_rules_for(org_class, organization.path)
    inherited = next(r for r in above if r.meeting_type == meeting_type)
    before = (
        [existing.frequency, existing.min_full_members]
        if existing
        else [inherited.frequency, inherited.min_full_members]
    )
    after = [frequency, min_full_members]
    if before == after:
        return existing
    same_as_above = (inherited.frequency, inherited.min_full_members) == (
        frequency,
        min_full_members,
    )
    if same_as_above and existing is not None:
        existing.delete()
        rule = None
    else:
        rule, _created = CadenceRule.objects.update_or_create(
            organization=organization,
            org_class=org_class,
            meeting_type=meeting_type,
            defaults={
                "frequency": frequency,
                "min_full_members": min_full_members,
                "updated_by": actor.user if actor.user is not None and actor.user.pk else None,
            },
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="cadencerule",
        object_id=f"{organization.pk}:{org_class}:{meeting_type}",
        object_label=f"{organization.name} {MeetingType(meeting_type).label} 频次",
        org_path=organization.path,
        changes={"rule": [before, after]},
    )
    return rule


@transaction.atomic
def cadence_rules_set(
    *, actor: Actor, organization: Organization, rules: list[tuple[str, str, str, int]]
) -> int:
    """Set several rules (org class, meeting type, frequency, minimum full members) at once:
    all or none. Returns how many changed."""
    changed = 0
    for org_class, meeting_type, frequency, minimum in rules:
        before = (
            CadenceRule.objects.filter(
                organization=organization, org_class=org_class, meeting_type=meeting_type
            )
            .values_list("frequency", "min_full_members")
            .first()
        )
        cadence_rule_set(
            actor=actor,
            organization=organization,
            org_class=org_class,
            meeting_type=meeting_type,
            frequency=frequency,
            min_full_members=minimum,
        )
        after = (
            CadenceRule.objects.filter(
                organization=organization, org_class=org_class, meeting_type=meeting_type
            )
            .values_list("frequency", "min_full_members")
            .first()
        )
        changed += before != after
    return changed


@transaction.atomic
def exemption_create(
    *,
    actor: Actor,
    organization: Organization,
    meeting_type: str,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str,
) -> Exemption:
    """Record that `organization` need not meet the rule(s) between the dates, and why."""
    errors: dict[str, str] = {}
    if meeting_type and meeting_type not in MeetingType.values:
        errors["meeting_type"] = "会议类型无效"
    if ends_on < starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期"
    elif (ends_on - starts_on).days > 366 * 2:
        errors["ends_on"] = "免于考核的期限最长两年"
    if not reason.strip():
        errors["reason"] = "请填写免于考核的原因"
    if errors:
        raise OrglifeError(errors)
    exemption = Exemption.objects.create(
        organization=organization,
        meeting_type=meeting_type,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip()[:300],
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=exemption,
        org_path=organization.path,
        changes={
            "meeting_type": [None, meeting_type or "全部"],
            "period": [None, f"{starts_on}–{ends_on}"],
        },
        reason=exemption.reason,
    )
    return exemption


@transaction.atomic
def exemption_delete(*, actor: Actor, exemption: Exemption) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=exemption,
        org_path=exemption.organization.path,
        reason=exemption.reason,
    )
    exemption.delete()

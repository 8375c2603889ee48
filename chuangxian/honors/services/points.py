"""Writes on points: the rule catalogue, accrual runs, manual claims with evidence and
approval, reversals and ranking settings. The ledger is append-only: every change to a
member's points is a new PointEntry (a correction reverses an old one)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record, diff_fields
from chuangxian.honors import ledger
from chuangxian.honors.catalogue import DEFAULT_RULES, effective_rules, rule_from_spec
from chuangxian.honors.errors import HonorsError
from chuangxian.honors.models import (
    Approver,
    ClaimStatus,
    PointClaim,
    PointEntry,
    PointRule,
    PointSource,
    PointsSetting,
)
from chuangxian.orgs.models import Member, Organization
from chuangxian.uploads.safety import CleanFile


@dataclass(frozen=True)
class RuleValues:
    code: str
    name: str
    source: str
    points: Decimal
    bucket: str
    cap: Decimal | None = None
    cap_period: str = "year"
    evidence_required: bool = False
    approver: str = Approver.NONE
    superior_threshold: Decimal | None = None
    veto: bool = False
    active: bool = True


def _check_rule(values: RuleValues) -> None:
    errors: dict[str, str] = {}
    if not values.name.strip():
        errors["name"] = "请填写积分项目名称"
    if values.points < 0:
        errors["points"] = "分值填正数；扣分项目请选择“扣分”分类"
    if values.cap is not None and values.cap < values.points:
        errors["cap"] = "封顶分值不能小于单项分值"
    if values.source == PointSource.MANUAL and values.approver == Approver.NONE:
        errors["approver"] = "申报项目须指定审核方式"
    if values.source != PointSource.MANUAL and values.approver != Approver.NONE:
        errors["approver"] = "自动计分项目无需审核"
    if errors:
        raise HonorsError(errors)


def rule_save(*, actor: Actor, organization: Organization, values: RuleValues) -> PointRule:
    """Create or change `organization`'s own rule of this code; below it, it overrides the
    rule of the same code set higher up. Changes apply at the next accrual."""
    _check_rule(values)
    with transaction.atomic():
        rule = (
            PointRule.objects.select_for_update()
            .filter(organization=organization, code=values.code)
            .first()
        )
        before = {} if rule is None else {
            f: getattr(rule, f) for f in ("name", "points", "cap", "bucket", "veto", "active")
        }  # fmt: skip
        if rule is None:
            rule = PointRule(organization=organization, code=values.code)
        for field, value in values.__dict__.items():
            if field != "code":
                setattr(rule, field, value)
        rule.name = values.name.strip()[:100]
        rule.full_clean()
        rule.save()
        after = {f: getattr(rule, f) for f in ("name", "points", "cap", "bucket", "veto", "active")}
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            obj=rule,
            org_path=organization.path,
            changes=diff_fields(before, after),
        )
    return rule


def rules_seed_defaults(*, actor: Actor, organization: Organization) -> int:
    """Give `organization` the default catalogue where no rule of that code applies yet."""
    in_force = effective_rules(organization)
    with transaction.atomic():
        created = [
            rule_from_spec(organization, spec)
            for spec in DEFAULT_RULES
            if spec.code not in in_force
        ]
        PointRule.objects.bulk_create(created)
        if created:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="pointrule",
                object_label=f"默认积分项目 {len(created)} 项",
                org_path=organization.path,
            )
    return len(created)


def points_accrue(*, actor: Actor, root: Organization, year: int) -> ledger.AccrualResult:
    """Accrue `year` for `root`'s subtree from the records (see ledger.accrue); audited when
    it changed anything."""
    result = ledger.accrue(root, year)
    if result.posted or result.reversed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="pointentry",
            object_label=f"{year}年积分自动计算",
            org_path=root.path,
            changes={"posted": [0, result.posted], "reversed": [0, result.reversed]},
        )
    return result


def claim_submit(
    *,
    actor: Actor,
    member: Member,
    rule: PointRule,
    occurred_on: dt.date,
    description: str,
    points: Decimal,
    evidence: CleanFile | None,
    today: dt.date,
) -> PointClaim:
    """A manual item for a member, waiting for the branch. Refused when the rule is not a
    manual one in force for the member, evidence is missing where required, or the points
    exceed the rule's value."""
    in_force = effective_rules(member.organization).get(rule.code)
    if in_force is None or in_force.pk != rule.pk or not rule.active:
        raise HonorsError({"rule": "该积分项目不适用于此党员"})
    if rule.source != PointSource.MANUAL:
        raise HonorsError({"rule": "该项目由系统根据记录自动计分，无需申报"})
    if not description.strip():
        raise HonorsError({"description": "请填写事项说明"})
    if occurred_on > today:
        raise HonorsError({"occurred_on": "发生日期不能晚于今天"})
    if points < 0 or (points > rule.points and not rule.veto):
        raise HonorsError({"points": f"分值应在0到{rule.points}之间"})
    if rule.evidence_required and evidence is None:
        raise HonorsError({"evidence": "该项目须上传佐证材料"})
    with transaction.atomic():
        claim = PointClaim(
            member=member,
            organization=member.organization,
            rule=rule,
            occurred_on=occurred_on,
            description=description.strip()[:300],
            points=points,
            submitted_by=actor.display[:150],
        )
        if evidence is not None:
            claim.evidence_name = evidence.name[:200]
            claim.evidence.save(evidence.name, ContentFile(evidence.content), save=False)
        claim.save()
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=claim, org_path=member.organization.path
        )
    return claim


def _post_claim(claim: PointClaim, actor: Actor) -> PointEntry:
    rule = claim.rule
    return PointEntry.objects.create(
        member=claim.member,
        organization=claim.organization,
        year=claim.occurred_on.year,
        rule=rule,
        bucket=rule.bucket,
        veto=rule.veto,
        record_key=f"manual:{claim.pk}",
        points=ledger.signed(rule, claim.points),
        detail=f"{claim.occurred_on:%Y-%m-%d} {claim.description}"[:300],
        actor_label=actor.display[:150],
    )


def claim_decide(*, actor: Actor, claim: PointClaim, approve: bool, reason: str = "") -> PointClaim:
    """Branch step, then (above the rule's threshold, or for rules approved by the superior)
    the superior's step; the final approval posts the ledger entry in the same transaction."""
    if not approve and not reason.strip():
        raise HonorsError({"reason": "请填写不通过的理由"})
    with transaction.atomic():
        locked = (
            PointClaim.objects.select_for_update(of=("self",))
            .select_related("rule", "member", "organization")
            .get(pk=claim.pk)
        )
        before = locked.status
        if before not in (ClaimStatus.SUBMITTED, ClaimStatus.BRANCH_APPROVED):
            raise HonorsError("该申报已处理")
        if not approve:
            locked.status = ClaimStatus.REJECTED
        elif before == ClaimStatus.SUBMITTED and locked.needs_superior:
            locked.status = ClaimStatus.BRANCH_APPROVED
        else:
            locked.status = ClaimStatus.APPROVED
            _post_claim(locked, actor)
        locked.decided_reason = reason.strip()[:300]
        locked.save(update_fields=["status", "decided_reason"])
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=locked,
            org_path=locked.organization.path,
            changes={"status": [before, locked.status]},
            reason=reason.strip()[:500],
        )
    return locked


def entry_reverse(*, actor: Actor, entry: PointEntry, reason: str) -> PointEntry:
    """Cancel an entry by appending its reversal (nothing is updated or deleted)."""
    if not reason.strip():
        raise HonorsError({"reason": "请填写冲销理由"})
    with transaction.atomic():
        locked = (
            PointEntry.objects.select_for_update().select_related("organization").get(pk=entry.pk)
        )
        if locked.reverses_id is not None:
            raise HonorsError("冲销记录本身不能再冲销")
        if PointEntry.objects.filter(reverses=locked).exists():
            raise HonorsError("该记录已被冲销")
        reversal = ledger.reversal_of(
            locked, year=locked.year, actor_label=actor.display, reason=reason.strip()
        )
        reversal.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=reversal,
            org_path=locked.organization.path,
            reason=reason.strip()[:500],
        )
    return reversal


def setting_update(
    *, actor: Actor, organization: Organization, rankings_enabled: bool, published: bool
) -> PointsSetting:
    """Rankings on or off for the organization; a list is published only while enabled."""
    with transaction.atomic():
        setting, _ = PointsSetting.objects.select_for_update().get_or_create(
            organization=organization
        )
        before = (setting.rankings_enabled, setting.rankings_published)
        setting.rankings_enabled = rankings_enabled
        setting.rankings_published = published and rankings_enabled
        setting.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=setting,
            object_label=f"{organization.name} 积分排名设置",
            org_path=organization.path,
            changes={
                "rankings_enabled": [before[0], setting.rankings_enabled],
                "rankings_published": [before[1], setting.rankings_published],
            },
        )
    return setting

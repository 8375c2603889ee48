"""Writes on awards: batch set-up, nomination, review up the tree, the 纪检 step, shortlist,
公示 and objections, approval and award records.

A nomination's way: REVIEWING (each level above the nominating organization approves in turn,
up to the organizer) → DISCIPLINE (the organizer records the 纪检 opinion) → REVIEWED →
SHORTLISTED (within quotas) → AWARDED, or RETURNED (the nominating organization may resubmit)
or REJECTED. Every transition checks its source state, records a ReviewStep for the timeline
and an audit event, and refuses anything else with a Chinese message. Who may call each
service is decided by chuangxian.honors.access; the services guard states and dates."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.honors import records
from chuangxian.honors.errors import HonorsError
from chuangxian.honors.models import (
    MEMBER_RULES,
    ORGANIZATION_RULES,
    AwardBatch,
    AwardCategory,
    AwardRecord,
    BatchStatus,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionOutcome,
    Quota,
    ReviewAction,
    ReviewStep,
    SubjectKind,
)
from chuangxian.orgs.models import Member, MemberStatus, Organization
from chuangxian.workdays import add_working_days

STORY_MAX = 1000
OBJECTION_MAX = 500
OBJECTIONS_PER_HOUR = 5  # from one address
OBJECTIONS_PER_DEVICE = 3  # per nomination
ACTIVE_STATUSES = [
    NominationStatus.REVIEWING,
    NominationStatus.RETURNED,
    NominationStatus.DISCIPLINE,
    NominationStatus.REVIEWED,
    NominationStatus.SHORTLISTED,
    NominationStatus.AWARDED,
]


def _locked_batch(batch: AwardBatch) -> AwardBatch:
    return AwardBatch.objects.select_for_update().select_related("organization").get(pk=batch.pk)


def _locked(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("batch__organization", "category", "organization", "reviewer")
        .get(pk=nomination.pk)
    )


# ---------------------------------------------------------------- batches


@dataclass(frozen=True)
class BatchValues:
    name: str
    year: int
    nomination_opens: dt.date
    nomination_closes: dt.date
    notice_days: int = 5


def batch_create(*, actor: Actor, organization: Organization, values: BatchValues) -> AwardBatch:
    """A batch in NOMINATING, organized by `organization` for its subtree."""
    errors: dict[str, str] = {}
    if not values.name.strip():
        errors["name"] = "请填写表彰名称"
    if values.nomination_closes < values.nomination_opens:
        errors["nomination_closes"] = "推荐截止日期不能早于开始日期"
    if not 1 <= values.notice_days <= 30:
        errors["notice_days"] = "公示期应为1到30个工作日"
    if errors:
        raise HonorsError(errors)
    with transaction.atomic():
        batch = AwardBatch.objects.create(
            organization=organization,
            name=values.name.strip()[:100],
            year=values.year,
            nomination_opens=values.nomination_opens,
            nomination_closes=values.nomination_closes,
            notice_days=values.notice_days,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, obj=batch, org_path=organization.path)
    return batch


def category_add(
    *,
    actor: Actor,
    batch: AwardBatch,
    name: str,
    subject_kind: str,
    rules: list[str],
    material_reward: str = "",
) -> AwardCategory:
    """A category of a batch still taking nominations; its rules fit its subject kind."""
    allowed = MEMBER_RULES if subject_kind == SubjectKind.MEMBER else ORGANIZATION_RULES
    if subject_kind not in SubjectKind.values:
        raise HonorsError({"subject_kind": "请选择表彰对象（党员或党组织）"})
    if not name.strip():
        raise HonorsError({"name": "请填写奖项名称"})
    if any(rule not in allowed for rule in rules):
        raise HonorsError({"rules": "所选资格条件不适用于该表彰对象"})
    with transaction.atomic():
        locked = _locked_batch(batch)
        if locked.status != BatchStatus.NOMINATING:
            raise HonorsError("推荐阶段结束后不能再增加奖项")
        if locked.categories.filter(name=name.strip()).exists():
            raise HonorsError({"name": "该表彰已有同名奖项"})
        category = AwardCategory.objects.create(
            batch=locked,
            name=name.strip()[:60],
            subject_kind=subject_kind,
            rules=list(rules),
            material_reward=material_reward.strip()[:200],
            position=locked.categories.count(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=category,
            org_path=locked.organization.path,
            changes={"batch": [None, locked.name], "rules": [None, ",".join(rules)]},
        )
    return category


def quota_set(
    *, actor: Actor, category: AwardCategory, organization: Organization, count: int
) -> Quota:
    """The number of awards of the category for `organization`'s subtree (inside the batch's
    subtree); setting it again replaces the number."""
    if count < 0 or count > 999:
        raise HonorsError({"count": "名额应为0到999"})
    with transaction.atomic():
        batch = _locked_batch(category.batch)
        if batch.status not in (BatchStatus.NOMINATING, BatchStatus.REVIEWING):
            raise HonorsError("公示开始后不能再调整名额")
        if not organization.path.startswith(batch.organization.path):
            raise HonorsError({"organization": "名额只能分配给本表彰范围内的党组织"})
        quota, created = Quota.objects.update_or_create(
            category=category, organization=organization, defaults={"count": count}
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=quota,
            org_path=batch.organization.path,
            changes={"organization": [None, organization.name], "count": [None, count]},
        )
    return quota


def _batch_transition(
    *, actor: Actor, batch: AwardBatch, source: str, target: str, label: str, **fields: object
) -> AwardBatch:
    with transaction.atomic():
        locked = _locked_batch(batch)
        if locked.status != source:
            raise HonorsError(f"“{locked.name}”现在是“{locked.get_status_display()}”，不能{label}")
        locked.status = target
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=locked,
            org_path=locked.organization.path,
            changes={"status": [source, target]},
            reason=label,
        )
    return locked


def batch_close_nominations(*, actor: Actor, batch: AwardBatch) -> AwardBatch:
    return _batch_transition(
        actor=actor,
        batch=batch,
        source=BatchStatus.NOMINATING,
        target=BatchStatus.REVIEWING,
        label="结束推荐",
    )


def notice_end(start: dt.date, days: int) -> dt.date:
    """The last day of a 公示 starting on `start` (a working day counts as day one)."""
    return add_working_days(start - dt.timedelta(days=1), days)


def batch_start_notice(*, actor: Actor, batch: AwardBatch, today: dt.date) -> AwardBatch:
    """Publish the shortlist for `notice_days` working days from the next working day."""
    if not batch.nominations.filter(status=NominationStatus.SHORTLISTED).exists():
        raise HonorsError("拟表彰名单为空，不能开始公示")
    if batch.nominations.filter(
        status__in=[NominationStatus.REVIEWING, NominationStatus.DISCIPLINE]
    ).exists():
        raise HonorsError("还有推荐未审核完毕（含纪检意见），不能开始公示")
    starts = add_working_days(today, 1)
    return _batch_transition(
        actor=actor,
        batch=batch,
        source=BatchStatus.REVIEWING,
        target=BatchStatus.NOTICE,
        label="开始公示",
        notice_starts=starts,
        notice_ends=notice_end(starts, batch.notice_days),
    )


def batch_approve(*, actor: Actor, batch: AwardBatch, today: dt.date) -> AwardBatch:
    """After the 公示 ended and every objection was handled: each shortlisted nomination
    becomes an award record (a nomination with an upheld objection is dropped), atomically."""
    with transaction.atomic():
        locked = _locked_batch(batch)
        if locked.status != BatchStatus.NOTICE:
            raise HonorsError("只有公示中的表彰才能批准")
        if locked.notice_ends is None or today <= locked.notice_ends:
            raise HonorsError(f"公示期到 {locked.notice_ends:%Y-%m-%d} 结束，结束后才能批准")
        if Objection.objects.filter(
            nomination__batch=locked, outcome=ObjectionOutcome.PENDING
        ).exists():
            raise HonorsError("还有未处理的异议，处理后才能批准")
        shortlisted = list(
            locked.nominations.filter(status=NominationStatus.SHORTLISTED).select_related(
                "category", "organization"
            )
        )
        upheld = set(
            Objection.objects.filter(
                nomination__batch=locked, outcome=ObjectionOutcome.UPHELD
            ).values_list("nomination_id", flat=True)
        )
        serial = AwardRecord.objects.filter(batch=locked).count()
        for nomination in shortlisted:
            if nomination.pk in upheld:
                _step(nomination, locked.organization, ReviewAction.DROP, actor, "异议经核实属实")
                nomination.status = NominationStatus.REJECTED
                nomination.save(update_fields=["status"])
                continue
            serial += 1
            AwardRecord.objects.create(
                nomination=nomination,
                batch=locked,
                category=nomination.category,
                member_id=nomination.member_id,
                organization=nomination.organization,
                label=nomination.label,
                awarded_on=today,
                material_reward=nomination.category.material_reward,
                certificate_number=f"{locked.year}-{locked.pk:04d}-{serial:04d}",
            )
            nomination.status = NominationStatus.AWARDED
            nomination.save(update_fields=["status"])
            _step(nomination, locked.organization, ReviewAction.AWARD, actor, "")
        locked.status = BatchStatus.APPROVED
        locked.approved_on = today
        locked.save(update_fields=["status", "approved_on"])
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=locked,
            org_path=locked.organization.path,
            changes={"status": [BatchStatus.NOTICE, BatchStatus.APPROVED], "awards": [0, serial]},
            reason="批准表彰",
        )
        from chuangxian.honors.tasks import generate_certificates  # tasks import services

        transaction.on_commit(lambda: generate_certificates.enqueue(locked.pk))
    return locked


# ---------------------------------------------------------------- nominations


def _step(
    nomination: Nomination, org: Organization, action: str, actor: Actor, reason: str
) -> None:
    ReviewStep.objects.create(
        nomination=nomination,
        organization=org,
        action=action,
        reason=reason[:500],
        actor_label=actor.display[:150],
    )


def _first_reviewer(nominated_by: Organization, batch: AwardBatch) -> Organization | None:
    """The organization above the nominating one (the organizer reviews its own)."""
    if nominated_by.pk == batch.organization.pk or nominated_by.parent is None:
        return None
    return nominated_by.parent


def _start_review(nomination: Nomination, batch: AwardBatch) -> None:
    reviewer = _first_reviewer(nomination.nominated_by, batch)
    nomination.reviewer = reviewer
    nomination.status = (
        NominationStatus.REVIEWING if reviewer is not None else NominationStatus.DISCIPLINE
    )


def nomination_create(
    *,
    actor: Actor,
    category: AwardCategory,
    nominated_by: Organization,
    story: str,
    today: dt.date,
    member: Member | None = None,
    organization: Organization | None = None,
) -> Nomination:
    """Nominate a member (or an organization) of `nominated_by`'s subtree within the window.
    The eligibility rules are checked against the records; an ineligible nominee is refused
    with the reasons. The nominee's record is snapshotted for the reviewers."""
    batch = category.batch
    story = story.strip()
    if not story:
        raise HonorsError({"story": "请填写主要事迹"})
    if len(story) > STORY_MAX:
        raise HonorsError({"story": f"主要事迹不能超过{STORY_MAX}字"})
    if not nominated_by.path.startswith(batch.organization.path):
        raise HonorsError("推荐单位不在本次表彰的范围内")
    if category.subject_kind == SubjectKind.MEMBER:
        if member is None:
            raise HonorsError({"member": "请选择被推荐的党员"})
        if member.status != MemberStatus.ACTIVE:
            raise HonorsError({"member": "只能推荐在册党员"})
        nominee_org = member.organization
        label = member.name
    else:
        if organization is None:
            raise HonorsError({"organization": "请选择被推荐的党组织"})
        nominee_org = organization
        label = organization.name
    if not nominee_org.path.startswith(nominated_by.path):
        raise HonorsError("只能推荐本组织及下级的党员或党组织")
    checks = records.eligibility(
        rules=list(category.rules),
        year=batch.year,
        today=today,
        member=member,
        organization=organization if member is None else None,
    )
    failed = [c for c in checks if not c.ok]
    if failed:
        raise HonorsError([f"不符合推荐条件：{c.label}（{c.detail}）" for c in failed])
    with transaction.atomic():
        locked = _locked_batch(batch)
        if locked.status != BatchStatus.NOMINATING:
            raise HonorsError("推荐阶段已结束")
        if not locked.nomination_opens <= today <= locked.nomination_closes:
            raise HonorsError(
                f"推荐时间为 {locked.nomination_opens:%Y-%m-%d} 至 "
                f"{locked.nomination_closes:%Y-%m-%d}"
            )
        existing = Nomination.objects.filter(category=category, status__in=ACTIVE_STATUSES).filter(
            Q(member=member)
            if member is not None
            else Q(member__isnull=True, organization=nominee_org)
        )
        if existing.exists():
            raise HonorsError(f"{label}已被推荐为{category.name}")
        nomination = Nomination(
            batch=locked,
            category=category,
            member=member,
            organization=nominee_org,
            nominated_by=nominated_by,
            label=label[:150],
            story=story,
            snapshot=records.snapshot(
                kind=category.subject_kind,
                year=batch.year,
                today=today,
                member=member,
                organization=organization if member is None else None,
            ),
            eligibility=records.checks_as_data(checks),
        )
        _start_review(nomination, locked)
        nomination.save()
        _step(nomination, nominated_by, ReviewAction.SUBMIT, actor, "")
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=nomination,
            org_path=nominee_org.path,
            changes={"category": [None, category.name], "nominated_by": [None, nominated_by.name]},
        )
    return nomination


def _nomination_transition(
    *,
    actor: Actor,
    nomination: Nomination,
    sources: tuple[str, ...],
    action: str,
    label: str,
    apply: Callable[[Nomination], None],
    reason: str = "",
    reason_required: bool = False,
) -> Nomination:
    """Lock, check the source state, apply the change, save, then record the step and the
    audit event: all in one transaction."""
    if reason_required and not reason.strip():
        raise HonorsError({"reason": "请填写理由"})
    with transaction.atomic():
        locked = _locked(nomination)
        if locked.status not in sources:
            raise HonorsError(f"该推荐现在是“{locked.get_status_display()}”，不能{label}")
        acting_org = locked.reviewer or locked.batch.organization
        before = locked.status
        apply(locked)
        locked.save()
        _step(locked, acting_org, action, actor, reason.strip())
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=locked,
            org_path=locked.organization.path,
            changes={"status": [before, locked.status]},
            reason=f"{label} {reason.strip()}".strip()[:500],
        )
    return locked


def nomination_approve(*, actor: Actor, nomination: Nomination) -> Nomination:
    """The reviewing level agrees: the next level up reviews, or at the organizer the 纪检
    opinion is due."""

    def apply(locked: Nomination) -> None:
        reviewer = locked.reviewer
        if reviewer is None or reviewer.pk == locked.batch.organization_id:
            locked.reviewer = None
            locked.status = NominationStatus.DISCIPLINE
        else:
            locked.reviewer = reviewer.parent

    return _nomination_transition(
        actor=actor,
        nomination=nomination,
        sources=(NominationStatus.REVIEWING,),
        action=ReviewAction.APPROVE,
        label="审核同意",
        apply=apply,
    )


def nomination_return(*, actor: Actor, nomination: Nomination, reason: str) -> Nomination:
    """Back to the nominating organization with the reason; it may resubmit."""

    def apply(locked: Nomination) -> None:
        locked.status = NominationStatus.RETURNED
        locked.reviewer = None

    return _nomination_transition(
        actor=actor,
        nomination=nomination,
        sources=(NominationStatus.REVIEWING, NominationStatus.DISCIPLINE),
        action=ReviewAction.RETURN,
        label="退回",
        apply=apply,
        reason=reason,
        reason_required=True,
    )


def nomination_reject(*, actor: Actor, nomination: Nomination, reason: str) -> Nomination:

    def apply(locked: Nomination) -> None:
        locked.status = NominationStatus.REJECTED
        locked.reviewer = None

    return _nomination_transition(
        actor=actor,
        nomination=nomination,
        sources=(
            NominationStatus.REVIEWING,
            NominationStatus.DISCIPLINE,
            NominationStatus.REVIEWED,
        ),
        action=ReviewAction.REJECT,
        label="不同意推荐",
        apply=apply,
        reason=reason,
        reason_required=True,
    )


def nomination_resubmit(*, actor: Actor, nomination: Nomination, story: str) -> Nomination:
    """A returned nomination, its 事迹 revised, starts its review again from the bottom."""
    story = story.strip()
    if not story or len(story) > STORY_MAX:
        raise HonorsError({"story": f"请填写主要事迹（不超过{STORY_MAX}字）"})

    def apply(locked: Nomination) -> None:
        if locked.batch.status not in (BatchStatus.NOMINATING, BatchStatus.REVIEWING):
            raise HonorsError("审核阶段已结束，不能重新推荐")
        locked.story = story
        _start_review(locked, locked.batch)

    return _nomination_transition(
        actor=actor,
        nomination=nomination,
        sources=(NominationStatus.RETURNED,),
        action=ReviewAction.SUBMIT,
        label="重新推荐",
        apply=apply,
    )


def nomination_discipline_opinion(
    *, actor: Actor, nomination: Nomination, agree: bool, opinion: str
) -> Nomination:
    """纪检 opinion at the organizer: without objection the nomination is REVIEWED; with a
    problem found it is REJECTED with the opinion as reason."""

    def apply(locked: Nomination) -> None:
        locked.status = NominationStatus.REVIEWED if agree else NominationStatus.REJECTED

    return _nomination_transition(
        actor=actor,
        nomination=nomination,
        sources=(NominationStatus.DISCIPLINE,),
        action=ReviewAction.DISCIPLINE_AGREE if agree else ReviewAction.DISCIPLINE_OBJECT,
        label="填写纪检意见",
        apply=apply,
        reason=opinion,
        reason_required=not agree,
    )


def quota_for(nomination: Nomination) -> Quota | None:
    """The quota covering the nominee: the nearest organization with one, up from the
    nominee's organization."""
    ancestry = [*nomination.organization.ancestor_ids, nomination.organization_id]
    quotas = {q.organization_id: q for q in nomination.category.quotas.filter(
        organization_id__in=ancestry
    )}  # fmt: skip
    for org_id in reversed(ancestry):
        if org_id in quotas:
            return quotas[org_id]
    return None


def nomination_shortlist(*, actor: Actor, nomination: Nomination) -> Nomination:
    """Onto the list to be published, only within the quota covering the nominee."""

    def apply(locked: Nomination) -> None:
        if locked.batch.status != BatchStatus.REVIEWING:
            raise HonorsError("结束推荐后、公示前才能确定拟表彰名单")
        # The category row is locked so that two shortlistings cannot both take the last place.
        AwardCategory.objects.select_for_update().get(pk=locked.category_id)
        quota = quota_for(locked)
        if quota is None:
            raise HonorsError(f"“{locked.category.name}”没有给{locked.organization.name}分配名额")
        taken = [
            n
            for n in Nomination.objects.filter(
                category=locked.category, status=NominationStatus.SHORTLISTED
            ).select_related("organization", "category")
            if quota_for(n) == quota
        ]
        if len(taken) >= quota.count:
            raise HonorsError(
                f"{quota.organization.name}的“{locked.category.name}”名额为 {quota.count} 个，已满"
            )
        locked.status = NominationStatus.SHORTLISTED

    return _nomination_transition(
        actor=actor,
        nomination=nomination,
        sources=(NominationStatus.REVIEWED,),
        action=ReviewAction.SHORTLIST,
        label="列入拟表彰名单",
        apply=apply,
    )


# ---------------------------------------------------------------- objections


def _hash(kind: str, value: str) -> str:
    return salted_hmac(f"chuangxian.honors.{kind}", value, algorithm="sha256").hexdigest()


def objection_submit(
    *,
    nomination: Nomination,
    text: str,
    contact: str = "",
    address: str | None = None,
    device_id: str = "",
    today: dt.date,
) -> Objection:
    """Anyone may object to a published nominee during the 公示, without an account; at most
    OBJECTIONS_PER_HOUR from one address and OBJECTIONS_PER_DEVICE per nominee from one
    device. Only keyed hashes of address and device are kept."""
    text = text.strip()
    if not text:
        raise HonorsError({"text": "请填写异议内容"})
    if len(text) > OBJECTION_MAX:
        raise HonorsError({"text": f"异议内容不能超过{OBJECTION_MAX}字"})
    contact = contact.strip()
    if len(contact) > 60:
        raise HonorsError({"contact": "联系方式不能超过60字"})
    with transaction.atomic():
        locked = _locked(nomination)
        batch = locked.batch
        if (
            batch.status != BatchStatus.NOTICE
            or locked.status != NominationStatus.SHORTLISTED
            or batch.notice_starts is None
            or batch.notice_ends is None
            or not batch.notice_starts <= today <= batch.notice_ends
        ):
            raise HonorsError("该公示不在公示期内，不能提出异议")
        objection = Objection(nomination=locked, text=text, contact=contact)
        if address:
            objection.address_hash = _hash("address", address)
            since = timezone.now() - dt.timedelta(hours=1)
            recent = Objection.objects.filter(
                address_hash=objection.address_hash, created_at__gte=since
            ).count()
            if recent >= OBJECTIONS_PER_HOUR:
                raise HonorsError("提交过于频繁，请稍后再试")
        if device_id:
            objection.device_hash = _hash("device", device_id)
            if (
                Objection.objects.filter(
                    nomination=locked, device_hash=objection.device_hash
                ).count()
                >= OBJECTIONS_PER_DEVICE
            ):
                raise HonorsError("您已对该人选提出过异议，我们会认真核实")
        objection.save()
        audit_record(
            actor=Actor(label="公众", ip_address=None),
            action=AuditAction.CREATE,
            obj=objection,
            org_path=locked.organization.path,
        )
    return objection


def objection_handle(*, actor: Actor, objection: Objection, upheld: bool, note: str) -> Objection:
    """The organizer's finding on an objection, shown to the approvers."""
    note = note.strip()
    if not note:
        raise HonorsError({"note": "请填写核实情况"})
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.outcome != ObjectionOutcome.PENDING:
            raise HonorsError("该异议已处理")
        locked.outcome = ObjectionOutcome.UPHELD if upheld else ObjectionOutcome.DISMISSED
        locked.outcome_note = note[:500]
        locked.handled_by = actor.display[:150]
        locked.handled_at = timezone.now()
        locked.save()
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=locked,
            org_path=objection.nomination.organization.path,
            changes={"outcome": [ObjectionOutcome.PENDING, locked.outcome]},
            reason=note[:500],
        )
    return locked

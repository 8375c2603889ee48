"""Writes on the lagging end: manual marks and support plans (帮扶计划).

A plan moves 制定中 → 整顿中 → 待验收 → 已验收 (the superior may send a review back to 整顿中).
Every status change goes through `_transition`, which locks the plan, checks the source status
against TRANSITIONS, records a PlanEvent and an audit event, and refuses anything else with a
Chinese message. Who may call which service is decided by chuangxian.support.access; the
services guard the state and the data."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs.models import Organization
from chuangxian.support.errors import SupportError
from chuangxian.support.figures import plan_figures
from chuangxian.support.lagging import reasons_for
from chuangxian.support.models import (
    LaggingMark,
    Measure,
    PlanEvent,
    PlanStatus,
    SupportPlan,
    Visit,
    VisitPhoto,
)
from chuangxian.uploads.safety import CleanFile

MAX_PHOTOS_PER_VISIT = 6
OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.REVIEW)


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str


TRANSITIONS: dict[str, Transition] = {
    "start": Transition("启动整顿", frozenset({PlanStatus.DRAFT}), PlanStatus.ACTIVE),
    "submit": Transition("申请验收", frozenset({PlanStatus.ACTIVE}), PlanStatus.REVIEW),
    "return": Transition("退回继续整顿", frozenset({PlanStatus.REVIEW}), PlanStatus.ACTIVE),
    "accept": Transition("验收通过", frozenset({PlanStatus.REVIEW}), PlanStatus.CLOSED),
}


def _text(value: str, *, field: str, label: str, limit: int, errors: dict[str, str]) -> str:
    cleaned = value.strip()
    if not cleaned:
        errors[field] = f"请填写{label}"
    elif len(cleaned) > limit:
        errors[field] = f"{label}不能超过{limit}字"
    return cleaned


def _locked(plan: SupportPlan) -> SupportPlan:
    return (
        SupportPlan.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=plan.pk)
    )


def _transition(
    *, actor: Actor, plan: SupportPlan, action: str, note: str = "", **fields: Any
) -> SupportPlan:
    step = TRANSITIONS[action]
    locked = _locked(plan)
    if locked.status not in step.sources:
        raise SupportError(f"该帮扶计划当前状态为“{locked.get_status_display()}”，不能{step.label}")
    before = locked.status
    locked.status = step.target
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    _record(actor=actor, plan=locked, before=before, note=note)
    plan.status = locked.status
    for name in fields:
        setattr(plan, name, getattr(locked, name))
    return locked


def _record(*, actor: Actor, plan: SupportPlan, before: str, note: str = "") -> None:
    PlanEvent.objects.create(
        plan=plan,
        from_status=before,
        to_status=plan.status,
        note=note[:2000],
        actor_label=actor.display[:150],
    )
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION if before else AuditAction.CREATE,
        obj=plan,
        org_path=plan.organization.path,
        changes={"status": [before or None, plan.status]},
        reason=note,
    )


@transaction.atomic
def lagging_mark(*, actor: Actor, organization: Organization, reason: str) -> LaggingMark:
    """Mark an organization lagging by hand, with the reason. One open mark at a time."""
    errors: dict[str, str] = {}
    reason = _text(reason, field="reason", label="认定原因", limit=500, errors=errors)
    if errors:
        raise SupportError(errors)
    mark = LaggingMark(organization=organization, reason=reason, marked_by_label=actor.display)
    try:
        with transaction.atomic():
            mark.save()
    except IntegrityError:
        raise SupportError("该党组织已被认定为后进，请先撤销原认定") from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=mark,
        org_path=organization.path,
        changes={"lagging": [None, reason]},
        reason=reason,
    )
    return mark


@transaction.atomic
def lagging_clear(*, actor: Actor, mark: LaggingMark, reason: str) -> LaggingMark:
    """Withdraw a manual mark, saying why."""
    errors: dict[str, str] = {}
    reason = _text(reason, field="reason", label="撤销原因", limit=500, errors=errors)
    if errors:
        raise SupportError(errors)
    locked = LaggingMark.objects.select_for_update().get(pk=mark.pk)
    if locked.cleared_at is not None:
        raise SupportError("该认定已经撤销")
    locked.cleared_at = timezone.now()
    locked.cleared_reason = reason
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        org_path=mark.organization.path,
        changes={"lagging": [locked.reason, None]},
        reason=reason,
    )
    return locked


@transaction.atomic
def plan_open(
    *,
    actor: Actor,
    organization: Organization,
    helpers: Sequence[Organization],
    leader: str,
    problems: str,
    today: dt.date,
) -> SupportPlan:
    """A new plan (制定中) for a lagging organization, with the reasons and figures of today.
    Refuses an organization that is not lagging or already has an unfinished plan."""
    errors: dict[str, str] = {}
    leader = _text(leader, field="leader", label="包联领导", limit=50, errors=errors)
    problems = _text(problems, field="problems", label="查摆的问题", limit=4000, errors=errors)
    if not helpers:
        errors["helpers"] = "请至少选择一个帮扶单位"
    elif any(helper.pk == organization.pk for helper in helpers):
        errors["helpers"] = "帮扶单位不能是帮扶对象自己"
    if errors:
        raise SupportError(errors)
    # Lock the organization row so that two plans cannot be opened for it at once.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    if SupportPlan.objects.filter(organization=organization, status__in=OPEN_STATUSES).exists():
        raise SupportError("该党组织已有尚未验收的帮扶计划")
    reasons = reasons_for(organization, today)
    if not reasons:
        raise SupportError("该党组织目前不在后进名单上，不能制定帮扶计划")
    plan = SupportPlan.objects.create(
        organization=organization,
        year=today.year,
        reasons=[{"code": r.code, "label": r.label, "text": r.text} for r in reasons],
        leader=leader,
        problems=problems,
        figures_before=plan_figures(organization, today),
    )
    plan.helpers.set(helpers)
    _record(actor=actor, plan=plan, before="", note="；".join(r.text for r in reasons))
    return plan


@transaction.atomic
def measure_add(
    *, actor: Actor, plan: SupportPlan, text: str, owner: str, due_on: dt.date, today: dt.date
) -> Measure:
    """A measure with its owner and deadline, while the plan is being made or carried out."""
    locked = _locked(plan)
    if locked.status not in (PlanStatus.DRAFT, PlanStatus.ACTIVE):
        raise SupportError(f"该帮扶计划当前状态为“{locked.get_status_display()}”，不能再添加措施")
    errors: dict[str, str] = {}
    text = _text(text, field="text", label="整改措施", limit=500, errors=errors)
    owner = _text(owner, field="owner", label="责任人", limit=50, errors=errors)
    if due_on < today:
        errors["due_on"] = "完成时限不能早于今天"
    if errors:
        raise SupportError(errors)
    measure = Measure.objects.create(plan=locked, text=text, owner=owner, due_on=due_on)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=measure,
        org_path=locked.organization.path,
        changes={"text": [None, text], "owner": [None, owner], "due_on": [None, str(due_on)]},
    )
    return measure


@transaction.atomic
def measure_complete(
    *, actor: Actor, measure: Measure, done_on: dt.date, note: str, today: dt.date
) -> Measure:
    """Record a measure done, with how, while the plan is being carried out."""
    plan = _locked(measure.plan)
    if plan.status != PlanStatus.ACTIVE:
        raise SupportError("只有整顿中的帮扶计划可以登记措施完成情况")
    locked = Measure.objects.select_for_update().get(pk=measure.pk)
    errors: dict[str, str] = {}
    if locked.done_on is not None:
        errors["done_on"] = "该措施已登记完成"
    elif done_on > today:
        errors["done_on"] = "完成日期不能晚于今天"
    note = _text(note, field="note", label="完成情况", limit=500, errors=errors)
    if errors:
        raise SupportError(errors)
    locked.done_on = done_on
    locked.done_note = note
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        org_path=plan.organization.path,
        changes={"done_on": [None, str(done_on)], "done_note": [None, note]},
    )
    return locked


@transaction.atomic
def plan_start(*, actor: Actor, plan: SupportPlan) -> SupportPlan:
    """制定中 → 整顿中: needs at least one measure."""
    if not plan.measures.exists():
        raise SupportError("请先添加至少一项整改措施")
    return _transition(actor=actor, plan=plan, action="start")


def _store_photos(visit: Visit, files: Sequence[CleanFile]) -> None:
    stored: list[VisitPhoto] = []
    try:
        for clean in files:
            photo = VisitPhoto(
                visit=visit,
                original_name=clean.name[:120],
                content_type=clean.content_type,
                size=len(clean.content),
            )
            photo.file.save(clean.name, ContentFile(clean.content), save=False)
            stored.append(photo)
            photo.save()
    except Exception:
        # The rows roll back with the transaction; the files would not.
        for photo in stored:
            photo.file.delete(save=False)
        raise


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    plan: SupportPlan,
    visited_on: dt.date,
    visitors: str,
    findings: str,
    photos: Sequence[CleanFile],
    today: dt.date,
) -> Visit:
    """A follow-up visit with its photos (already checked by uploads.check_upload)."""
    locked = _locked(plan)
    if locked.status not in (PlanStatus.ACTIVE, PlanStatus.REVIEW):
        raise SupportError("只有整顿中或待验收的帮扶计划可以登记回访")
    errors: dict[str, str] = {}
    visitors = _text(visitors, field="visitors", label="回访人员", limit=200, errors=errors)
    findings = _text(findings, field="findings", label="发现的情况", limit=2000, errors=errors)
    if visited_on > today:
        errors["visited_on"] = "回访日期不能晚于今天"
    if len(photos) > MAX_PHOTOS_PER_VISIT:
        errors["photos"] = f"每次回访最多上传{MAX_PHOTOS_PER_VISIT}张照片"
    elif any(not photo.is_image for photo in photos):
        errors["photos"] = "回访照片只接受图片文件"
    if errors:
        raise SupportError(errors)
    visit = Visit.objects.create(
        plan=locked,
        visited_on=visited_on,
        visitors=visitors,
        findings=findings,
        recorded_by_label=actor.display[:150],
    )
    _store_photos(visit, photos)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=visit,
        org_path=locked.organization.path,
        changes={"visited_on": [None, str(visited_on)], "photos": [None, len(photos)]},
    )
    return visit


@transaction.atomic
def plan_submit(*, actor: Actor, plan: SupportPlan) -> SupportPlan:
    """整顿中 → 待验收: every measure must be done first."""
    open_count = plan.measures.filter(done_on__isnull=True).count()
    if open_count:
        raise SupportError(f"还有{open_count}项整改措施未完成，不能申请验收")
    return _transition(actor=actor, plan=plan, action="submit")


@transaction.atomic
def plan_return(*, actor: Actor, plan: SupportPlan, reason: str) -> SupportPlan:
    """待验收 → 整顿中, with what is still wrong."""
    reason = reason.strip()
    if not reason:
        raise SupportError({"reason": "退回时请写明还需整改的问题"})
    return _transition(actor=actor, plan=plan, action="return", note=reason)


@transaction.atomic
def plan_accept(*, actor: Actor, plan: SupportPlan, conclusion: str, today: dt.date) -> SupportPlan:
    """整顿验收: the superior closes the plan, with the figures after, and withdraws a manual
    lagging mark (the record-based conditions clear themselves when the records change)."""
    errors: dict[str, str] = {}
    conclusion = _text(conclusion, field="conclusion", label="验收意见", limit=2000, errors=errors)
    if errors:
        raise SupportError(errors)
    closed = _transition(
        actor=actor,
        plan=plan,
        action="accept",
        note=conclusion,
        review_conclusion=conclusion,
        figures_after=plan_figures(plan.organization, today),
        closed_at=timezone.now(),
    )
    mark = LaggingMark.objects.filter(
        organization=closed.organization, cleared_at__isnull=True
    ).first()
    if mark is not None:
        lagging_clear(actor=actor, mark=mark, reason=f"帮扶计划验收通过：{conclusion}"[:500])
    return closed

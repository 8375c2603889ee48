"""Writes on cases (典型经验) and demonstration points (示范点).

A case moves 草稿 → 待审核 → (已退回 → 待审核 …) → 审核通过 → 已发布. Every status change goes
through `_transition`, which locks the case, checks the source status against TRANSITIONS,
records a CaseEvent and an audit event, and refuses anything else with a Chinese message. Who
may call which service is decided by chuangxian.cases.access."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.cases.models import (
    Adoption,
    Case,
    CaseEvent,
    CaseFile,
    CaseStatus,
    DemoPoint,
    Mechanism,
    Visibility,
)
from chuangxian.cases.search import search_text_of
from chuangxian.orgs.models import Organization, Sector
from chuangxian.uploads.safety import CleanFile

MAX_FILES_PER_CASE = 10
EDITABLE = frozenset({CaseStatus.DRAFT, CaseStatus.RETURNED})


class CaseError(ValidationError):
    """A write refused, with Chinese messages per field (or for the whole request)."""


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition("提交审核", frozenset(EDITABLE), CaseStatus.SUBMITTED),
    "return": Transition("退回修改", frozenset({CaseStatus.SUBMITTED}), CaseStatus.RETURNED),
    "approve": Transition("审核通过", frozenset({CaseStatus.SUBMITTED}), CaseStatus.APPROVED),
    "publish": Transition("发布", frozenset({CaseStatus.APPROVED}), CaseStatus.PUBLISHED),
}


@dataclass(frozen=True)
class CaseValues:
    title: str
    sector: str
    mechanism: str
    summary: str
    body: str


def _check(values: CaseValues) -> CaseValues:
    errors: dict[str, str] = {}
    title, summary, body = values.title.strip(), values.summary.strip(), values.body.strip()
    if not title:
        errors["title"] = "请填写标题"
    elif len(title) > 100:
        errors["title"] = "标题不能超过100字"
    if values.sector not in Sector.values:
        errors["sector"] = "请选择所属领域"
    if values.mechanism not in Mechanism.values:
        errors["mechanism"] = "请选择涉及的机制"
    if not summary:
        errors["summary"] = "请填写摘要"
    elif len(summary) > 300:
        errors["summary"] = "摘要不能超过300字"
    if len(body) < 50:
        errors["body"] = "正文太短（至少50字），请写清做法、机制和成效"
    elif len(body) > 20000:
        errors["body"] = "正文不能超过20000字"
    if errors:
        raise CaseError(errors)
    return CaseValues(title, values.sector, values.mechanism, summary, body)


def _store_files(case: Case, files: Sequence[CleanFile]) -> None:
    if case.files.count() + len(files) > MAX_FILES_PER_CASE:
        raise CaseError({"files": f"每个案例最多{MAX_FILES_PER_CASE}个照片或附件"})
    stored: list[CaseFile] = []
    try:
        for clean in files:
            item = CaseFile(
                case=case,
                original_name=clean.name[:120],
                content_type=clean.content_type,
                size=len(clean.content),
                is_image=clean.is_image,
            )
            item.file.save(clean.name, ContentFile(clean.content), save=False)
            stored.append(item)
            item.save()
    except Exception:
        # The rows roll back with the transaction; the files would not.
        for item in stored:
            item.file.delete(save=False)
        raise


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",)).select_related("organization").get(pk=case.pk)
    )


def _record(*, actor: Actor, case: Case, before: str, note: str = "") -> None:
    CaseEvent.objects.create(
        case=case,
        from_status=before,
        to_status=case.status,
        note=note[:2000],
        actor_label=actor.display[:150],
    )
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION if before else AuditAction.CREATE,
        obj=case,
        org_path=case.organization.path,
        changes={"status": [before or None, case.status]},
        reason=note,
    )


def _transition(*, actor: Actor, case: Case, action: str, note: str = "", **fields: Any) -> Case:
    step = TRANSITIONS[action]
    locked = _locked(case)
    if locked.status not in step.sources:
        raise CaseError(f"该案例当前状态为“{locked.get_status_display()}”，不能{step.label}")
    before = locked.status
    locked.status = step.target
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    _record(actor=actor, case=locked, before=before, note=note)
    case.status = locked.status
    for name in fields:
        setattr(case, name, getattr(locked, name))
    return locked


@transaction.atomic
def case_create(
    *, actor: Actor, organization: Organization, values: CaseValues, files: Sequence[CleanFile]
) -> Case:
    """A draft case of `organization`, with its photos and attachments (already checked)."""
    clean = _check(values)
    case = Case(organization=organization, created_by_label=actor.display[:150], **clean.__dict__)
    case.search_text = search_text_of(case)
    case.save()
    _store_files(case, files)
    _record(actor=actor, case=case, before="")
    return case


@transaction.atomic
def case_update(
    *, actor: Actor, case: Case, values: CaseValues, files: Sequence[CleanFile]
) -> Case:
    """Change a draft or returned case; what was reviewed or published stays as it was."""
    locked = _locked(case)
    if locked.status not in EDITABLE:
        raise CaseError(
            f"该案例当前状态为“{locked.get_status_display()}”，只有草稿或被退回的案例可以修改"
        )
    clean = _check(values)
    changed = {
        name: [getattr(locked, name), value]
        for name, value in clean.__dict__.items()
        if getattr(locked, name) != value
    }
    for name, value in clean.__dict__.items():
        setattr(locked, name, value)
    locked.search_text = search_text_of(locked)
    locked.save()
    _store_files(locked, files)
    if changed or files:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            org_path=locked.organization.path,
            changes={k: [str(v[0])[:100], str(v[1])[:100]] for k, v in changed.items()}
            | ({"files": [None, len(files)]} if files else {}),
        )
    return locked


@transaction.atomic
def case_submit(*, actor: Actor, case: Case) -> Case:
    """The organization sends the case to its superior for review."""
    return _transition(actor=actor, case=case, action="submit", review_comment="")


@transaction.atomic
def case_return(*, actor: Actor, case: Case, comment: str) -> Case:
    """The superior sends the case back with what to change."""
    comment = comment.strip()
    if not comment:
        raise CaseError({"comment": "退回时请写明修改意见"})
    return _transition(
        actor=actor, case=case, action="return", note=comment, review_comment=comment[:2000]
    )


@transaction.atomic
def case_approve(*, actor: Actor, case: Case, comment: str = "") -> Case:
    comment = comment.strip()
    return _transition(
        actor=actor, case=case, action="approve", note=comment, review_comment=comment[:2000]
    )


@transaction.atomic
def case_publish(*, actor: Actor, case: Case, visibility: str) -> Case:
    """Publish inside the tree, or to the public (then it is listed under /public/cases/)."""
    if visibility not in Visibility.values:
        raise CaseError({"visibility": "请选择发布范围"})
    return _transition(
        actor=actor,
        case=case,
        action="publish",
        note=str(Visibility(visibility).label),
        visibility=visibility,
        published_at=timezone.now(),
    )


@transaction.atomic
def adoption_record(
    *,
    actor: Actor,
    case: Case,
    organization: Organization,
    adopted_on: dt.date,
    action: str,
    result: str,
    today: dt.date,
) -> Adoption:
    """Another organization records that it took the case up (推广经验)."""
    errors: dict[str, str] = {}
    action, result = action.strip(), result.strip()
    if case.status != CaseStatus.PUBLISHED:
        raise CaseError("只有已发布的案例可以登记借鉴推广")
    if organization.pk == case.organization_id:
        errors["organization"] = "案例的报送单位不能登记借鉴自己的案例"
    if not action:
        errors["action"] = "请填写借鉴的做法"
    if not result:
        errors["result"] = "请填写取得的成效"
    if adopted_on > today:
        errors["adopted_on"] = "借鉴日期不能晚于今天"
    if errors:
        raise CaseError(errors)
    adoption = Adoption(
        case=case,
        organization=organization,
        adopted_on=adopted_on,
        action=action[:2000],
        result=result[:2000],
        recorded_by_label=actor.display[:150],
    )
    try:
        with transaction.atomic():
            adoption.save()
    except IntegrityError:
        raise CaseError("该党组织已登记借鉴过这个案例") from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=adoption,
        org_path=organization.path,
        changes={"case": [None, case.title], "action": [None, adoption.action[:100]]},
    )
    return adoption


@transaction.atomic
def demo_point_designate(
    *,
    actor: Actor,
    organization: Organization,
    designated_by: Organization,
    theme: str,
    leader: str,
    starts_on: dt.date,
    ends_on: dt.date,
    public: bool,
) -> DemoPoint:
    """示范点: the superior names an organization below it for a period."""
    errors: dict[str, str] = {}
    theme = theme.strip()
    if not organization.path.startswith(designated_by.path) or organization.pk == designated_by.pk:
        errors["organization"] = "只能把下级组织命名为示范点"
    if not theme:
        errors["theme"] = "请填写示范内容"
    if ends_on < starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期"
    if errors:
        raise CaseError(errors)
    if DemoPoint.objects.filter(
        organization=organization, theme=theme, ends_on__gte=starts_on, starts_on__lte=ends_on
    ).exists():
        raise CaseError("该组织在这段时间已是同一内容的示范点")
    point = DemoPoint.objects.create(
        organization=organization,
        designated_by=designated_by,
        theme=theme[:200],
        leader=leader.strip()[:50],
        starts_on=starts_on,
        ends_on=ends_on,
        public=public,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=point,
        org_path=organization.path,
        changes={
            "theme": [None, point.theme],
            "period": [None, f"{starts_on}～{ends_on}"],
            "designated_by": [None, designated_by.name],
        },
    )
    return point

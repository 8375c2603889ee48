"""Targets: set by a superior for a child organization, decomposed to children or members,
changed while their letter is unsigned, and progress reported with evidence."""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record, diff_fields
from chuangxian.campaigns.dimensions import OrgDimension
from chuangxian.campaigns.models import (
    Campaign,
    Evidence,
    LetterStatus,
    Measure,
    ProgressReport,
    ResponsibilityLetter,
    TargetItem,
)
from chuangxian.campaigns.services.errors import CampaignError
from chuangxian.orgs.models import Member, MemberStatus, Organization
from chuangxian.uploads.safety import CleanFile

MAX_WEIGHT = Decimal(1000)
EVIDENCE_DIR = "campaigns/evidence"
_AUDITED = (
    "title",
    "description",
    "weight",
    "measure",
    "unit",
    "baseline",
    "target_value",
    "deadline",
    "veto",
    "dimension",
)


@dataclass
class TargetValues:
    title: str
    weight: Decimal
    measure: str
    deadline: dt.date
    description: str = ""
    unit: str = ""
    baseline: Decimal | None = None
    target_value: Decimal | None = None
    veto: bool = False
    dimension: str = ""


def check_target(values: TargetValues, campaign: Campaign) -> dict[str, str]:
    errors: dict[str, str] = {}
    values.title = values.title.strip()
    if not values.title:
        errors["title"] = "不能为空"
    if not Decimal(0) < values.weight <= MAX_WEIGHT:
        errors["weight"] = "分值应大于0且不超过1000"
    if values.measure not in Measure.values:
        errors["measure"] = "请选择考核方式"
    elif values.measure == Measure.NUMBER:
        if values.target_value is None:
            errors["target_value"] = "数值型目标须填写目标值"
        elif values.target_value == (values.baseline or Decimal(0)):
            errors["target_value"] = "目标值应与基数不同"
    else:
        values.baseline = values.target_value = None
        values.unit = ""
    if not campaign.starts_on <= values.deadline <= campaign.ends_on:
        errors["deadline"] = "完成时限应在活动期间内"
    if values.dimension and values.dimension not in OrgDimension.values:
        errors["dimension"] = "请选择五好中的一个维度"
    return errors


def _snapshot(item: TargetItem) -> dict[str, object]:
    return {name: getattr(item, name) for name in _AUDITED}


def _letter_for(
    campaign: Campaign, organization: Organization, superior: Organization
) -> ResponsibilityLetter:
    letter, _ = ResponsibilityLetter.objects.select_for_update().get_or_create(
        campaign=campaign, organization=organization, defaults={"superior": superior}
    )
    return letter


def _ensure_item_editable(item: TargetItem, actor: Actor) -> None:
    """An organization's item follows its letter (_ensure_letter_editable); a member's item
    (no letter of its own) may change until the letter above it has had its year-end
    review, after which it is part of a scored record."""
    if item.letter is not None:
        _ensure_letter_editable(item.letter, actor)
        return
    if item.parent_id is None:
        return
    parent = TargetItem.objects.filter(pk=item.parent_id)
    above = parent.values_list("letter__status", flat=True).first()
    if above == LetterStatus.REVIEWED:
        raise CampaignError("该目标所在责任书已完成年终考核")


def _ensure_letter_editable(letter: ResponsibilityLetter, actor: Actor) -> None:
    """Items of a signed letter are frozen; a change before both have signed voids the
    signature already given, so nobody is bound to terms they did not see."""
    if letter.status != LetterStatus.DRAFT:
        raise CampaignError("责任书已签订，目标已冻结，只能报告进展")
    if letter.superior_signed_at or letter.holder_signed_at:
        letter.superior_signed_by = letter.holder_signed_by = None
        letter.superior_signed_at = letter.holder_signed_at = None
        letter.save(
            update_fields=[
                "superior_signed_by",
                "superior_signed_at",
                "holder_signed_by",
                "holder_signed_at",
            ]
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=letter,
            org_path=letter.organization.path,
            changes={"signatures": ["已签字", "因目标修改而作废"]},
            reason="目标在双方签字前被修改",
        )


def _phase_allows_targets(campaign: Campaign, today: dt.date) -> None:
    if not campaign.allows("target", today):
        raise CampaignError("当前活动阶段不能下达或分解目标（仅部署、创建争创阶段可以）")


def _create(
    *,
    actor: Actor,
    campaign: Campaign,
    organization: Organization,
    set_by: Organization,
    values: TargetValues,
    parent: TargetItem | None = None,
    member: Member | None = None,
    letter: ResponsibilityLetter | None = None,
) -> TargetItem:
    item = TargetItem(
        campaign=campaign,
        organization=organization,
        set_by=set_by,
        parent=parent,
        member=member,
        letter=letter,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
        **values.__dict__,
    )
    item.full_clean()
    item.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=item,
        org_path=organization.path,
        changes=diff_fields({}, _snapshot(item) | {"holder": item.holder_label}),
    )
    return item


@transaction.atomic
def target_set(
    *,
    actor: Actor,
    campaign: Campaign,
    superior: Organization,
    organization: Organization,
    values: TargetValues,
    today: dt.date,
) -> TargetItem:
    """A superior sets a target for one of its direct children; the item joins the child's
    responsibility letter for the campaign (created on the first item)."""
    _phase_allows_targets(campaign, today)
    errors = check_target(values, campaign)
    if organization.parent_id != superior.pk:
        errors["organization"] = "只能给直接下级组织下达目标"
    elif not campaign.covers(organization):
        errors["organization"] = "该组织不在本活动范围内"
    if errors:
        raise CampaignError(errors)
    letter = _letter_for(campaign, organization, superior)
    _ensure_letter_editable(letter, actor)
    return _create(
        actor=actor,
        campaign=campaign,
        organization=organization,
        set_by=superior,
        values=values,
        letter=letter,
    )


@transaction.atomic
def target_decompose(
    *,
    actor: Actor,
    parent: TargetItem,
    values: TargetValues,
    today: dt.date,
    organization: Organization | None = None,
    member: Member | None = None,
) -> TargetItem:
    """Break a target held by an organization into a part for one of its children (into that
    child's letter) or for a named member of its subtree. The part keeps the link to its
    parent, and its deadline cannot be later than the parent's."""
    campaign = parent.campaign
    _phase_allows_targets(campaign, today)
    if parent.member_id is not None:
        raise CampaignError("分解到个人的目标不能再分解")
    if parent.letter is not None and parent.letter.status == LetterStatus.REVIEWED:
        raise CampaignError("该目标所在责任书已完成年终考核")
    errors = check_target(values, campaign)
    if "deadline" not in errors and values.deadline > parent.deadline:
        errors["deadline"] = f"不能晚于上级目标的完成时限（{parent.deadline:%Y-%m-%d}）"
    holder = parent.organization
    if (organization is None) == (member is None):
        raise CampaignError("请选择分解到一个下级组织或一名党员")
    if organization is not None and organization.parent_id != holder.pk:
        errors["organization"] = "只能分解到本组织的直接下级"
    if member is not None and (
        member.status != MemberStatus.ACTIVE or not member.organization.path.startswith(holder.path)
    ):
        errors["member"] = "只能分解到本组织（含下级）在册的党员"
    if errors:
        raise CampaignError(errors)
    if organization is not None:
        letter = _letter_for(campaign, organization, holder)
        _ensure_letter_editable(letter, actor)
        return _create(
            actor=actor,
            campaign=campaign,
            organization=organization,
            set_by=holder,
            values=values,
            parent=parent,
            letter=letter,
        )
    return _create(
        actor=actor,
        campaign=campaign,
        organization=holder,
        set_by=holder,
        values=values,
        parent=parent,
        member=member,
    )


@transaction.atomic
def target_update(*, actor: Actor, item: TargetItem, values: TargetValues) -> TargetItem:
    """Change a target while its letter is unsigned (a member's item: until the letter above
    it is reviewed)."""
    item = (
        TargetItem.objects.select_for_update(of=("self",))
        .select_related("campaign", "letter")
        .get(pk=item.pk)
    )
    errors = check_target(values, item.campaign)
    if item.parent_id is not None and "deadline" not in errors:
        parent_deadline = TargetItem.objects.values_list("deadline", flat=True).get(
            pk=item.parent_id
        )
        if values.deadline > parent_deadline:
            errors["deadline"] = f"不能晚于上级目标的完成时限（{parent_deadline:%Y-%m-%d}）"
    if errors:
        raise CampaignError(errors)
    _ensure_item_editable(item, actor)
    before = _snapshot(item)
    for name, value in values.__dict__.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    changes = diff_fields(before, _snapshot(item))
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=item,
            org_path=item.organization.path,
            changes=changes,
        )
    return item


@transaction.atomic
def target_delete(*, actor: Actor, item: TargetItem) -> None:
    """Remove a target that has no parts below it and no progress reported."""
    item = (
        TargetItem.objects.select_for_update(of=("self",))
        .select_related("letter", "organization")
        .get(pk=item.pk)
    )
    if item.children.exists():
        raise CampaignError("该目标已分解，请先删除分解项")
    if item.reports.exists():
        raise CampaignError("该目标已有进展报告，不能删除")
    _ensure_item_editable(item, actor)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=item,
        org_path=item.organization.path,
        changes=diff_fields(_snapshot(item), {}),
    )
    item.delete()


def _store(files: list[CleanFile]) -> list[tuple[str, CleanFile]]:
    """Write the files under random names; the names are not the permission, the view is."""
    stored: list[tuple[str, CleanFile]] = []
    try:
        for clean in files:
            extension = clean.name.rsplit(".", 1)[-1]
            name = f"{EVIDENCE_DIR}/{uuid.uuid4().hex}.{extension}"
            stored.append((default_storage.save(name, ContentFile(clean.content)), clean))
    except Exception:
        _discard(stored)
        raise
    return stored


def _discard(stored: list[tuple[str, CleanFile]]) -> None:
    for name, _clean in stored:
        default_storage.delete(name)


def target_report_progress(
    *,
    actor: Actor,
    item: TargetItem,
    note: str,
    today: dt.date,
    value: Decimal | None = None,
    done: bool | None = None,
    files: list[CleanFile] | None = None,
) -> ProgressReport:
    """Record progress on a target that is not decomposed, with evidence files already
    checked by uploads.safety. The item's current value follows the latest report. Files are
    removed again if the record cannot be written."""
    stored = _store(files or [])
    try:
        return _report(
            actor=actor, item=item, note=note, today=today, value=value, done=done, stored=stored
        )
    except Exception:
        _discard(stored)
        raise


@transaction.atomic
def _report(
    *,
    actor: Actor,
    item: TargetItem,
    note: str,
    today: dt.date,
    value: Decimal | None,
    done: bool | None,
    stored: list[tuple[str, CleanFile]],
) -> ProgressReport:
    item = (
        TargetItem.objects.select_for_update(of=("self",))
        .select_related("campaign", "letter", "organization")
        .get(pk=item.pk)
    )
    if not item.campaign.allows("progress", today):
        raise CampaignError("当前活动阶段不能报告进展（仅创建争创、点评评议阶段可以）")
    if item.letter is not None and item.letter.status == LetterStatus.REVIEWED:
        raise CampaignError("责任书已完成年终考核，不能再报告进展")
    if item.children.exists():
        raise CampaignError("该目标已分解，进度由分解项汇总，请在分解项上报告")
    errors: dict[str, str] = {}
    if not note.strip():
        errors["note"] = "请写明进展情况"
    if item.measure == Measure.NUMBER and value is None:
        errors["value"] = "请填写当前值"
    if errors:
        raise CampaignError(errors)
    before: dict[str, Any] = {"current_value": item.current_value, "done": item.done}
    if item.measure == Measure.NUMBER:
        item.current_value = value
    else:
        item.done = bool(done)
    item.save(update_fields=["current_value", "done", "updated_at"])
    report = ProgressReport.objects.create(
        item=item,
        value=value if item.measure == Measure.NUMBER else None,
        done=bool(done) if item.measure == Measure.DONE else None,
        note=note.strip(),
        reported_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    Evidence.objects.bulk_create(
        Evidence(
            report=report,
            storage_name=name,
            file_name=clean.name,
            content_type=clean.content_type,
            size=len(clean.content),
        )
        for name, clean in stored
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=item,
        org_path=item.organization.path,
        changes=diff_fields(before, {"current_value": item.current_value, "done": item.done})
        | {"evidence": [None, len(stored)]},
        reason="报告进展",
    )
    return report

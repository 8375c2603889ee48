"""Writes on commitments: the lifecycle 定诺 → 审诺 → 公诺 → 践诺 → 评诺.

Every status change goes through `_transition`, which locks the item, checks the source status
against TRANSITIONS, records an ItemTransition (shown on the timeline) and an audit event with
who, when and why, and refuses anything else with a Chinese message. Who may call which service
is decided by chuangxian.commitments.access; the services guard the state and the campaign
phase (Campaign.allows), which hold whoever calls them (page, command or demo)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.campaigns.dimensions import MemberDimension, OrgDimension
from chuangxian.campaigns.models import Campaign, CampaignStatus
from chuangxian.commitments.models import (
    EDITABLE_STATUSES,
    RATEABLE_STATUSES,
    CommitmentItem,
    CommitmentKind,
    CommitmentSheet,
    Evidence,
    ItemStatus,
    ItemTransition,
    LeaderComment,
    Outcome,
    ProgressUpdate,
    RaterGroup,
    Rating,
    Satisfaction,
)
from chuangxian.orgs.models import Member, MemberStatus, Organization
from chuangxian.uploads.safety import CleanFile

MAX_FILES_PER_UPDATE = 6
DEFAULT_PUBLIC_RATINGS_PER_HOUR = 30
# One item from one address: a family or an office behind one NAT address may rate it from a
# few phones, but dropping the cookie (or changing browsers) gains at most this many.
DEFAULT_PUBLIC_RATINGS_PER_ITEM_PER_ADDRESS = 5


class CommitmentError(ValidationError):
    """A write refused, with Chinese messages per field (or for the whole request)."""


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        "提交审核", frozenset({ItemStatus.DRAFT, ItemStatus.RETURNED}), ItemStatus.SUBMITTED
    ),
    "approve": Transition("审核通过", frozenset({ItemStatus.SUBMITTED}), ItemStatus.APPROVED),
    "return": Transition("退回修改", frozenset({ItemStatus.SUBMITTED}), ItemStatus.RETURNED),
    "publish": Transition("公开承诺", frozenset({ItemStatus.APPROVED}), ItemStatus.PUBLISHED),
    "progress": Transition(
        "报告进展",
        frozenset({ItemStatus.PUBLISHED, ItemStatus.IN_PROGRESS}),
        ItemStatus.IN_PROGRESS,
    ),
    "fulfil": Transition(
        "标记为已兑现",
        frozenset({ItemStatus.PUBLISHED, ItemStatus.IN_PROGRESS}),
        ItemStatus.FULFILLED,
    ),
    "unmet": Transition(
        "标记为未兑现",
        frozenset({ItemStatus.PUBLISHED, ItemStatus.IN_PROGRESS}),
        ItemStatus.UNMET,
    ),
    "close": Transition(
        "结束评诺", frozenset({ItemStatus.FULFILLED, ItemStatus.UNMET}), ItemStatus.RATED
    ),
}

# Which campaign action (Campaign.allows) each step needs; None: any time while active.
PHASE_OF: dict[str, str | None] = {
    "submit": "commit",
    "approve": "commit",
    "return": "commit",
    "publish": "commit",
    "progress": "progress",
    "fulfil": "progress",
    "unmet": "progress",
    "close": None,
}
PHASE_REFUSALS = {
    "commit": "现在不在定诺、审诺、公诺的时间内（已过承诺截止日期或活动未进入相应阶段）",
    "progress": "现在不在践诺阶段，不能报告进展或标记兑现结果",
    "rate": "现在不在评诺阶段，不能评价",
}


@dataclass(frozen=True)
class ItemValues:
    kind: str
    dimension: str
    text: str
    due_on: dt.date
    target_value: Decimal | None = None
    target_unit: str = ""
    level_commit: str = ""
    level_target: str = ""
    level_stretch: str = ""


def dimension_choices(sheet_is_member: bool) -> list[tuple[str, str]]:
    """五带头 for a member's sheet, 五好 for an organization's."""
    source = MemberDimension if sheet_is_member else OrgDimension
    return [(str(value), str(label)) for value, label in source.choices]


def _require_phase(campaign: Campaign, action: str | None, today: dt.date) -> None:
    if campaign.status != CampaignStatus.ACTIVE:
        raise CommitmentError(f"活动“{campaign.name}”不在进行中")
    if action is not None and not campaign.allows(action, today):
        raise CommitmentError(PHASE_REFUSALS[action])


def _check_values(values: ItemValues, *, sheet: CommitmentSheet, today: dt.date) -> ItemValues:
    errors: dict[str, str] = {}
    text = values.text.strip()
    if not text:
        errors["text"] = "请填写承诺内容"
    elif len(text) > 1000:
        errors["text"] = "承诺内容不能超过1000字"
    if values.kind not in CommitmentKind.values:
        errors["kind"] = "请选择承诺类型（共性、岗位或实事）"
    if values.dimension not in dict(dimension_choices(sheet.is_member_sheet)):
        errors["dimension"] = (
            "请选择对应的“五带头”标准" if sheet.is_member_sheet else "请选择对应的“五好”标准"
        )
    unit = values.target_unit.strip()
    levels = [
        values.level_commit.strip(),
        values.level_target.strip(),
        values.level_stretch.strip(),
    ]
    if values.target_value is not None:
        if values.target_value <= 0:
            errors["target_value"] = "目标数值应大于0"
        if not unit:
            errors["target_unit"] = "请填写目标数值的单位（如：户、次、小时）"
    elif not levels[1]:
        errors["level_target"] = "请填写可量化的目标数值和单位，或至少填写“努力目标”"
    campaign = sheet.campaign
    if values.due_on < today:
        errors["due_on"] = "完成时限不能早于今天"
    elif values.due_on > campaign.ends_on:
        errors["due_on"] = f"完成时限不能晚于活动结束日期（{campaign.ends_on:%Y-%m-%d}）"
    if errors:
        raise CommitmentError(errors)
    return ItemValues(
        kind=values.kind,
        dimension=values.dimension,
        text=text,
        due_on=values.due_on,
        target_value=values.target_value,
        target_unit=unit if values.target_value is not None else "",
        level_commit=levels[0][:200],
        level_target=levels[1][:200],
        level_stretch=levels[2][:200],
    )


def _snapshot(item: CommitmentItem) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "dimension": item.dimension,
        "text": item.text,
        "target": item.target_display,
        "due_on": item.due_on.isoformat(),
    }


def _locked(item: CommitmentItem) -> CommitmentItem:
    return (
        CommitmentItem.objects.select_for_update(of=("self",))
        .select_related("sheet__campaign", "sheet__organization", "sheet__member")
        .get(pk=item.pk)
    )


def _transition(
    *,
    actor: Actor,
    item: CommitmentItem,
    action: str,
    today: dt.date,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    **fields: Any,
) -> CommitmentItem:
    """Move `item` along TRANSITIONS[action] or refuse; the caller holds the transaction."""
    step = TRANSITIONS[action]
    locked = _locked(item)
    if locked.status not in step.sources:
        raise CommitmentError(f"该承诺当前状态为“{locked.get_status_display()}”，不能{step.label}")
    _require_phase(locked.sheet.campaign, PHASE_OF[action], today)
    before = locked.status
    locked.status = step.target
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    _record(actor=actor, item=locked, before=before, reason=reason, changes=changes)
    item.status = locked.status
    for name in fields:
        setattr(item, name, getattr(locked, name))
    return locked


def _record(
    *,
    actor: Actor,
    item: CommitmentItem,
    before: str,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    ItemTransition.objects.create(
        item=item,
        from_status=before,
        to_status=item.status,
        reason=reason[:2000],
        actor=actor.user if actor.user is not None and actor.user.pk else None,
        actor_label=actor.display[:150],
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if not before else AuditAction.UPDATE,
        obj=item,
        org_path=item.sheet.organization.path,
        changes={"status": [before or None, item.status], **(changes or {})},
        reason=reason,
    )


@transaction.atomic
def sheet_open(
    *,
    actor: Actor,
    campaign: Campaign,
    today: dt.date,
    member: Member | None = None,
    organization: Organization | None = None,
) -> CommitmentSheet:
    """The member's (or, without member, the organization's) sheet in `campaign`, created on
    first use. Refuses outside the campaign's subtree and after the commitment deadline."""
    if member is not None:
        if member.status != MemberStatus.ACTIVE:
            raise CommitmentError("该党员不在册，不能作出承诺")
        organization = member.organization
        existing = CommitmentSheet.objects.filter(campaign=campaign, member=member).first()
    else:
        if organization is None:
            raise CommitmentError("请指定党员或党组织")
        existing = CommitmentSheet.objects.filter(
            campaign=campaign, organization=organization, member=None
        ).first()
    if existing is not None:
        return existing
    if not organization.path.startswith(campaign.owner.path):
        raise CommitmentError("该党组织不在此活动的范围内")
    _require_phase(campaign, "commit", today)
    sheet = CommitmentSheet(
        campaign=campaign,
        organization=organization,
        member=member,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    # Uniqueness is left to the database: a second submission racing this one finds the
    # sheet it created instead of an error.
    sheet.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            sheet.save()
    except IntegrityError:
        if member is not None:
            return CommitmentSheet.objects.get(campaign=campaign, member=member)
        return CommitmentSheet.objects.get(
            campaign=campaign, organization=organization, member=None
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=sheet,
        org_path=organization.path,
        changes={"campaign": [None, campaign.name], "subject": [None, sheet.subject_name]},
    )
    return sheet


@transaction.atomic
def item_add(
    *, actor: Actor, sheet: CommitmentSheet, values: ItemValues, today: dt.date
) -> CommitmentItem:
    """定诺: a new draft item on the sheet, inside the commitment window."""
    _require_phase(sheet.campaign, "commit", today)
    clean = _check_values(values, sheet=sheet, today=today)
    item = CommitmentItem(sheet=sheet, status=ItemStatus.DRAFT, **clean.__dict__)
    item.full_clean()
    item.save()
    _record(actor=actor, item=item, before="", changes={"text": [None, item.text]})
    return item


@transaction.atomic
def item_update(
    *, actor: Actor, item: CommitmentItem, values: ItemValues, today: dt.date
) -> CommitmentItem:
    """Change a draft or returned item (what was reviewed or published stays as it was)."""
    locked = _locked(item)
    if locked.status not in EDITABLE_STATUSES:
        raise CommitmentError(
            f"该承诺当前状态为“{locked.get_status_display()}”，只有草稿或被退回的承诺可以修改"
        )
    _require_phase(locked.sheet.campaign, "commit", today)
    clean = _check_values(values, sheet=locked.sheet, today=today)
    before = _snapshot(locked)
    for name, value in clean.__dict__.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    after = _snapshot(locked)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            org_path=locked.sheet.organization.path,
            changes=changed,
        )
    return locked


@transaction.atomic
def item_delete(*, actor: Actor, item: CommitmentItem) -> None:
    """Remove a draft never submitted. Anything reviewed stays on record."""
    locked = _locked(item)
    if locked.status != ItemStatus.DRAFT or locked.transitions.exclude(from_status="").exists():
        raise CommitmentError(
            f"该承诺当前状态为“{locked.get_status_display()}”，只有未提交过的草稿可以删除"
        )
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=locked,
        org_path=locked.sheet.organization.path,
        changes={"text": [locked.text, None]},
    )
    locked.delete()


@transaction.atomic
def item_submit(*, actor: Actor, item: CommitmentItem, today: dt.date) -> CommitmentItem:
    """定诺 → 审诺: a draft (or returned) item goes to the reviewer."""
    return _transition(actor=actor, item=item, action="submit", today=today, return_reason="")


@transaction.atomic
def sheet_submit(*, actor: Actor, sheet: CommitmentSheet, today: dt.date) -> int:
    """Submit every draft or returned item of the sheet; refuses an empty submission."""
    items = list(sheet.items.filter(status__in=EDITABLE_STATUSES))
    if not items:
        raise CommitmentError("没有可提交的承诺事项（草稿或被退回的）")
    for item in items:
        item_submit(actor=actor, item=item, today=today)
    return len(items)


@transaction.atomic
def item_approve(
    *, actor: Actor, item: CommitmentItem, today: dt.date, note: str = ""
) -> CommitmentItem:
    """审诺: the reviewer accepts the item as advanced, tied to the post and feasible."""
    return _transition(actor=actor, item=item, action="approve", today=today, reason=note.strip())


@transaction.atomic
def item_return(
    *, actor: Actor, item: CommitmentItem, reason: str, today: dt.date
) -> CommitmentItem:
    """审诺: send the item back with the reason, for the drafter to change and resubmit."""
    reason = reason.strip()
    if not reason:
        raise CommitmentError({"reason": "退回时请写明原因"})
    return _transition(
        actor=actor,
        item=item,
        action="return",
        today=today,
        reason=reason,
        return_reason=reason[:500],
    )


@transaction.atomic
def item_publish(*, actor: Actor, item: CommitmentItem, today: dt.date) -> CommitmentItem:
    """公诺: the approved item appears on the public wall."""
    return _transition(
        actor=actor, item=item, action="publish", today=today, published_at=timezone.now()
    )


@transaction.atomic
def sheet_publish(*, actor: Actor, sheet: CommitmentSheet, today: dt.date) -> int:
    """Publish every approved item of the sheet; refuses when there is none."""
    items = list(sheet.items.filter(status=ItemStatus.APPROVED))
    if not items:
        raise CommitmentError("没有已审核通过、待公开的承诺事项")
    for item in items:
        item_publish(actor=actor, item=item, today=today)
    return len(items)


def _store_evidence(update: ProgressUpdate, files: Sequence[CleanFile]) -> list[Evidence]:
    stored: list[Evidence] = []
    try:
        for clean in files:
            evidence = Evidence(
                update=update,
                original_name=clean.name[:120],
                content_type=clean.content_type,
                size=len(clean.content),
                is_image=clean.is_image,
            )
            evidence.file.save(clean.name, ContentFile(clean.content), save=False)
            stored.append(evidence)
            evidence.save()
    except Exception:
        # The rows roll back with the transaction; the files would not.
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def progress_report(
    *,
    actor: Actor,
    item: CommitmentItem,
    text: str,
    today: dt.date,
    achieved_value: Decimal | None = None,
    files: Sequence[CleanFile] = (),
) -> ProgressUpdate:
    """践诺: a progress update with optional figure and evidence files (already checked by
    chuangxian.uploads.safety.check_upload). The first update moves the item to 践诺中."""
    text = text.strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "请填写进展情况"
    if len(files) > MAX_FILES_PER_UPDATE:
        errors["files"] = f"每次最多上传{MAX_FILES_PER_UPDATE}个附件"
    if achieved_value is not None and achieved_value < 0:
        errors["achieved_value"] = "已完成数值不能为负数"
    if errors:
        raise CommitmentError(errors)
    step = TRANSITIONS["progress"]
    locked = _locked(item)
    if locked.status not in step.sources:
        raise CommitmentError(f"该承诺当前状态为“{locked.get_status_display()}”，不能{step.label}")
    _require_phase(locked.sheet.campaign, PHASE_OF["progress"], today)
    before = locked.status
    locked.status = step.target
    if achieved_value is not None:
        locked.achieved_value = achieved_value
    locked.save()
    if before != locked.status:
        # Only the first update is a change of state; later ones are timeline entries.
        _record(actor=actor, item=locked, before=before, reason="开始践诺")
    item.status, item.achieved_value = locked.status, locked.achieved_value
    update = ProgressUpdate.objects.create(
        item=locked,
        text=text[:2000],
        achieved_value=achieved_value,
        reported_on=today,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    stored = _store_evidence(update, files)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=update,
        object_label=f"践诺进展：{locked}",
        org_path=locked.sheet.organization.path,
        changes={
            "text": [None, update.text],
            "files": [None, [evidence.original_name for evidence in stored]],
        },
    )
    return update


@transaction.atomic
def comment_add(
    *, actor: Actor, item: CommitmentItem, organization: Organization, text: str
) -> LeaderComment:
    """领导点评 on a published item, in the name of the superior `organization`."""
    text = text.strip()
    if not text:
        raise CommitmentError({"text": "请填写点评内容"})
    if not item.is_public:
        raise CommitmentError("只能点评已公开的承诺")
    _require_phase(item.sheet.campaign, None, timezone.localdate())
    comment = LeaderComment.objects.create(
        item=item,
        text=text[:1000],
        author=actor.user if actor.user is not None and actor.user.pk else None,
        author_label=actor.display[:150],
        organization=organization,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=comment,
        object_label=f"领导点评：{item}",
        org_path=item.sheet.organization.path,
        changes={"comment": [None, comment.text]},
    )
    return comment


@transaction.atomic
def item_fulfil(
    *, actor: Actor, item: CommitmentItem, today: dt.date, note: str = ""
) -> CommitmentItem:
    """The item was kept (兑现)."""
    return _transition(
        actor=actor,
        item=item,
        action="fulfil",
        today=today,
        reason=note.strip(),
        outcome=Outcome.FULFILLED,
        outcome_note=note.strip()[:2000],
        closed_at=timezone.now(),
    )


@transaction.atomic
def item_mark_unmet(
    *, actor: Actor, item: CommitmentItem, explanation: str, today: dt.date
) -> CommitmentItem:
    """The item was not kept; the explanation is shown publicly, so it is required."""
    explanation = explanation.strip()
    if not explanation:
        raise CommitmentError({"explanation": "未兑现的承诺必须向群众公开说明原因"})
    return _transition(
        actor=actor,
        item=item,
        action="unmet",
        today=today,
        reason=explanation,
        outcome=Outcome.UNMET,
        outcome_note=explanation[:2000],
        closed_at=timezone.now(),
    )


@transaction.atomic
def item_close_rating(*, actor: Actor, item: CommitmentItem, today: dt.date) -> CommitmentItem:
    """评诺结束: no more ratings; the item's record is final."""
    return _transition(actor=actor, item=item, action="close", today=today)


def device_hash(device_id: str) -> str:
    """A keyed hash of the device cookie's value: the raw id is never stored."""
    return salted_hmac("chuangxian.commitments.device", device_id, algorithm="sha256").hexdigest()


def address_hash(address: str) -> str:
    return salted_hmac("chuangxian.commitments.address", address, algorithm="sha256").hexdigest()


def client_hash(address: str, user_agent: str) -> str:
    """A keyed hash of the address and the browser's User-Agent: what still recognises a
    device that dropped its cookie (two phones on one Wi-Fi usually differ in User-Agent)."""
    return salted_hmac(
        "chuangxian.commitments.client", f"{address}|{user_agent.strip()[:300]}", algorithm="sha256"
    ).hexdigest()


def public_ratings_per_item_per_address() -> int:
    return int(
        getattr(
            settings,
            "COMMITMENT_PUBLIC_RATINGS_PER_ITEM_PER_ADDRESS",
            DEFAULT_PUBLIC_RATINGS_PER_ITEM_PER_ADDRESS,
        )
    )


def public_ratings_per_hour() -> int:
    return int(
        getattr(settings, "COMMITMENT_PUBLIC_RATINGS_PER_HOUR", DEFAULT_PUBLIC_RATINGS_PER_HOUR)
    )


@transaction.atomic
def rating_record(
    *,
    actor: Actor,
    item: CommitmentItem,
    group: str,
    score: int,
    today: dt.date,
    rater: Any = None,
    device_id: str = "",
    address: str | None = None,
    user_agent: str = "",
) -> Rating:
    """评诺: one rating of a published item in the rating phase. Members and the superior
    rate once per account. The public rate once per device, as far as a device can be told
    without an account: once per signed device cookie; once per address and User-Agent (so a
    dropped cookie does not give another rating); at most
    COMMITMENT_PUBLIC_RATINGS_PER_ITEM_PER_ADDRESS (default 5) ratings of one item from one
    address; and at most COMMITMENT_PUBLIC_RATINGS_PER_HOUR (default 30) ratings an hour from
    one address. The item row is locked first, so concurrent ratings of it are checked one
    after the other."""
    if score not in Satisfaction.values:
        raise CommitmentError({"score": "请选择满意、基本满意或不满意"})
    if group not in RaterGroup.values:
        raise CommitmentError("评价人类别不正确")
    locked = _locked(item)
    if locked.status not in RATEABLE_STATUSES:
        raise CommitmentError(f"该承诺当前状态为“{locked.get_status_display()}”，不能评价")
    _require_phase(locked.sheet.campaign, "rate", today)
    rating = Rating(item=locked, group=group, score=score)
    if group == RaterGroup.PUBLIC:
        if not device_id:
            raise CommitmentError("无法识别您的设备：请允许浏览器保存 Cookie 后重新打开本页再评价")
        rating.device_hash = device_hash(device_id)
        if Rating.objects.filter(item=locked, device_hash=rating.device_hash).exists():
            raise CommitmentError("本设备已评价过该承诺，每台设备只能评价一次")
        if address:
            rating.address_hash = address_hash(address)
            rating.client_hash = client_hash(address, user_agent)
            public = Rating.objects.filter(item=locked, group=RaterGroup.PUBLIC)
            if public.filter(client_hash=rating.client_hash).exists():
                raise CommitmentError("本设备已评价过该承诺，每台设备只能评价一次")
            same_address = public.filter(address_hash=rating.address_hash).count()
            if same_address >= public_ratings_per_item_per_address():
                raise CommitmentError("同一网络已多次评价该承诺，请换用手机流量网络后再评价")
            since = timezone.now() - dt.timedelta(hours=1)
            recent = Rating.objects.filter(address_hash=rating.address_hash, created_at__gte=since)
            if recent.count() >= public_ratings_per_hour():
                raise CommitmentError("评价过于频繁，请一小时后再试")
    else:
        if rater is None or not rater.pk:
            raise CommitmentError("请先登录再以党员或上级组织身份评价")
        rating.rater = rater
        if Rating.objects.filter(item=locked, rater=rater).exists():
            raise CommitmentError("您已评价过该承诺")
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise CommitmentError("已评价过该承诺，不能重复评价")
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=rating,
        object_label=f"评诺：{locked}",
        org_path=locked.sheet.organization.path,
        changes={"group": [None, group], "score": [None, score]},
    )
    return rating

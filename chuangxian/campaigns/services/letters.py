"""目标管理责任书: signatures of both first-responsible persons, the half-year self-check
and the year-end review. Each is a state transition that checks the source state."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.campaigns.access import is_first_responsible
from chuangxian.campaigns.models import LetterStatus, ResponsibilityLetter
from chuangxian.campaigns.services.errors import CampaignError

SUPERIOR = "superior"
HOLDER = "holder"
Scores = dict[int, tuple[Decimal | None, str]]


def _locked(letter: ResponsibilityLetter) -> ResponsibilityLetter:
    return (
        ResponsibilityLetter.objects.select_for_update(of=("self",))
        .select_related("campaign", "organization", "superior")
        .get(pk=letter.pk)
    )


@transaction.atomic
def letter_sign(
    *, actor: Actor, letter: ResponsibilityLetter, side: str, user: Any
) -> ResponsibilityLetter:
    """The logged-in first-responsible person (书记 or 管理员 of that organization itself)
    signs for their side, time-stamped. Once both have signed the items are frozen."""
    letter = _locked(letter)
    if side not in (SUPERIOR, HOLDER):
        raise CampaignError("签字方不正确")
    if letter.status != LetterStatus.DRAFT:
        raise CampaignError("责任书已签订")
    if not letter.items.exists():
        raise CampaignError("责任书还没有目标，不能签字")
    org = letter.superior if side == SUPERIOR else letter.organization
    if not is_first_responsible(user, org):
        raise CampaignError(f"只有{org.name}的书记或管理员（第一责任人）才能代表其签字")
    signed_by = "superior_signed_by" if side == SUPERIOR else "holder_signed_by"
    signed_at = "superior_signed_at" if side == SUPERIOR else "holder_signed_at"
    other_by = "holder_signed_by_id" if side == SUPERIOR else "superior_signed_by_id"
    if getattr(letter, signed_at) is not None:
        raise CampaignError("这一方已经签字")
    if getattr(letter, other_by) == user.pk:
        raise CampaignError("双方须由不同的人签字")
    setattr(letter, signed_by, user)
    setattr(letter, signed_at, timezone.now())
    if letter.is_signed:
        letter.status = LetterStatus.SIGNED
    letter.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=letter,
        org_path=letter.organization.path,
        changes={signed_by: [None, str(user)], "status": [LetterStatus.DRAFT, letter.status]},
        reason=f"代表{org.name}签订目标管理责任书",
    )
    return letter


def _apply_scores(
    letter: ResponsibilityLetter, scores: Scores, score_field: str, note_field: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    items = list(letter.items.all())
    for item in items:
        score, note = scores.get(item.pk, (None, ""))
        key = f"score_{item.pk}"
        if score is None:
            errors[key] = f"请为“{item.title}”打分"
        elif not Decimal(0) <= score <= item.weight:
            errors[key] = f"“{item.title}”的得分应在0到{item.weight}之间"
        setattr(item, score_field, score)
        setattr(item, note_field, note.strip()[:300])
    if errors:
        raise CampaignError(errors)
    for item in items:
        item.save(update_fields=[score_field, note_field])
    return errors


@transaction.atomic
def letter_self_check(
    *, actor: Actor, letter: ResponsibilityLetter, scores: Scores, note: str, today: dt.date
) -> ResponsibilityLetter:
    """已签订 → 已半年自查: the holder scores itself item by item."""
    letter = _locked(letter)
    if letter.status != LetterStatus.SIGNED:
        raise CampaignError(f"只有已签订的责任书才能自查（当前：{letter.get_status_display()}）")
    if not letter.campaign.allows("progress", today):
        raise CampaignError("当前活动阶段不能自查（仅创建争创、点评评议阶段可以）")
    _apply_scores(letter, scores, "self_score", "self_note")
    letter.status = LetterStatus.SELF_CHECKED
    letter.self_check_note = note.strip()
    letter.self_checked_by = actor.user
    letter.self_checked_at = timezone.now()
    letter.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=letter,
        org_path=letter.organization.path,
        changes={"status": [LetterStatus.SIGNED, LetterStatus.SELF_CHECKED]},
        reason="半年自查",
    )
    return letter


@transaction.atomic
def letter_review(
    *, actor: Actor, letter: ResponsibilityLetter, scores: Scores, note: str, today: dt.date
) -> ResponsibilityLetter:
    """已半年自查 → 已年终考核: the superior scores each item; the total is their sum, or zero
    when a 一票否决 item scored zero. Only in the 点评评议 phase."""
    letter = _locked(letter)
    if letter.status != LetterStatus.SELF_CHECKED:
        raise CampaignError(
            f"只有完成半年自查的责任书才能年终考核（当前：{letter.get_status_display()}）"
        )
    if not letter.campaign.allows("review", today):
        raise CampaignError("年终考核须在点评评议阶段进行")
    _apply_scores(letter, scores, "review_score", "review_note")
    items = list(letter.items.all())
    vetoed = any(item.veto and item.review_score == 0 for item in items)
    total = sum((item.review_score or Decimal(0) for item in items), Decimal(0))
    letter.status = LetterStatus.REVIEWED
    letter.vetoed = vetoed
    letter.review_total = Decimal(0) if vetoed else total
    letter.review_note = note.strip()
    letter.reviewed_by = actor.user
    letter.reviewed_at = timezone.now()
    letter.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=letter,
        org_path=letter.organization.path,
        changes={
            "status": [LetterStatus.SELF_CHECKED, LetterStatus.REVIEWED],
            "review_total": [None, str(letter.review_total)],
            "vetoed": [False, vetoed],
        },
        reason="年终考核",
    )
    return letter

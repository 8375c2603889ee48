"""亮身份 post cards and the public's one-tap rating of the service at the post (三为三树).

A member makes their own card, or the branch makes it for them; the public rates once per
device per day (and at most CARD_RATINGS_PER_ADDRESS_PER_HOUR from one address)."""

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import PostCard, PostRating, PostType, ServiceScore
from chuangxian.openness.services.opinions import _hash, device_hash
from chuangxian.orgs.models import Member
from chuangxian.uploads.safety import CleanFile

CARD_RATINGS_PER_ADDRESS_PER_HOUR = 30


def _validate(post_type: str, post_name: str, pledge: str) -> None:
    errors = {}
    if post_type not in PostType.values:
        errors["post_type"] = "请选择岗位类型"
    if not post_name.strip():
        errors["post_name"] = "请填写岗位名称"
    if not pledge.strip():
        errors["pledge"] = "请填写服务承诺"
    if errors:
        raise OpennessError(errors)


def _store_photo(card: PostCard, photo: CleanFile | None) -> None:
    if photo is None:
        return
    if not photo.is_image:
        raise OpennessError({"photo": "只接受照片（JPG、PNG、GIF、WebP）"})
    card.photo.save(photo.name, ContentFile(photo.content), save=False)
    card.photo_type = photo.content_type


@transaction.atomic
def card_save(
    *,
    actor: Actor,
    member: Member,
    post_type: str,
    post_name: str,
    pledge: str,
    photo: CleanFile | None = None,
    remove_photo: bool = False,
) -> PostCard:
    """Make or change the member's card (one per member)."""
    _validate(post_type, post_name, pledge)
    card = PostCard.objects.select_for_update().filter(member=member).first()
    created = card is None
    if card is None:
        card = PostCard(member=member, organization=member.organization)
    before = {"post_type": card.post_type, "post_name": card.post_name, "pledge": card.pledge}
    card.post_type, card.post_name, card.pledge = post_type, post_name.strip(), pledge.strip()
    if remove_photo and card.photo:
        card.photo.delete(save=False)
        card.photo, card.photo_type = "", ""
    _store_photo(card, photo)
    card.active = True
    card.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=card,
        object_label=f"亮身份岗位卡：{member.name}",
        org_path=card.organization.path,
        changes={
            name: [before[name] or None, getattr(card, name)]
            for name in before
            if before[name] != getattr(card, name)
        }
        | ({"photo": [None, "已上传"]} if photo else {}),
    )
    return card


@transaction.atomic
def card_deactivate(*, actor: Actor, card: PostCard) -> PostCard:
    """停用: the QR code no longer takes ratings (the member left the post)."""
    locked = PostCard.objects.select_for_update().select_related("organization").get(pk=card.pk)
    locked.active = False
    locked.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        object_label=f"亮身份岗位卡停用：{locked.post_name}",
        org_path=locked.organization.path,
        changes={"active": [True, False]},
    )
    return locked


@transaction.atomic
def card_rate(
    *,
    card: PostCard,
    score: int,
    device_id: str,
    today: dt.date,
    comment: str = "",
    address: str | None = None,
) -> PostRating:
    """The public's rating: 满意 / 基本满意 / 不满意 with an optional comment."""
    if score not in ServiceScore.values:
        raise OpennessError({"score": "请选择满意、基本满意或不满意"})
    if not card.active:
        raise OpennessError("该岗位卡已停用")
    if not device_id:
        raise OpennessError("无法识别您的设备：请允许浏览器保存 Cookie 后重新打开本页再评价")
    comment = comment.strip()
    if len(comment) > 200:
        raise OpennessError({"comment": "意见不能超过200字"})
    rating = PostRating(
        card=card,
        score=score,
        comment=comment,
        device_hash=device_hash(device_id),
        rated_on=today,
    )
    if address:
        rating.address_hash = _hash("address", address)
        since = timezone.now() - dt.timedelta(hours=1)
        limit = int(
            getattr(
                settings,
                "OPENNESS_CARD_RATINGS_PER_ADDRESS_PER_HOUR",
                CARD_RATINGS_PER_ADDRESS_PER_HOUR,
            )
        )
        if (
            PostRating.objects.filter(
                address_hash=rating.address_hash, created_at__gte=since
            ).count()
            >= limit
        ):
            raise OpennessError("评价过于频繁，请一小时后再试")
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise OpennessError("本设备今天已评价过，明天可以再评价")
    audit_record(
        actor=Actor(label="群众（扫码评价）"),
        action=AuditAction.CREATE,
        obj=rating,
        object_label=f"岗位服务评价：{card.post_name}",
        org_path=card.organization.path,
        changes={"score": [None, score], "comment": [None, bool(comment)]},
    )
    return rating

"""征求意见: an organization puts a draft decision to its members (or to the public too) until
a deadline; comments come in from phones; the decision records, comment by comment, whether it
was adopted and, if not, why — and every commenter sees that trail."""

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import (
    Audience,
    Consultation,
    ConsultationComment,
    ConsultationStatus,
)
from chuangxian.openness.services.opinions import device_hash
from chuangxian.orgs.models import Organization

PUBLIC_COMMENTS_PER_DEVICE = 3


@transaction.atomic
def consultation_open(
    *,
    actor: Actor,
    organization: Organization,
    title: str,
    draft: str,
    audience: str,
    deadline: dt.date,
    today: dt.date,
) -> Consultation:
    errors = {}
    if not title.strip():
        errors["title"] = "请填写标题"
    if not draft.strip():
        errors["draft"] = "请填写决定草案"
    if audience not in Audience.values:
        errors["audience"] = "请选择征求范围"
    if deadline < today:
        errors["deadline"] = "截止日期不能早于今天"
    if errors:
        raise OpennessError(errors)
    consultation = Consultation.objects.create(
        organization=organization,
        title=title.strip(),
        draft=draft.strip(),
        audience=audience,
        deadline=deadline,
        created_by=actor.user,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=consultation,
        object_label=f"征求意见：{consultation.title}",
        org_path=organization.path,
        changes={"audience": [None, audience], "deadline": [None, deadline.isoformat()]},
    )
    return consultation


def may_comment_as_member(user: object, consultation: Consultation) -> bool:
    """A member of the organization (or of an organization below it)."""
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    return member is not None and member.organization.path.startswith(
        consultation.organization.path
    )


@transaction.atomic
def consultation_comment(
    *,
    consultation: Consultation,
    text: str,
    today: dt.date,
    user: object = None,
    device_id: str = "",
) -> ConsultationComment:
    """A comment, until the deadline: by a member, or (when open to the public) by a visitor,
    at most PUBLIC_COMMENTS_PER_DEVICE per device."""
    text = text.strip()
    if len(text) < 2:
        raise OpennessError({"text": "请填写意见"})
    if len(text) > 1000:
        raise OpennessError({"text": "意见不能超过1000字"})
    locked = (
        Consultation.objects.select_for_update()
        .select_related("organization")
        .get(pk=consultation.pk)
    )
    if locked.status != ConsultationStatus.OPEN or today > locked.deadline:
        raise OpennessError("征求意见已截止")
    comment = ConsultationComment(consultation=locked, text=text)
    if may_comment_as_member(user, locked):
        comment.author = user  # type: ignore[assignment]
        comment.author_label = user.member.name  # type: ignore[attr-defined]
        actor = Actor(user=user)
    elif locked.audience == Audience.PUBLIC:
        if not device_id:
            raise OpennessError("无法识别您的设备：请允许浏览器保存 Cookie 后再提交")
        comment.device_hash = device_hash(device_id)
        given = ConsultationComment.objects.filter(
            consultation=locked, device_hash=comment.device_hash
        ).count()
        if given >= PUBLIC_COMMENTS_PER_DEVICE:
            raise OpennessError("本设备对该事项提交的意见已达上限")
        comment.author_label = "群众"
        actor = Actor(label="群众（征求意见）")
    else:
        raise OpennessError("该事项只征求本组织党员的意见")
    comment.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=comment,
        object_label=f"征求意见的意见：{locked.title}",
        org_path=locked.organization.path,
        changes={"length": [None, len(text)]},
    )
    return comment


@transaction.atomic
def consultation_decide(
    *,
    actor: Actor,
    consultation: Consultation,
    decision: str,
    responses: Mapping[int, tuple[bool, str]],
) -> Consultation:
    """The final decision: every comment marked adopted or not, a reason required for each
    comment not adopted. Nothing is written unless all are answered."""
    decision = decision.strip()
    locked = (
        Consultation.objects.select_for_update()
        .select_related("organization")
        .get(pk=consultation.pk)
    )
    if locked.status != ConsultationStatus.OPEN:
        raise OpennessError("该事项已形成决定")
    errors: list[str] = []
    if not decision:
        errors.append("请填写最终决定")
    comments = list(locked.comments.all())
    for number, comment in enumerate(comments, start=1):
        answer = responses.get(comment.pk)
        if answer is None:
            errors.append(f"第{number}条意见尚未说明是否采纳")
        elif not answer[0] and not answer[1].strip():
            errors.append(f"第{number}条意见未采纳，须说明理由")
    if errors:
        raise OpennessError(errors)
    for comment in comments:
        adopted, reason = responses[comment.pk]
        comment.adopted = adopted
        comment.response = reason.strip()[:500]
        comment.save(update_fields=["adopted", "response"])
    locked.decision = decision
    locked.status = ConsultationStatus.DECIDED
    locked.decided_at = timezone.now()
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=locked,
        object_label=f"征求意见形成决定：{locked.title}",
        org_path=locked.organization.path,
        changes={
            "status": [ConsultationStatus.OPEN, ConsultationStatus.DECIDED],
            "adopted": [None, sum(1 for c in comments if c.adopted)],
            "not_adopted": [None, sum(1 for c in comments if not c.adopted)],
        },
    )
    return locked

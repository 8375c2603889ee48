"""意见建议: the public's opinions, from the QR code to the 回音壁.

    submit ──► 待答复 ──answer──► 已答复 ──rate satisfied──► 已办结
                │                   │  └─rate dissatisfied (stays 已答复; may reopen once)
                │                   └─reopen (once) ──► 重新办理 ──answer──► 已答复
                └─reject ──► 不予受理

Visibility on the 回音壁 is apart from the status: pending until a moderator publishes it (or
keeps it private), hidden again once REPORTS_TO_HIDE visitors report it, until looked at anew.
Abuse controls need no captcha service: a device may submit OPINIONS_PER_DEVICE_PER_DAY a day,
an address OPINIONS_PER_ADDRESS_PER_HOUR an hour, and a text nearly the same as one the
organization received in the last DUPLICATE_WINDOW_DAYS days is refused as a duplicate."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import (
    Opinion,
    OpinionReport,
    OpinionStatus,
    Satisfaction,
    Visibility,
)
from chuangxian.openness.sensitive import find_sensitive
from chuangxian.orgs.models import Organization
from chuangxian.orgs.phone import PhoneError, normalize_mobile
from chuangxian.textsimilarity import similarity
from chuangxian.uploads.safety import CleanFile
from chuangxian.workdays import add_working_days

MIN_LENGTH = 5
MAX_LENGTH = 1000
REPLY_MAX_LENGTH = 2000
DEFAULT_ANSWER_DAYS = 5
OPINIONS_PER_DEVICE_PER_DAY = 3
OPINIONS_PER_ADDRESS_PER_HOUR = 10
DUPLICATE_WINDOW_DAYS = 30
DUPLICATE_SIMILARITY = 0.7
REPORTS_TO_HIDE = 3
PUBLIC_ACTOR = Actor(label="群众（扫码提交）")


def answer_days() -> int:
    """Working days the organization has to answer (OPENNESS_OPINION_ANSWER_DAYS, default 5)."""
    return int(getattr(settings, "OPENNESS_OPINION_ANSWER_DAYS", DEFAULT_ANSWER_DAYS))


def _hash(purpose: str, value: str) -> str:
    return salted_hmac(f"chuangxian.openness.{purpose}", value, algorithm="sha256").hexdigest()


def follow_hash(token: str) -> str:
    return _hash("follow", token)


def device_hash(device_id: str) -> str:
    return _hash("device", device_id)


def _record(
    actor: Actor, opinion: Opinion, action: str, changes: dict[str, list[object]], reason: str = ""
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if action == "submit" else AuditAction.TRANSITION,
        obj=opinion,
        object_label=f"意见建议#{opinion.pk}：{action}",
        org_path=opinion.organization.path,
        changes=changes,
        reason=reason,
    )


def _check_limits(org: Organization, device: str, address: str, text: str) -> None:
    now = timezone.now()
    day_ago = now - dt.timedelta(days=1)
    if Opinion.objects.filter(device_hash=device, submitted_at__gte=day_ago).count() >= int(
        getattr(settings, "OPENNESS_OPINIONS_PER_DEVICE_PER_DAY", OPINIONS_PER_DEVICE_PER_DAY)
    ):
        raise OpennessError("本设备今天提交的意见建议已达上限，请明天再提交")
    if address:
        hour_ago = now - dt.timedelta(hours=1)
        recent = Opinion.objects.filter(address_hash=address, submitted_at__gte=hour_ago)
        limit = int(
            getattr(
                settings, "OPENNESS_OPINIONS_PER_ADDRESS_PER_HOUR", OPINIONS_PER_ADDRESS_PER_HOUR
            )
        )
        if recent.count() >= limit:
            raise OpennessError("提交过于频繁，请一小时后再试")
    since = now - dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    earlier = Opinion.objects.filter(organization=org, submitted_at__gte=since).exclude(
        status=OpinionStatus.REJECTED
    )
    for previous in earlier.values_list("text", flat=True)[:500]:
        if similarity(previous, text) >= DUPLICATE_SIMILARITY:
            raise OpennessError(
                {"text": "该组织近期已收到内容相同的意见建议，请勿重复提交；可在回音壁查看答复"}
            )


@transaction.atomic
def opinion_submit(
    *,
    organization: Organization,
    text: str,
    device_id: str,
    today: dt.date,
    address: str | None = None,
    phone: str = "",
    photo: CleanFile | None = None,
) -> tuple[Opinion, str]:
    """A visitor's opinion, assigned to the organization and due in answer_days() working
    days. Returns the opinion and the secret follow-up token (only its hash is stored), with
    which the submitter later rates the reply or reopens it. Refused, with nothing written,
    when a limit is reached, the text is too short or long, or it repeats a recent one."""
    text = text.strip()
    if len(text) < MIN_LENGTH:
        raise OpennessError({"text": f"请至少写 {MIN_LENGTH} 个字，说清楚问题或建议"})
    if len(text) > MAX_LENGTH:
        raise OpennessError({"text": f"意见建议不能超过 {MAX_LENGTH} 字"})
    if not device_id:
        raise OpennessError("无法识别您的设备：请允许浏览器保存 Cookie 后重新打开本页再提交")
    if phone.strip():
        try:
            phone = normalize_mobile(phone)
        except PhoneError as error:
            raise OpennessError({"phone": str(error)})
    device = device_hash(device_id)
    address_key = _hash("address", address) if address else ""
    # One submission at a time per organization, so two identical ones cannot both pass.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    _check_limits(organization, device, address_key, text)
    token = secrets.token_urlsafe(24)
    due = add_working_days(today, answer_days())
    opinion = Opinion(
        organization=organization,
        text=text,
        phone=phone.strip(),
        follow_hash=follow_hash(token),
        device_hash=device,
        address_hash=address_key,
        submitted_on=today,
        first_due_on=due,
        due_on=due,
    )
    stored = False
    try:
        if photo is not None:
            opinion.photo.save(photo.name, ContentFile(photo.content), save=False)
            opinion.photo_type = photo.content_type
            stored = True
        opinion.save()
        _record(
            PUBLIC_ACTOR,
            opinion,
            "submit",
            {"due_on": [None, due.isoformat()], "photo": [None, bool(photo)]},
        )
    except Exception:
        if stored:
            opinion.photo.delete(save=False)
        raise
    return opinion, token


def _locked(opinion: Opinion) -> Opinion:
    return Opinion.objects.select_for_update().select_related("organization").get(pk=opinion.pk)


def _require(opinion: Opinion, sources: set[str], label: str) -> None:
    if opinion.status not in sources:
        raise OpennessError(f"该意见建议当前为“{opinion.get_status_display()}”，不能{label}")


@transaction.atomic
def opinion_answer(*, actor: Actor, opinion: Opinion, reply: str, today: dt.date) -> Opinion:
    """答复: the organization's reply, shown on the 回音壁 once the opinion is published.
    The first answer's date is kept for the on-time figure."""
    reply = reply.strip()
    if not reply:
        raise OpennessError({"reply": "请填写答复内容"})
    if len(reply) > REPLY_MAX_LENGTH:
        raise OpennessError({"reply": f"答复不能超过 {REPLY_MAX_LENGTH} 字"})
    locked = _locked(opinion)
    _require(locked, {OpinionStatus.OPEN, OpinionStatus.REOPENED}, "答复")
    before = locked.status
    locked.status = OpinionStatus.ANSWERED
    locked.reply = reply
    locked.replied_at = timezone.now()
    locked.replied_by = actor.user
    locked.satisfaction = ""
    locked.rated_at = None
    if locked.first_answered_on is None:
        locked.first_answered_on = today
    locked.save()
    _record(
        actor,
        locked,
        "answer",
        {"status": [before, locked.status], "late": [None, today > locked.due_on]},
    )
    return locked


@transaction.atomic
def opinion_reject(*, actor: Actor, opinion: Opinion, reason: str) -> Opinion:
    """不予受理 (abuse, advertising, nothing to do with the organization): with a reason;
    it never shows in public."""
    reason = reason.strip()
    if not reason:
        raise OpennessError({"reason": "请说明不予受理的理由"})
    locked = _locked(opinion)
    _require(locked, {OpinionStatus.OPEN, OpinionStatus.REOPENED}, "不予受理")
    before = locked.status
    locked.status = OpinionStatus.REJECTED
    locked.visibility = Visibility.PRIVATE
    locked.reject_reason = reason[:300]
    locked.moderated_at = timezone.now()
    locked.save()
    _record(actor, locked, "reject", {"status": [before, locked.status]}, reason)
    return locked


@transaction.atomic
def opinion_moderate(*, actor: Actor, opinion: Opinion, publish: bool) -> Opinion:
    """审核: show the opinion on the 回音壁, or keep it private (personal matters, insults).
    An opinion whose text or reply holds an ID number or a mobile number is never shown.
    Clears the reports counted so far: what was reviewed stays as decided."""
    locked = _locked(opinion)
    if locked.status == OpinionStatus.REJECTED:
        raise OpennessError("不予受理的意见建议不能公开")
    if publish and find_sensitive(f"{locked.text}\n{locked.reply}"):
        raise OpennessError("内容中含有公民身份号码或手机号码，不能在回音壁公开；可设为不公开")
    before = locked.visibility
    locked.visibility = Visibility.PUBLISHED if publish else Visibility.PRIVATE
    locked.moderated_at = timezone.now()
    locked.report_count = 0
    locked.save()
    locked.reports.all().delete()
    _record(actor, locked, "moderate", {"visibility": [before, locked.visibility]})
    return locked


def _submitter(opinion: Opinion, token: str) -> Opinion:
    if not token or follow_hash(token) != opinion.follow_hash:
        raise OpennessError("只有提交人可以评价或申请重新办理")
    return _locked(opinion)


@transaction.atomic
def opinion_rate(*, opinion: Opinion, token: str, satisfaction: str) -> Opinion:
    """The submitter's rating of the answer. Satisfied closes the opinion; not satisfied
    leaves it answered, and the submitter may still reopen it once."""
    if satisfaction not in Satisfaction.values:
        raise OpennessError({"satisfaction": "请选择满意或不满意"})
    locked = _submitter(opinion, token)
    _require(locked, {OpinionStatus.ANSWERED}, "评价")
    if locked.satisfaction:
        raise OpennessError("已评价过本次答复")
    before = locked.status
    locked.satisfaction = satisfaction
    locked.rated_at = timezone.now()
    if satisfaction == Satisfaction.SATISFIED:
        locked.status = OpinionStatus.CLOSED
    locked.save()
    _record(
        Actor(label="群众（提交人）"),
        locked,
        "rate",
        {"status": [before, locked.status], "satisfaction": [None, satisfaction]},
    )
    return locked


@transaction.atomic
def opinion_reopen(*, opinion: Opinion, token: str, reason: str, today: dt.date) -> Opinion:
    """重新办理: once, by the submitter, with a reason; due again in answer_days()."""
    reason = reason.strip()
    if not reason:
        raise OpennessError({"reason": "请说明为什么需要重新办理"})
    locked = _submitter(opinion, token)
    if locked.reopened_at is not None:
        raise OpennessError("每条意见建议只能申请重新办理一次")
    _require(locked, {OpinionStatus.ANSWERED}, "申请重新办理")
    before = locked.status
    locked.status = OpinionStatus.REOPENED
    locked.reopen_reason = reason[:500]
    locked.reopened_at = timezone.now()
    locked.due_on = add_working_days(today, answer_days())
    locked.save()
    _record(
        Actor(label="群众（提交人）"),
        locked,
        "reopen",
        {"status": [before, locked.status], "due_on": [None, locked.due_on.isoformat()]},
        reason,
    )
    return locked


@transaction.atomic
def opinion_report(*, opinion: Opinion, device_id: str) -> bool:
    """举报 from the 回音壁: once per device. At REPORTS_TO_HIDE reports the opinion leaves the
    wall until a moderator looks at it again. Returns whether it is now hidden."""
    if not device_id:
        raise OpennessError("无法识别您的设备：请允许浏览器保存 Cookie 后再举报")
    locked = _locked(opinion)
    if locked.visibility != Visibility.PUBLISHED:
        return locked.visibility == Visibility.REPORTED
    try:
        with transaction.atomic():
            OpinionReport.objects.create(opinion=locked, device_hash=device_hash(device_id))
    except IntegrityError:
        raise OpennessError("您已举报过这条内容")
    Opinion.objects.filter(pk=locked.pk).update(report_count=F("report_count") + 1)
    locked.refresh_from_db(fields=["report_count"])
    _record(Actor(label="群众（举报）"), locked, "report", {"reports": [None, locked.report_count]})
    hidden = locked.report_count >= int(
        getattr(settings, "OPENNESS_REPORTS_TO_HIDE", REPORTS_TO_HIDE)
    )
    if hidden:
        locked.visibility = Visibility.REPORTED
        locked.save(update_fields=["visibility"])
        _record(
            Actor(label="群众（举报）"),
            locked,
            "hide",
            {"visibility": [Visibility.PUBLISHED, Visibility.REPORTED]},
            f"{locked.report_count} 人举报",
        )
    return hidden

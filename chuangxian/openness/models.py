"""监督机制 and 公开公示制: the public's opinions (问题墙 / 回音壁), 党务公开 with its
提出 → 审核 → 审批 → 公开 workflow and catalogue, and on-request disclosure (依申请公开).

Every status change happens in the services; the models only hold state."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class OpinionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    REOPENED = "reopened", _("重新办理")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")


class Visibility(models.TextChoices):
    """Whether the opinion shows on the public 回音壁: nothing a visitor typed shows before a
    moderator has looked at it, and several reports hide it again until looked at anew."""

    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已公开")
    REPORTED = "reported", _("被举报，待复核")
    PRIVATE = "private", _("不公开")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    DISSATISFIED = "dissatisfied", _("不满意")


def opinion_photo_path(instance: "Opinion", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"openness/{uuid.uuid4().hex}.{extension}"


class Opinion(models.Model):
    """意见建议: one opinion of a visitor about one organization, answered by it."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="opinions"
    )
    text = models.TextField(_("意见建议"), max_length=1000)
    photo = models.FileField(upload_to=opinion_photo_path, max_length=200, blank=True)
    photo_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    photo_type = models.CharField(max_length=40, blank=True)
    # For a reply by phone; shown only to those who handle the opinion, never in public.
    phone = models.CharField(_("联系电话"), max_length=11, blank=True)
    # Keyed hashes: of the submitter's follow-up link, device cookie, address and text.
    follow_hash = models.CharField(max_length=64, unique=True)
    device_hash = models.CharField(max_length=64)
    address_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("办理状态"), max_length=10, choices=OpinionStatus.choices, default=OpinionStatus.OPEN
    )
    visibility = models.CharField(
        _("公开状态"), max_length=10, choices=Visibility.choices, default=Visibility.PENDING
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_on = models.DateField()
    first_due_on = models.DateField()
    due_on = models.DateField(_("答复期限"))
    first_answered_on = models.DateField(null=True, blank=True)
    reply = models.TextField(_("答复"), max_length=2000, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    rated_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(_("重新办理理由"), max_length=500, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("不予受理理由"), max_length=300, blank=True)
    report_count = models.PositiveIntegerField(default=0)
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "submitted_on"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["device_hash", "submitted_at"]),
            models.Index(fields=["address_hash", "submitted_at"]),
        ]
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")

    def __str__(self) -> str:
        return f"意见建议#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("openness:opinion", args=[self.pk])

    @property
    def can_reopen(self) -> bool:
        return self.status == OpinionStatus.ANSWERED and self.reopened_at is None


class OpinionReport(models.Model):
    """举报: a visitor says a public opinion is abusive; one per device per opinion."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="reports")
    device_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["opinion", "device_hash"], name="openness_one_report_per_device"
            )
        ]

    def __str__(self) -> str:
        return f"{self.opinion_id} 举报"


class DisclosureKind(models.TextChoices):
    LEADERSHIP = "leadership", _("领导班子分工")
    RULES = "rules", _("工作制度")
    ANNUAL_PLAN = "annual_plan", _("年度工作计划")
    DECISION = "decision", _("重大决策")
    RECRUITMENT = "recruitment", _("发展党员")
    APPRAISAL = "appraisal", _("民主评议结果")
    DUES = "dues", _("党费收缴使用")
    MEETINGS = "meetings", _("三会一课落实情况")
    AWARDS = "awards", _("评先评优")
    OTHER = "other", _("其他")


# Months between two disclosures of a kind (0: as it happens, no schedule). An organization's
# catalogue starts from these and may change each one.
DEFAULT_INTERVALS = {
    DisclosureKind.LEADERSHIP: 12,
    DisclosureKind.RULES: 12,
    DisclosureKind.ANNUAL_PLAN: 12,
    DisclosureKind.DECISION: 0,
    DisclosureKind.RECRUITMENT: 3,
    DisclosureKind.APPRAISAL: 12,
    DisclosureKind.DUES: 3,
    DisclosureKind.MEETINGS: 3,
    DisclosureKind.AWARDS: 12,
    DisclosureKind.OTHER: 0,
}


class CatalogueItem(models.Model):
    """公开目录: what an organization discloses, how often, and when the next one is due."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="disclosure_catalogue"
    )
    kind = models.CharField(_("公开事项"), max_length=12, choices=DisclosureKind.choices)
    interval_months = models.PositiveSmallIntegerField(_("公开周期（月，0为随时公开）"))
    next_due_on = models.DateField(_("下次公开期限"), null=True, blank=True)

    class Meta:
        ordering = ["organization_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"], name="openness_one_catalogue_item_per_kind"
            )
        ]
        indexes = [models.Index(fields=["next_due_on"])]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.get_kind_display()}"


class DisclosureStatus(models.TextChoices):
    DRAFT = "draft", _("提出（草稿）")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    REVIEWED = "reviewed", _("待审批")
    APPROVED = "approved", _("待公开")
    PUBLISHED = "published", _("已公开")
    WITHDRAWN = "withdrawn", _("已撤回")


class DisclosureScope(models.TextChoices):
    PUBLIC = "public", _("向社会公开")
    MEMBERS = "members", _("向本组织党员公开")
    MEMBERS_AND_SUPERIORS = "superiors", _("向本组织党员和上级组织公开")


class Disclosure(models.Model):
    """党务公开: one item an organization discloses, through 提出 → 审核 → 审批 → 公开."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="disclosures"
    )
    kind = models.CharField(_("公开事项"), max_length=12, choices=DisclosureKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("公开内容"), max_length=5000)
    # Figures from other modules, generated (not retyped) when proposed and frozen with the
    # text: [{"title": …, "columns": […], "rows": [[…], …], "source": …}].
    tables = models.JSONField(default=list, blank=True)
    scope = models.CharField(
        _("公开范围"),
        max_length=10,
        choices=DisclosureScope.choices,
        default=DisclosureScope.PUBLIC,
    )
    ends_on = models.DateField(_("公开截止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DisclosureStatus.choices, default=DisclosureStatus.DRAFT
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidentiality_confirmed = models.BooleanField(default=False)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=500, blank=True)
    published_on = models.DateField(_("公开日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["organization", "status", "published_on"])]
        verbose_name = _("党务公开事项")
        verbose_name_plural = _("党务公开事项")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("openness:disclosure", args=[self.pk])


class RequestStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    EXTENDED = "extended", _("已延期")
    ANSWERED = "answered", _("已答复")


class DisclosureRequest(models.Model):
    """依申请公开: a member asks their organization to disclose something; answered in 3
    working days, extendable once to 10 with a reason."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="disclosure_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.TextField(_("申请公开的内容"), max_length=1000)
    asked_on = models.DateField()
    due_on = models.DateField(_("答复期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    extension_reason = models.CharField(_("延期理由"), max_length=500, blank=True)
    answer = models.TextField(_("答复"), max_length=3000, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-asked_on", "-id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        verbose_name = _("依申请公开")
        verbose_name_plural = _("依申请公开")

    def __str__(self) -> str:
        return f"依申请公开#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("openness:request", args=[self.pk])


class PostType(models.TextChoices):
    VANGUARD = "vanguard", _("党员先锋岗")
    MODEL = "model", _("党员示范岗")
    ZONE = "zone", _("党员责任区")
    WINDOW = "window", _("服务窗口")


def post_photo_path(instance: "PostCard", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"openness/cards/{uuid.uuid4().hex}.{extension}"


class PostCard(models.Model):
    """亮身份: a member's card at their post, printed (A6) with a QR code the public scans to
    rate the service. The URL carries a random token, never the member's id."""

    member = models.OneToOneField("orgs.Member", on_delete=models.CASCADE, related_name="post_card")
    # Where the card is scoped: the member's organization when the card was made.
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="post_cards"
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    post_type = models.CharField(_("岗位类型"), max_length=10, choices=PostType.choices)
    post_name = models.CharField(_("岗位名称"), max_length=60)
    pledge = models.CharField(_("服务承诺"), max_length=300)
    photo = models.FileField(upload_to=post_photo_path, max_length=200, blank=True)
    photo_type = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization_id", "id"]
        verbose_name = _("亮身份岗位卡")
        verbose_name_plural = _("亮身份岗位卡")

    def __str__(self) -> str:
        return f"{self.post_name}"

    def get_absolute_url(self) -> str:
        return reverse("openness:card", args=[self.pk])


class ServiceScore(models.IntegerChoices):
    SATISFIED = 100, _("满意")
    BASIC = 60, _("基本满意")
    DISSATISFIED = 0, _("不满意")


class PostRating(models.Model):
    """One tap of the public on a post card: once per device per day."""

    card = models.ForeignKey(PostCard, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField(_("评价"), choices=ServiceScore.choices)
    comment = models.CharField(_("意见（可选）"), max_length=200, blank=True)
    device_hash = models.CharField(max_length=64)
    address_hash = models.CharField(max_length=64, blank=True)
    rated_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "device_hash", "rated_on"],
                name="openness_one_card_rating_per_device_day",
            )
        ]
        indexes = [
            models.Index(fields=["card", "rated_on"]),
            models.Index(fields=["address_hash", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} {self.score}"


class Audience(models.TextChoices):
    MEMBERS = "members", _("本组织党员")
    PUBLIC = "public", _("党员和群众")


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("征求意见中")
    DECIDED = "decided", _("已形成决定")


class Consultation(models.Model):
    """征求意见: a draft decision put to the members (or the public) until a deadline; the
    final decision says which comments were adopted and why the others were not."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField(_("标题"), max_length=100)
    draft = models.TextField(_("决定草案"), max_length=5000)
    audience = models.CharField(_("征求范围"), max_length=10, choices=Audience.choices)
    deadline = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.OPEN,
    )
    decision = models.TextField(_("最终决定"), max_length=5000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("openness:consultation", args=[self.pk])


class ConsultationComment(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Shown with the comment: the member's name, or 群众 for the public.
    author_label = models.CharField(max_length=60)
    device_hash = models.CharField(max_length=64, blank=True)
    text = models.TextField(_("意见"), max_length=1000)
    adopted = models.BooleanField(_("是否采纳"), null=True)
    response = models.CharField(_("采纳情况说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class Notice(models.Model):
    """情况通报: sent down the tree to chosen organizations, each of which confirms reading."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="notices_sent"
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("通报内容"), max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("情况通报")
        verbose_name_plural = _("情况通报")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("openness:notice", args=[self.pk])


class NoticeReceipt(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="notice_receipts"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "organization"], name="openness_one_receipt_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.organization_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("待回复")
    REPLIED = "replied", _("已回复")


class SituationReport(models.Model):
    """情况反映: sent up — by a branch to its superior, or by a member to their organization —
    and tracked to a reply."""

    from_organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="reports_sent"
    )
    # Set when a member reports in their own name.
    from_member = models.ForeignKey(
        "orgs.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="reports_received"
    )
    subject = models.CharField(_("事由"), max_length=100)
    body = models.TextField(_("反映内容"), max_length=5000)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    sent_on = models.DateField()
    reply = models.TextField(_("回复"), max_length=3000, blank=True)
    replied_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["status", "sent_on"])]
        verbose_name = _("情况反映")
        verbose_name_plural = _("情况反映")

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("openness:report", args=[self.pk])

"""公开承诺: a commitment sheet per member (or per organization) per campaign, its items with an
explicit lifecycle (定诺 → 审诺 → 公诺 → 践诺 → 评诺), progress with evidence, 领导点评 and ratings.

Every status change happens in services.py; the models only hold state."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CommitmentKind(models.TextChoices):
    COMMON = "common", _("共性承诺")
    POST = "post", _("岗位承诺")
    DEED = "deed", _("实事承诺")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("定诺（草稿）")
    SUBMITTED = "submitted", _("待审诺")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("已退回")
    PUBLISHED = "published", _("已公诺")
    IN_PROGRESS = "in_progress", _("践诺中")
    FULFILLED = "fulfilled", _("已兑现")
    UNMET = "unmet", _("未兑现")
    RATED = "rated", _("评诺结束")


# Statuses the public may see: everything from 公诺 on. Nothing before it leaves the branch.
PUBLIC_STATUSES = frozenset(
    {
        ItemStatus.PUBLISHED,
        ItemStatus.IN_PROGRESS,
        ItemStatus.FULFILLED,
        ItemStatus.UNMET,
        ItemStatus.RATED,
    }
)
EDITABLE_STATUSES = frozenset({ItemStatus.DRAFT, ItemStatus.RETURNED})
OPEN_STATUSES = frozenset({ItemStatus.PUBLISHED, ItemStatus.IN_PROGRESS})
RATEABLE_STATUSES = frozenset(
    {ItemStatus.PUBLISHED, ItemStatus.IN_PROGRESS, ItemStatus.FULFILLED, ItemStatus.UNMET}
)


class Outcome(models.TextChoices):
    """Kept apart from the status so that closing the rating (评诺结束) keeps the result."""

    NONE = "", "—"
    FULFILLED = "fulfilled", _("已兑现")
    UNMET = "unmet", _("未兑现")


class RaterGroup(models.TextChoices):
    MEMBER = "member", _("党员评")
    SUPERIOR = "superior", _("组织评")
    PUBLIC = "public", _("群众评")


class Satisfaction(models.IntegerChoices):
    """The three answers, stored as the score they count for."""

    SATISFIED = 100, _("满意")
    BASIC = 60, _("基本满意")
    DISSATISFIED = 0, _("不满意")


class CommitmentSheet(models.Model):
    """One subject's commitments in one campaign: a member's (五带头) or, with member empty, an
    organization's own (五好). `organization` is where the sheet is shown and scoped: the
    member's organization when the sheet was opened."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="commitment_sheets"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="commitment_sheets",
        verbose_name=_("党组织"),
    )
    member = models.ForeignKey(
        "orgs.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitment_sheets",
        verbose_name=_("党员"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__path", "member__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member"],
                condition=Q(member__isnull=False),
                name="one_member_sheet_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                condition=Q(member__isnull=True),
                name="one_org_sheet_per_campaign",
            ),
        ]
        verbose_name = _("承诺书")
        verbose_name_plural = _("承诺书")

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.campaign.name}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:sheet", args=[self.pk])

    @property
    def is_member_sheet(self) -> bool:
        return self.member_id is not None

    @property
    def subject_name(self) -> str:
        return self.member.name if self.member is not None else self.organization.name


class CommitmentItem(models.Model):
    sheet = models.ForeignKey(CommitmentSheet, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("承诺类型"), max_length=10, choices=CommitmentKind.choices)
    # A 五带头 code on a member's sheet, a 五好 code on an organization's (campaigns.dimensions).
    dimension = models.CharField(_("对应标准"), max_length=20)
    text = models.TextField(_("承诺内容"), max_length=1000)
    # Either a measurable target (number + unit) …
    target_value = models.DecimalField(
        _("目标数值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target_unit = models.CharField(_("单位"), max_length=20, blank=True)
    # … or an ordinal description: what is promised, aimed for, and hoped for.
    level_commit = models.CharField(_("保底目标"), max_length=200, blank=True)
    level_target = models.CharField(_("努力目标"), max_length=200, blank=True)
    level_stretch = models.CharField(_("争取目标"), max_length=200, blank=True)
    due_on = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    outcome = models.CharField(
        _("兑现结果"), max_length=10, choices=Outcome.choices, default=Outcome.NONE, blank=True
    )
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    outcome_note = models.TextField(_("兑现说明"), max_length=2000, blank=True)
    achieved_value = models.DecimalField(
        _("最新完成数值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sheet_id", "id"]
        indexes = [models.Index(fields=["sheet", "status"]), models.Index(fields=["status"])]
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")

    def __str__(self) -> str:
        return self.text[:40]

    def get_absolute_url(self) -> str:
        return reverse("commitments:item", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def is_measurable(self) -> bool:
        return self.target_value is not None

    @property
    def target_display(self) -> str:
        if self.target_value is not None:
            value = self.target_value.normalize()
            return f"{value:f}{self.target_unit}"
        parts = [
            f"{label}：{text}"
            for label, text in (
                ("保底", self.level_commit),
                ("努力", self.level_target),
                ("争取", self.level_stretch),
            )
            if text
        ]
        return "；".join(parts)


class ItemTransition(models.Model):
    """The item's own history of status changes, shown on its timeline. The audit trail holds
    the same facts with the address; this table holds what the pages show."""

    item = models.ForeignKey(CommitmentItem, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=ItemStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ItemStatus.choices)
    reason = models.CharField(max_length=2000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_status} → {self.to_status}"


class ProgressUpdate(models.Model):
    """践诺: what was done, when, with optional figure and evidence files."""

    item = models.ForeignKey(CommitmentItem, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("进展情况"), max_length=2000)
    achieved_value = models.DecimalField(
        _("已完成数值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reported_on = models.DateField(_("报告日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reported_on", "id"]
        indexes = [models.Index(fields=["item", "reported_on"])]
        verbose_name = _("践诺进展")
        verbose_name_plural = _("践诺进展")

    def __str__(self) -> str:
        return f"{self.reported_on} {self.text[:30]}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    # The stored name is random: nothing about the organization or the person shows in it,
    # and no file can be found by guessing.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"commitments/{uuid.uuid4().hex}.{extension}"


class Evidence(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_image = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("public_commitments:evidence", args=[self.token])


class LeaderComment(models.Model):
    """领导点评 by the superior organization."""

    item = models.ForeignKey(CommitmentItem, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(_("点评内容"), max_length=1000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=150)
    # In whose name the comment is made: shown publicly instead of the person.
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("领导点评")
        verbose_name_plural = _("领导点评")

    def __str__(self) -> str:
        return self.text[:30]


class Rating(models.Model):
    """One rating of one item. Logged-in raters are one per account; the public one per device
    (a keyed hash of the device cookie, never the cookie itself)."""

    item = models.ForeignKey(CommitmentItem, on_delete=models.CASCADE, related_name="ratings")
    group = models.CharField(_("评价人类别"), max_length=10, choices=RaterGroup.choices)
    score = models.PositiveSmallIntegerField(_("评价"), choices=Satisfaction.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device_hash = models.CharField(max_length=64, blank=True)
    address_hash = models.CharField(max_length=64, blank=True)
    # Keyed hash of address + User-Agent: recognises a device that dropped its cookie.
    client_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "rater"],
                condition=Q(rater__isnull=False),
                name="one_rating_per_account_per_item",
            ),
            models.UniqueConstraint(
                fields=["item", "device_hash"],
                condition=~Q(device_hash=""),
                name="one_rating_per_device_per_item",
            ),
        ]
        indexes = [
            models.Index(fields=["address_hash", "created_at"]),
            models.Index(fields=["item", "client_hash"], name="commitments_rating_client"),
        ]
        verbose_name = _("评诺")
        verbose_name_plural = _("评诺")

    def __str__(self) -> str:
        return f"{self.item_id} {self.group} {self.score}"

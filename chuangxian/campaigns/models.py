"""A campaign cycle (e.g. 2026年度创先争优) owned by an organization, covering its subtree,
with dated phases that decide what may be done when; the 五好 / 五带头 standards refined per
sector; and the targets of the 目标管理责任书 cascaded down the tree."""

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class PhaseKind(models.TextChoices):
    DEPLOY = "deploy", _("部署")
    CREATE = "create", _("创建争创")
    REVIEW = "review", _("点评评议")
    AWARD = "award", _("评选表彰")


# The phases in the order they must follow each other.
PHASE_ORDER: tuple[str, ...] = (
    PhaseKind.DEPLOY,
    PhaseKind.CREATE,
    PhaseKind.REVIEW,
    PhaseKind.AWARD,
)

# What each phase allows. The early phases are for doing, the late ones for rating and awards.
PHASE_ALLOWS: dict[str, frozenset[str]] = {
    PhaseKind.DEPLOY: frozenset({"plan", "commit", "target"}),
    PhaseKind.CREATE: frozenset({"commit", "target", "progress"}),
    PhaseKind.REVIEW: frozenset({"progress", "rate", "review"}),
    PhaseKind.AWARD: frozenset({"award"}),
}

# The actions, in words, for the campaign page ("what is allowed today").
ACTION_LABELS: "dict[str, StrOrPromise]" = {
    "plan": _("部署安排"),
    "commit": _("提出承诺"),
    "target": _("下达和分解目标"),
    "progress": _("报告进展"),
    "rate": _("评议评分"),
    "review": _("年终考核"),
    "award": _("评选表彰"),
}


class Campaign(models.Model):
    name = models.CharField(_("活动名称"), max_length=100)
    owner = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("主办组织"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    commitment_deadline = models.DateField(_("承诺截止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-starts_on", "id"]
        indexes = [models.Index(fields=["status", "starts_on", "ends_on"])]
        verbose_name = _("创先争优活动")
        verbose_name_plural = _("创先争优活动")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign", args=[self.pk])

    def covers(self, org: models.Model) -> bool:
        """Whether `org` (an Organization) lies in the owner's subtree."""
        return str(getattr(org, "path", "")).startswith(self.owner.path)

    def phase_on(self, day: dt.date) -> "Phase | None":
        for phase in self.phases.all():
            if phase.starts_on <= day <= phase.ends_on:
                return phase
        return None

    def allows(self, action: str, day: dt.date) -> bool:
        """Whether `action` ('commit', 'rate', 'award', …) is open on `day`."""
        if self.status != CampaignStatus.ACTIVE:
            return False
        phase = self.phase_on(day)
        if phase is None or action not in PHASE_ALLOWS[phase.kind]:
            return False
        return not (
            action == "commit"
            and self.commitment_deadline is not None
            and day > self.commitment_deadline
        )

    def allowed_actions(self, day: dt.date) -> list[str]:
        return [action for action in ACTION_LABELS if self.allows(action, day)]

    def action_window(self, action: str) -> tuple[dt.date, dt.date] | None:
        """From the first day of the first phase allowing `action` to the last day of the last
        one (what a public page says about when, e.g., rating opens and closes)."""
        phases = [p for p in self.phases.all() if action in PHASE_ALLOWS[p.kind]]
        if not phases:
            return None
        return min(p.starts_on for p in phases), max(p.ends_on for p in phases)


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("阶段"), max_length=10, choices=PhaseKind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="unique_campaign_phase")
        ]
        verbose_name = _("活动阶段")
        verbose_name_plural = _("活动阶段")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_kind_display()}"


class StandardKind(models.TextChoices):
    ORG = "org", _("五好（党组织）")
    MEMBER = "member", _("五带头（党员）")


class StandardItem(models.Model):
    """One quantified sub-item of a 五好 / 五带头 dimension, in one layer of a campaign:

    - the campaign's general version (sector "" and no organization), copied from the default
      templates when the campaign is created;
    - a sector's refined version (sector set): once a sector has items they replace the
      general version for organizations of that sector;
    - an organization's own additions (organization set), inherited by its subtree.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="standard_items")
    kind = models.CharField(_("标准"), max_length=10, choices=StandardKind.choices)
    dimension = models.CharField(_("维度"), max_length=20)
    sector = models.CharField(_("所属领域"), max_length=10, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("增补组织"),
    )
    text = models.CharField(_("内容"), max_length=300)
    measure = models.CharField(_("量化要求"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    # The general item a sector item was refined from (None for items added in the sector).
    refined_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "dimension", "position", "id"]
        indexes = [
            models.Index(fields=["campaign", "sector"]),
            models.Index(fields=["campaign", "organization"]),
        ]
        verbose_name = _("标准细则")
        verbose_name_plural = _("标准细则")

    def __str__(self) -> str:
        return self.text


class Measure(models.TextChoices):
    NUMBER = "number", _("数值（基数→目标值）")
    DONE = "done", _("完成 / 未完成")


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("待签订")
    SIGNED = "signed", _("已签订")
    SELF_CHECKED = "self_checked", _("已半年自查")
    REVIEWED = "reviewed", _("已年终考核")


class ResponsibilityLetter(models.Model):
    """目标管理责任书: the target items one organization holds in a campaign, signed by the
    first-responsible persons of the superior and of the organization itself."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="letters")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    superior = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("下达单位")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=LetterStatus.choices, default=LetterStatus.DRAFT
    )
    superior_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superior_signed_at = models.DateTimeField(_("下达单位签字时间"), null=True, blank=True)
    holder_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_signed_at = models.DateTimeField(_("责任单位签字时间"), null=True, blank=True)
    self_check_note = models.TextField(_("半年自查情况"), blank=True)
    self_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    self_checked_at = models.DateTimeField(_("自查时间"), null=True, blank=True)
    review_note = models.TextField(_("年终考核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("考核时间"), null=True, blank=True)
    review_total = models.DecimalField(
        _("考核得分"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    vetoed = models.BooleanField(_("一票否决"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"], name="unique_letter_per_campaign"
            )
        ]
        verbose_name = _("目标管理责任书")
        verbose_name_plural = _("目标管理责任书")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.organization}目标管理责任书"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:letter", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.superior_signed_at is not None and self.holder_signed_at is not None


class TargetItem(models.Model):
    """A target: set by a superior for a child organization (in that child's letter), or
    decomposed from a parent item to a child organization or to a named member. The parent
    link makes the targets one tree, along which progress rolls up."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="targets")
    # The organization responsible; for an item assigned to a member, the one that assigned it.
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    member = models.ForeignKey(
        "orgs.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任人"),
    )
    set_by = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("下达单位")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级目标"),
    )
    letter = models.ForeignKey(
        ResponsibilityLetter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    title = models.CharField(_("目标内容"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    weight = models.DecimalField(_("分值（权重）"), max_digits=7, decimal_places=2)
    measure = models.CharField(_("考核方式"), max_length=10, choices=Measure.choices)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    baseline = models.DecimalField(
        _("基数"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_value = models.DecimalField(
        _("目标值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    current_value = models.DecimalField(
        _("当前值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    done = models.BooleanField(_("已完成"), default=False)
    deadline = models.DateField(_("完成时限"))
    veto = models.BooleanField(_("一票否决"), default=False)
    dimension = models.CharField(_("对应五好维度"), max_length=20, blank=True)
    self_score = models.DecimalField(
        _("自评分"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    self_note = models.CharField(_("自查说明"), max_length=300, blank=True)
    review_score = models.DecimalField(
        _("考核得分"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    review_note = models.CharField(_("考核意见"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["campaign", "organization"]),
            models.Index(fields=["campaign", "set_by"]),
            models.Index(fields=["campaign", "deadline"]),
            models.Index(fields=["member", "campaign"]),
        ]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:target", args=[self.pk])

    @property
    def holder_label(self) -> str:
        if self.member_id is not None:
            return f"{self.member}（{self.organization}）"
        return str(self.organization)


class ProgressReport(models.Model):
    """One progress report on a target, with its evidence. The latest value is copied to the
    item so the roll-up reads one row per item."""

    item = models.ForeignKey(TargetItem, on_delete=models.CASCADE, related_name="reports")
    value = models.DecimalField(_("当前值"), max_digits=14, decimal_places=2, null=True, blank=True)
    done = models.BooleanField(_("已完成"), null=True, blank=True)
    note = models.TextField(_("进展情况"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")

    def __str__(self) -> str:
        return f"{self.item} {self.reported_at:%Y-%m-%d}"


def _evidence_name() -> str:
    return uuid.uuid4().hex


class Evidence(models.Model):
    """A file attached to a progress report. Stored under a random name, served only through
    the scoped evidence view."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    token = models.CharField(max_length=32, unique=True, default=_evidence_name, editable=False)
    storage_name = models.CharField(max_length=255)
    file_name = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:evidence", args=[self.token])

"""A campaign cycle (e.g. 2026年度创先争优) owned by an organization, covering its subtree,
with dated phases that decide what may be done when."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "筹备中"
    ACTIVE = "active", "进行中"
    CLOSED = "closed", "已结束"


class PhaseKind(models.TextChoices):
    DEPLOY = "deploy", "部署"
    CREATE = "create", "创建争创"
    REVIEW = "review", "点评评议"
    AWARD = "award", "评选表彰"


# What each phase allows. The early phases are for doing, the late ones for rating and awards.
PHASE_ALLOWS: dict[str, frozenset[str]] = {
    PhaseKind.DEPLOY: frozenset({"plan", "commit", "target"}),
    PhaseKind.CREATE: frozenset({"commit", "target", "progress"}),
    PhaseKind.REVIEW: frozenset({"progress", "rate", "review"}),
    PhaseKind.AWARD: frozenset({"award"}),
}


class Campaign(models.Model):
    name = models.CharField("活动名称", max_length=100)
    owner = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name="主办组织",
    )
    year = models.PositiveSmallIntegerField("年度")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    commitment_deadline = models.DateField("承诺截止日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    description = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-starts_on", "id"]
        verbose_name = "创先争优活动"
        verbose_name_plural = "创先争优活动"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign", args=[self.pk])

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


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField("阶段", max_length=10, choices=PhaseKind.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="unique_campaign_phase")
        ]
        verbose_name = "活动阶段"
        verbose_name_plural = "活动阶段"

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_kind_display()}"

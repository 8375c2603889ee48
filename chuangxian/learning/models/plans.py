"""学习计划: what an organization plans to study in a campaign cycle, month by month."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class StudyPlan(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        related_name="study_plans",
        verbose_name=_("创先争优活动"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="study_plans",
        verbose_name=_("党组织"),
    )
    title = models.CharField(_("计划名称"), max_length=100)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-campaign__year", "organization__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"], name="unique_study_plan_per_cycle"
            )
        ]
        verbose_name = _("学习计划")
        verbose_name_plural = _("学习计划")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:plan", args=[self.pk])


class StudyPlanItem(models.Model):
    plan = models.ForeignKey(StudyPlan, on_delete=models.CASCADE, related_name="items")
    month = models.PositiveSmallIntegerField(_("月份"))
    topic = models.CharField(_("学习专题"), max_length=200)
    materials = models.TextField(_("学习材料"), blank=True)
    hours = models.DecimalField(
        _("计划学时"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    course = models.ForeignKey(
        "learning.Course",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_items",
        verbose_name=_("对应网络课程"),
    )

    class Meta:
        ordering = ["month", "id"]
        verbose_name = _("学习计划条目")
        verbose_name_plural = _("学习计划条目")

    def __str__(self) -> str:
        return f"{self.month}月 {self.topic}"

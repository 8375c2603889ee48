"""Pre-aggregated figures: one row per organization, year and figure, holding the figure
rolled up over the organization's whole subtree. A dashboard reads the rows of one
organization and its children — a handful of rows whatever the size of the tree."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangxian.orgs.models import Organization


class FigureValue(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("党组织")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    key = models.CharField(_("指标"), max_length=40)
    value = models.BigIntegerField(_("数值"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "key"], name="reports_figure_unique"
            )
        ]
        verbose_name = _("统计数值")
        verbose_name_plural = _("统计数值")

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year} {self.key}={self.value}"


class BuildState(models.Model):
    """When the figures of a year were last rebuilt in full, and up to which audit event the
    incremental refresh has read the changes since."""

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    rebuilt_at = models.DateTimeField(_("全量重算时间"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("增量更新时间"), null=True, blank=True)
    audit_watermark = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("统计更新状态")
        verbose_name_plural = _("统计更新状态")

    def __str__(self) -> str:
        return f"{self.year}"


class ReportKind(models.TextChoices):
    QUARTERLY_MEETINGS = "meetings_quarter", _("三会一课季度统计")
    ANNUAL_SUMMARY = "annual_summary", _("创先争优年度统计")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")


class PeriodicReport(models.Model):
    """A report an organization sends to its superior. Its figures are generated from the
    records and frozen at submission (`lines`); the organization adds only what no record
    holds, a short narrative."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("党组织")
    )
    kind = models.CharField(_("报表"), max_length=24, choices=ReportKind.choices)
    period = models.CharField(_("期间"), max_length=10)
    narrative = models.TextField(_("情况说明"), blank=True, max_length=4000)
    status = models.CharField(
        _("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # [[label, value, base or null, detail path], ...] as generated when submitted.
    lines = models.JSONField(default=list)
    submitted_by = models.ForeignKey(
        "orgs.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回理由"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "period"], name="reports_periodic_unique"
            )
        ]
        verbose_name = _("定期报表")
        verbose_name_plural = _("定期报表")

    def __str__(self) -> str:
        return f"{self.organization_id} {self.get_kind_display()} {self.period}"

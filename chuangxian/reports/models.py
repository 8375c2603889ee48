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

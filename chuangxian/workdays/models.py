"""The working-day calendar: which dates of a year are official holidays and which weekend
dates are make-up working days (调休). A year is *known* once its schedule has been entered
(seeded from the `chinese-calendar` package, or typed in by an administrator from the State
Council's notice); for any other year the calendar counts Monday to Friday and says so."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("休息（法定节假日）")
    WORKDAY = "workday", _("上班（调休）")


class CalendarSource(models.TextChoices):
    PACKAGE = "package", _("随软件提供")
    MANUAL = "manual", _("管理员录入")


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    source = models.CharField(_("来源"), max_length=16, choices=CalendarSource.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("节假日安排年度")
        verbose_name_plural = _("节假日安排年度")

    def __str__(self) -> str:
        return f"{self.year}"


class SpecialDay(models.Model):
    """A date that departs from Monday-to-Friday: a holiday on a weekday (or inside a holiday
    period) or a weekend date worked to make up for one."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日或调休日")
        verbose_name_plural = _("节假日和调休日")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

"""学时台账: one row per credited study activity of a member, and 学习强国 points beside it.

Rows derived from orglife (attendance at 党课 and 主题党日) and from completed courses point at
their origin and are unique per origin, so the sync that keeps them can run any number of times;
offline training arrives in import batches."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StudySource(models.TextChoices):
    ATTENDANCE = "attendance", _("组织生活")
    COURSE = "course", _("网络课程")
    OFFLINE = "offline", _("线下培训")


class StudyImportKind(models.TextChoices):
    OFFLINE = "offline", _("线下培训学时")
    XUEXI = "xuexi", _("学习强国积分")
    QUESTIONS = "questions", _("试题")


class StudyImport(models.Model):
    """One accepted import file: what it was and who brought it in."""

    kind = models.CharField(_("导入类型"), max_length=10, choices=StudyImportKind.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增条数"), default=0)
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("学习数据导入")
        verbose_name_plural = _("学习数据导入")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


class StudyRecord(models.Model):
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=12, choices=StudySource.choices)
    day = models.DateField(_("日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    title = models.CharField(_("学习内容"), max_length=200)
    meeting = models.ForeignKey(
        "orglife.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        "learning.Course", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    study_import = models.ForeignKey(
        StudyImport, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "meeting"],
                condition=Q(meeting__isnull=False),
                name="unique_study_record_meeting",
            ),
            models.UniqueConstraint(
                fields=["member", "course"],
                condition=Q(course__isnull=False),
                name="unique_study_record_course",
            ),
            models.UniqueConstraint(
                fields=["member", "day", "title"],
                condition=Q(source="offline"),
                name="unique_study_record_offline",
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="study_record_hours_positive"),
        ]
        indexes = [
            models.Index(fields=["member", "day"]),
            models.Index(fields=["day", "member"]),
        ]
        verbose_name = _("学时记录")
        verbose_name_plural = _("学时记录")

    def __str__(self) -> str:
        return f"{self.day} {self.title} {self.hours}"


class MeetingCredit(models.Model):
    """The 学时 a held 党课 or 主题党日 is worth when it differs from the default (a half day,
    4 学时): a full-day 主题党日 is 8, a two-hour lecture 2."""

    meeting = models.OneToOneField(
        "orglife.Meeting", on_delete=models.CASCADE, related_name="study_credit"
    )
    hours = models.DecimalField(_("认定学时"), max_digits=4, decimal_places=1)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("会议学时认定")
        verbose_name_plural = _("会议学时认定")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.hours}"


class XuexiPoints(models.Model):
    """学习强国 points of a member for a year, as the last import said. Points are not 学时:
    they are shown beside the hours and never added to them."""

    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    points = models.PositiveIntegerField(_("学习积分"))
    study_import = models.ForeignKey(
        StudyImport, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="unique_xuexi_points_year")
        ]
        indexes = [models.Index(fields=["year", "member"])]
        verbose_name = _("学习强国积分")
        verbose_name_plural = _("学习强国积分")

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}: {self.points}"

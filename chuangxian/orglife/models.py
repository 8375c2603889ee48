"""组织生活: meetings (三会一课, 主题党日, 组织生活会, 民主评议党员, 谈心谈话) and attendance.

Held meetings are the record that compliance, study hours, points and the 党章第九条 check all
read; nothing else asks the secretary to report a meeting twice."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class MeetingType(models.TextChoices):
    GENERAL_MEETING = "general", "支部党员大会"
    COMMITTEE = "committee", "支部委员会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    LIFE_MEETING = "life", "组织生活会"
    APPRAISAL = "appraisal", "民主评议党员"
    TALK = "talk", "谈心谈话"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    HELD = "held", "已召开"
    SUBMITTED = "submitted", "待审批"
    APPROVED = "approved", "已审批"
    RETURNED = "returned", "已退回"
    CANCELLED = "cancelled", "已取消"


# Statuses in which the meeting took place: what compliance and the ledgers count.
HELD_STATUSES = frozenset(
    {MeetingStatus.HELD, MeetingStatus.SUBMITTED, MeetingStatus.APPROVED, MeetingStatus.RETURNED}
)


class AttendeeScope(models.TextChoices):
    ALL_MEMBERS = "all", "全体党员"
    COMMITTEE = "committee", "支部委员"
    GROUP = "group", "党小组成员"
    CHOSEN = "chosen", "指定人员"


class Meeting(models.Model):
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name="党组织",
    )
    meeting_type = models.CharField("会议类型", max_length=12, choices=MeetingType.choices)
    topic = models.CharField("主题", max_length=200)
    planned_start = models.DateTimeField("计划时间")
    held_start = models.DateTimeField("实际召开时间", null=True, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    host = models.ForeignKey(
        "orgs.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="主持人",
    )
    recorder = models.ForeignKey(
        "orgs.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="记录人",
    )
    lecturer = models.CharField("授课人", max_length=50, blank=True)
    attendee_scope = models.CharField(
        "应到范围", max_length=10, choices=AttendeeScope.choices, default=AttendeeScope.ALL_MEMBERS
    )
    minutes = models.TextField("会议记录", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # For a 支部党员大会: whether more than half of the full members attended (None until held).
    quorum_met = models.BooleanField("达到法定人数", null=True, blank=True)
    review_comment = models.CharField("审批意见", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-planned_start", "-id"]
        indexes = [
            models.Index(fields=["organization", "meeting_type", "held_start"]),
            models.Index(fields=["status", "held_start"]),
        ]
        verbose_name = "会议"
        verbose_name_plural = "会议"

    def __str__(self) -> str:
        return f"{self.get_meeting_type_display()}：{self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("orglife:meeting", args=[self.pk])

    @property
    def was_held(self) -> bool:
        return self.status in HELD_STATUSES


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(
        "出席情况", max_length=8, choices=AttendanceStatus.choices, default=AttendanceStatus.ABSENT
    )
    leave_reason = models.CharField("请假原因", max_length=200, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    via_qr = models.BooleanField("扫码签到", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="unique_attendance")
        ]
        indexes = [models.Index(fields=["member", "status"])]
        verbose_name = "出席记录"
        verbose_name_plural = "出席记录"

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"

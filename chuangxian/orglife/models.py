"""组织生活: meetings (三会一课, 主题党日, 组织生活会, 民主评议党员, 谈心谈话) and attendance.

Held meetings are the record that compliance, study hours, points and the 党章第九条 check all
read; nothing else asks the secretary to report a meeting twice."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class MeetingType(models.TextChoices):
    GENERAL_MEETING = "general", _("支部党员大会")
    COMMITTEE = "committee", _("支部委员会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life", _("组织生活会")
    APPRAISAL = "appraisal", _("民主评议党员")
    TALK = "talk", _("谈心谈话")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    HELD = "held", _("已召开")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已审批")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已取消")


# Statuses in which the meeting took place: what compliance and the ledgers count.
HELD_STATUSES = frozenset(
    {MeetingStatus.HELD, MeetingStatus.SUBMITTED, MeetingStatus.APPROVED, MeetingStatus.RETURNED}
)


# The default QR check-in window: this many minutes before and after the start.
CHECKIN_WINDOW_MINUTES = 20


class AttendeeScope(models.TextChoices):
    ALL_MEMBERS = "all", _("全体党员")
    COMMITTEE = "committee", _("支部委员")
    GROUP = "group", _("党小组成员")
    CHOSEN = "chosen", _("指定人员")


class Meeting(models.Model):
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("党组织"),
    )
    meeting_type = models.CharField(_("会议类型"), max_length=12, choices=MeetingType.choices)
    topic = models.CharField(_("主题"), max_length=200)
    planned_start = models.DateTimeField(_("计划时间"))
    held_start = models.DateTimeField(_("实际召开时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    host = models.ForeignKey(
        "orgs.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("主持人"),
    )
    recorder = models.ForeignKey(
        "orgs.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )
    lecturer = models.CharField(_("授课人"), max_length=50, blank=True)
    attendee_scope = models.CharField(
        _("应到范围"),
        max_length=10,
        choices=AttendeeScope.choices,
        default=AttendeeScope.ALL_MEMBERS,
    )
    # For AttendeeScope.GROUP when the meeting belongs to a branch: which of its 党小组.
    attendee_group = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("参会党小组"),
    )
    # Minutes either side of the start during which the QR check-in works.
    checkin_window_minutes = models.PositiveSmallIntegerField(
        _("签到时段（开始前后分钟数）"), default=CHECKIN_WINDOW_MINUTES
    )
    # When the secretary first saved the attendance. Until then the attendance page starts
    # everyone expected as present (the common case), so only the exceptions need a tap.
    attendance_recorded_at = models.DateTimeField(_("出席登记时间"), null=True, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # For a 支部党员大会: whether more than half of the full members attended (None until held).
    quorum_met = models.BooleanField(_("达到法定人数"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("提交审批时间"), null=True, blank=True)
    review_comment = models.CharField(_("审批意见"), max_length=500, blank=True)
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
        verbose_name = _("会议")
        verbose_name_plural = _("会议")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("orglife:meeting", args=[self.pk])

    @property
    def title(self) -> str:
        """The type and the topic ("主题党日：重温入党誓词"), the type once even when the topic
        already starts with it."""
        kind = str(self.get_meeting_type_display())
        return self.topic if self.topic.startswith(kind) else f"{kind}：{self.topic}"

    @property
    def was_held(self) -> bool:
        return self.status in HELD_STATUSES

    @property
    def start(self) -> dt.datetime:
        """When it starts: the actual time once held, the planned one before."""
        return self.held_start or self.planned_start

    @property
    def is_general_meeting(self) -> bool:
        return self.meeting_type == MeetingType.GENERAL_MEETING


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(
        _("出席情况"),
        max_length=8,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.ABSENT,
    )
    leave_reason = models.CharField(_("请假原因"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    via_qr = models.BooleanField(_("扫码签到"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="unique_attendance")
        ]
        indexes = [models.Index(fields=["member", "status"])]
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"


class MeetingAttachment(models.Model):
    """A file kept with the minutes (sign-in sheet scan, slides, photos). Stored in the database
    after check_upload, so a backup of the database is a backup of the minutes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    content = models.BinaryField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")

    def __str__(self) -> str:
        return self.name


class Frequency(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")
    NONE = "none", _("不作要求")


class OrgClass(models.TextChoices):
    """Which organizations a cadence rule applies to."""

    BRANCH = "branch", _("党支部（含联合党支部）")
    GROUP = "group", _("党小组")


class CadenceRule(models.Model):
    """An administrator's change to a default cadence (rules.DEFAULT_RULES) for the subtree of
    `organization`. The deepest rule above an organization wins."""

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("适用范围（该组织及下级）"),
    )
    org_class = models.CharField(_("适用组织"), max_length=10, choices=OrgClass.choices)
    meeting_type = models.CharField(_("会议类型"), max_length=12, choices=MeetingType.choices)
    frequency = models.CharField(_("频次"), max_length=10, choices=Frequency.choices)
    # A rule may apply only to organizations with at least this many full members (the
    # 支委会 only where a committee exists: 7 or more full members).
    min_full_members = models.PositiveSmallIntegerField(_("最少正式党员数"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "org_class", "meeting_type"], name="unique_cadence_rule"
            )
        ]
        verbose_name = _("组织生活频次规则")
        verbose_name_plural = _("组织生活频次规则")

    def __str__(self) -> str:
        kind = self.get_meeting_type_display()
        return f"{self.organization} {kind} {self.get_frequency_display()}"


class Exemption(models.Model):
    """A recorded reason why an organization need not meet a rule for a while (founded in the
    middle of the year, merged, the whole village relocated …)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("党组织")
    )
    # Blank: every meeting type.
    meeting_type = models.CharField(
        _("会议类型"), max_length=12, choices=MeetingType.choices, blank=True
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        indexes = [models.Index(fields=["organization", "starts_on"])]
        verbose_name = _("免于考核")
        verbose_name_plural = _("免于考核")

    def __str__(self) -> str:
        return f"{self.organization} {self.starts_on}–{self.ends_on}"


class MeetingTally(models.Model):
    """Held meetings counted per organization, year, type and month: written in the same
    transaction as the meeting is marked held (services.tally), rebuilt from the meetings by
    `chuangxian orglife_tally`. The compliance report of a province reads these rows (one per
    organization, year and type) instead of aggregating millions of meetings."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    meeting_type = models.CharField(max_length=12, choices=MeetingType.choices)
    # Bit m-1 set when at least one meeting was held in month m (Asia/Shanghai).
    month_mask = models.PositiveIntegerField(default=0)
    m1 = models.PositiveIntegerField(default=0)
    m2 = models.PositiveIntegerField(default=0)
    m3 = models.PositiveIntegerField(default=0)
    m4 = models.PositiveIntegerField(default=0)
    m5 = models.PositiveIntegerField(default=0)
    m6 = models.PositiveIntegerField(default=0)
    m7 = models.PositiveIntegerField(default=0)
    m8 = models.PositiveIntegerField(default=0)
    m9 = models.PositiveIntegerField(default=0)
    m10 = models.PositiveIntegerField(default=0)
    m11 = models.PositiveIntegerField(default=0)
    m12 = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "organization", "meeting_type"], name="unique_meeting_tally"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year} {self.meeting_type}"

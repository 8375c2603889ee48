"""考试: a question bank per organization (shared with its whole subtree), exams whose papers are
drawn at random from it, and each member's attempts with their answers."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    JUDGE = "judge", _("判断题")


class Question(models.Model):
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("所属组织"),
    )
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    text = models.TextField(_("题干"))
    # Options as a list of texts; a 判断题 always has ["正确", "错误"].
    options = models.JSONField(_("选项"), default=list)
    # The indexes of the right options, ascending: one for 单选 and 判断, one or more for 多选.
    answer = models.JSONField(_("答案"), default=list)
    # ",党章,纪律," so that one tag is one `contains` filter.
    tags = models.CharField(_("标签"), max_length=200, blank=True)
    explanation = models.TextField(_("解析"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["organization", "kind", "is_active"])]
        verbose_name = _("试题")
        verbose_name_plural = _("试题")

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]

    @property
    def answer_letters(self) -> str:
        return "".join(chr(ord("A") + index) for index in self.answer)


class Exam(models.Model):
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="exams",
        verbose_name=_("组织单位"),
    )
    title = models.CharField(_("考试名称"), max_length=100)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    time_limit_minutes = models.PositiveSmallIntegerField(_("答题时限（分钟）"))
    pass_mark = models.PositiveSmallIntegerField(_("及格分（百分制）"), default=60)
    attempt_limit = models.PositiveSmallIntegerField(_("允许作答次数"), default=1)
    single_count = models.PositiveSmallIntegerField(_("单选题数"), default=0)
    multiple_count = models.PositiveSmallIntegerField(_("多选题数"), default=0)
    judge_count = models.PositiveSmallIntegerField(_("判断题数"), default=0)
    tag = models.CharField(_("只抽取标签"), max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("考试")
        verbose_name_plural = _("考试")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:exam", args=[self.pk])

    @property
    def question_count(self) -> int:
        return self.single_count + self.multiple_count + self.judge_count


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("答题中")
    SUBMITTED = "submitted", _("已交卷")
    TIMED_OUT = "timed_out", _("超时自动交卷")


class Attempt(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("第几次"))
    started_at = models.DateTimeField(_("开始答题"))
    deadline = models.DateTimeField(_("时限"))
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    correct_count = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField(_("得分"), null=True, blank=True)
    passed = models.BooleanField(_("及格"), null=True, blank=True)

    class Meta:
        ordering = ["exam", "member", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "member", "number"], name="unique_attempt_number"
            )
        ]
        indexes = [models.Index(fields=["member", "started_at"])]
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")

    def __str__(self) -> str:
        return f"{self.exam} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("learning:attempt", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status != AttemptStatus.IN_PROGRESS


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    # Questions are never edited once in use (only switched off), so the paper stays as drawn.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    chosen = models.JSONField(default=list)
    answered_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="unique_answer_position"),
            models.UniqueConstraint(fields=["attempt", "question"], name="unique_answer_question"),
        ]
        verbose_name = _("作答")
        verbose_name_plural = _("作答")

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"

    @property
    def chosen_letters(self) -> str:
        return "".join(chr(ord("A") + index) for index in self.chosen)

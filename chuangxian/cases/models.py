"""典型经验 (cases) and 示范点 (demonstration points): the advanced end of 抓两头带中间."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Mechanism(models.TextChoices):
    """The long-term mechanism a case concerns (the sources' names)."""

    LEADERSHIP = "leadership", _("领导组织机制")
    TARGET = "target", _("目标机制")
    RESPONSIBILITY = "responsibility", _("责任机制")
    COMMITMENT = "commitment", _("公开承诺")
    LEARNING = "learning", _("学习机制")
    MANAGEMENT = "management", _("管理机制")
    SUPERVISION = "supervision", _("监督机制")
    APPRAISAL = "appraisal", _("考评机制")
    INCENTIVE = "incentive", _("激励机制")
    GUARANTEE = "guarantee", _("保障机制")
    INNOVATION = "innovation", _("创新机制")
    SERVICE = "service", _("服务群众")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("审核通过")
    PUBLISHED = "published", _("已发布")


class Visibility(models.TextChoices):
    TREE = "tree", _("系统内发布")
    PUBLIC = "public", _("向社会公开")


class Case(models.Model):
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织")
    )
    title = models.CharField(_("标题"), max_length=100)
    sector = models.CharField(_("所属领域"), max_length=10)
    mechanism = models.CharField(_("涉及机制"), max_length=16, choices=Mechanism.choices)
    summary = models.CharField(_("摘要"), max_length=300)
    body = models.TextField(_("正文"), max_length=20000)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, blank=True)
    review_comment = models.CharField(max_length=2000, blank=True)
    # Lower-cased, width-folded title + summary + body: what search matches against (search.py).
    search_text = models.TextField(editable=False, default="")
    created_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "visibility"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:case", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status == CaseStatus.PUBLISHED and self.visibility == Visibility.PUBLIC


class CaseEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=CaseStatus.choices)
    note = models.CharField(max_length=2000, blank=True)
    actor_label = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


def case_file_path(instance: "CaseFile", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"cases/{uuid.uuid4().hex}.{extension}"


class CaseFile(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=case_file_path, max_length=200)
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_image = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("public_cases:file", args=[self.token])


class Adoption(models.Model):
    """Another organization took the case up: what it did and with what result."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="adoptions")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    adopted_on = models.DateField(_("借鉴日期"))
    action = models.TextField(_("借鉴做法"), max_length=2000)
    result = models.TextField(_("取得成效"), max_length=2000)
    recorded_by_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["-adopted_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "organization"], name="cases_adopt_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization} ← {self.case}"


class DemoPoint(models.Model):
    """示范点: an organization designated by its superior, for a period, for what it shows."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("示范点")
    )
    designated_by = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("命名单位")
    )
    theme = models.CharField(_("示范内容"), max_length=200)
    leader = models.CharField(_("办点领导"), max_length=50, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    public = models.BooleanField(_("公开展示"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="cases_demo_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.theme}"

"""帮扶与保障: lagging organizations and their support plans, members in hardship, paired
organizations and leaders' contact points, special funds and guarantees checklists."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _random_path(prefix: str, filename: str) -> str:
    # The stored name is random: nothing about the organization or the person shows in it.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{prefix}/{uuid.uuid4().hex}.{extension}"


class LaggingMark(models.Model):
    """An organization marked lagging by hand (软弱涣散), with the reason; cleared with one."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=500)
    marked_by_label = models.CharField(max_length=150)
    marked_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-marked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(cleared_at__isnull=True),
                name="support_one_open_mark",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.reason[:30]}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("制定中")
    ACTIVE = "active", _("整顿中")
    REVIEW = "review", _("待验收")
    CLOSED = "closed", _("已验收")


class SupportPlan(models.Model):
    """帮扶计划 for one lagging organization, closed by the superior's review (整顿验收)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("帮扶对象")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    # Why the organization was lagging when the plan was opened, as the records said then.
    reasons = models.JSONField(default=list)
    helpers = models.ManyToManyField(
        "orgs.Organization", related_name="+", verbose_name=_("帮扶单位")
    )
    leader = models.CharField(_("包联领导"), max_length=50)
    problems = models.TextField(_("查摆的问题"), max_length=4000)
    figures_before = models.JSONField(default=dict)
    figures_after = models.JSONField(default=dict, blank=True)
    review_conclusion = models.TextField(_("验收意见"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return f"{self.organization}{self.year}年帮扶计划"

    def get_absolute_url(self) -> str:
        return reverse("support:plan", args=[self.pk])


class PlanEvent(models.Model):
    """A status change of a plan, shown on its timeline (the audit trail holds it too)."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=PlanStatus.choices)
    note = models.CharField(max_length=2000, blank=True)
    actor_label = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class Measure(models.Model):
    """One rectification measure with who answers for it and by when."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="measures")
    text = models.CharField(_("整改措施"), max_length=500)
    owner = models.CharField(_("责任人"), max_length=50)
    due_on = models.DateField(_("完成时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=500, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.text


class Visit(models.Model):
    """A follow-up visit (回访督导): when, who, what was found."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("回访日期"))
    visitors = models.CharField(_("回访人员"), max_length=200)
    findings = models.TextField(_("发现的情况"), max_length=2000)
    recorded_by_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.visitors}"


def visit_photo_path(instance: "VisitPhoto", filename: str) -> str:
    return _random_path("support", filename)


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=visit_photo_path, max_length=200)
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("support:visit_photo", args=[self.token])


class HardshipKind(models.TextChoices):
    ILLNESS = "illness", _("因病致困")
    DISABILITY = "disability", _("残疾")
    ELDERLY = "elderly", _("高龄独居")
    INCOME = "income", _("生活困难")
    DISASTER = "disaster", _("遭受灾害")
    OTHER = "other", _("其他")


class Hardship(models.Model):
    """困难党员: a member recorded in hardship. `details` is sensitive: only the branch and its
    superiors see it (access.hardships_for)."""

    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("困难类型"), max_length=12, choices=HardshipKind.choices)
    details = models.TextField(_("困难情况"), max_length=2000)
    recorded_on = models.DateField(_("登记日期"))
    ended_on = models.DateField(_("解除日期"), null=True, blank=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(ended_on__isnull=True), name="support_one_hardship"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()}"


class CareVisit(models.Model):
    """慰问: a visit to a member in hardship and what was given."""

    hardship = models.ForeignKey(Hardship, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("慰问日期"))
    visitors = models.CharField(_("慰问人员"), max_length=200)
    given = models.CharField(_("慰问内容"), max_length=300)
    amount = models.DecimalField(
        _("慰问金（元）"), max_digits=10, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.given}"


class PairingKind(models.TextChoices):
    PAIRED = "paired", _("结对共建")
    CONTACT = "contact", _("领导联点")


class Pairing(models.Model):
    """结对共建 between two organizations, or a leader's contact point (领导联点): the leader's
    organization (`first`) and the point (`second`)."""

    kind = models.CharField(_("类型"), max_length=10, choices=PairingKind.choices)
    first = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("一方")
    )
    second = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("另一方")
    )
    leader = models.CharField(_("联点领导"), max_length=50, blank=True)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    purpose = models.CharField(_("共建内容"), max_length=300)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(first=F("second")), name="support_pair_distinct")
        ]

    def __str__(self) -> str:
        return f"{self.first} ↔ {self.second}"


class JointActivity(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="activities")
    held_on = models.DateField(_("活动日期"))
    title = models.CharField(_("活动内容"), max_length=200)
    result = models.CharField(_("成效"), max_length=500, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class FundKind(models.TextChoices):
    SPECIAL = "special", _("专项经费")
    WORK = "work", _("党建工作经费")
    VENUE = "venue", _("党员活动场所经费")


class Allocation(models.Model):
    """Money allocated to an organization for a year, either at the top (no source) or passed
    down from the parent's allocation. `committed` is what has left it (passed further down or
    spent); the database refuses committed > amount, and every write that raises it does so in
    one conditional UPDATE, so two concurrent spendings can never overdraw it."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("经费类别"), max_length=10, choices=FundKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    committed = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(committed__lte=F("amount")) & Q(committed__gte=0) & Q(amount__gt=0),
                name="support_allocation_not_overdrawn",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year} {self.get_kind_display()}"

    @property
    def balance(self) -> Decimal:
        return self.amount - self.committed


def receipt_path(instance: "Spending", filename: str) -> str:
    return _random_path("support", filename)


class Spending(models.Model):
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="spendings")
    spent_on = models.DateField(_("支出日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    purpose = models.CharField(_("用途"), max_length=300)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    receipt = models.FileField(upload_to=receipt_path, max_length=200)
    receipt_name = models.CharField(max_length=120)
    receipt_type = models.CharField(max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-spent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.amount} {self.purpose}"

    def get_absolute_url(self) -> str:
        return reverse("support:receipt", args=[self.token])


class ChecklistEntry(models.Model):
    """One guarantee item (checklists.py) recorded for an organization: met or not, and how."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    item = models.CharField(max_length=30)
    met = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    checked_on = models.DateField()

    class Meta:
        ordering = ["organization", "item"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "item"], name="support_check_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.item}"

"""Awards (评先评优: batches, categories, quotas, nominations, review, 公示, objections,
award records) and points (积分: a rule catalogue per subtree, an append-only ledger, manual
claims, per-organization ranking settings)."""

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


# ---------------------------------------------------------------- awards


class SubjectKind(models.TextChoices):
    MEMBER = "member", _("党员")
    ORGANIZATION = "organization", _("党组织")


class BatchStatus(models.TextChoices):
    NOMINATING = "nominating", _("推荐中")
    REVIEWING = "reviewing", _("审核中")
    NOTICE = "notice", _("公示中")
    APPROVED = "approved", _("已批准表彰")


class AwardBatch(models.Model):
    """One round of commendation (七一表彰, 年度表彰) organized by an organization for its
    subtree."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    name = models.CharField(_("表彰名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    nomination_opens = models.DateField(_("推荐开始日期"))
    nomination_closes = models.DateField(_("推荐截止日期"))
    notice_days = models.PositiveSmallIntegerField(_("公示工作日数"), default=5)
    notice_starts = models.DateField(_("公示开始日期"), null=True, blank=True)
    notice_ends = models.DateField(_("公示结束日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.NOMINATING
    )
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    # The zip of every certificate, written by the background task after approval.
    certificates = models.FileField(upload_to="honors/certificates/", blank=True)
    certificates_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("表彰批次")
        verbose_name_plural = _("表彰批次")

    def __str__(self) -> str:
        return self.name


class EligibilityRule(models.TextChoices):
    GRADE_EXCELLENT = "grade_excellent", _("近3年民主评议至少一次为优秀")
    NO_UNQUALIFIED = "no_unqualified", _("近3年民主评议无不合格")
    NO_ARTICLE9 = "no_article9", _("无未解决的党章第九条情形")
    STUDY_MET = "study_met", _("上一年度学时达标")
    TIER_FOUR_STARS = "tier_four_stars", _("最近一次考评星级四星及以上")


MEMBER_RULES = [
    EligibilityRule.GRADE_EXCELLENT,
    EligibilityRule.NO_UNQUALIFIED,
    EligibilityRule.NO_ARTICLE9,
    EligibilityRule.STUDY_MET,
]
ORGANIZATION_RULES = [EligibilityRule.TIER_FOUR_STARS]


class AwardCategory(models.Model):
    batch = models.ForeignKey(AwardBatch, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("奖项名称"), max_length=60)
    subject_kind = models.CharField(_("表彰对象"), max_length=12, choices=SubjectKind.choices)
    rules = models.JSONField(_("资格条件"), default=list, blank=True)
    material_reward = models.CharField(_("物质奖励"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["batch", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "name"], name="honors_category_name_once")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rule_labels(self) -> list[str]:
        return [str(EligibilityRule(r).label) for r in self.rules if r in EligibilityRule.values]


class Quota(models.Model):
    """At most `count` awards of the category for the nominees of `organization`'s subtree."""

    category = models.ForeignKey(AwardCategory, on_delete=models.CASCADE, related_name="quotas")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织")
    )
    count = models.PositiveSmallIntegerField(_("名额"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "organization"], name="honors_quota_once")
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.count}"


class NominationStatus(models.TextChoices):
    REVIEWING = "reviewing", _("逐级审核中")
    RETURNED = "returned", _("已退回")
    DISCIPLINE = "discipline", _("待纪检意见")
    REVIEWED = "reviewed", _("审核通过")
    SHORTLISTED = "shortlisted", _("拟表彰")
    AWARDED = "awarded", _("已表彰")
    REJECTED = "rejected", _("未通过")


class Nomination(models.Model):
    batch = models.ForeignKey(AwardBatch, on_delete=models.CASCADE, related_name="nominations")
    category = models.ForeignKey(
        AwardCategory, on_delete=models.PROTECT, related_name="nominations"
    )
    member = models.ForeignKey(
        "orgs.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The nominated organization, or the member's organization at nomination.
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    nominated_by = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("推荐单位")
    )
    label = models.CharField(max_length=150)
    story = models.TextField(_("主要事迹"), max_length=1000)
    # The nominee's record when nominated: reviewers see this, not today's figures.
    snapshot = models.JSONField(default=dict)
    eligibility = models.JSONField(default=list)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=NominationStatus.choices,
        default=NominationStatus.REVIEWING,
    )
    # The organization whose staff act next while REVIEWING.
    reviewer = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "category", "id"]

    def __str__(self) -> str:
        return f"{self.label}（{self.category}）"


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", _("推荐")
    APPROVE = "approve", _("审核同意")
    RETURN = "return", _("退回")
    REJECT = "reject", _("不同意")
    DISCIPLINE_AGREE = "discipline_agree", _("纪检意见：无异议")
    DISCIPLINE_OBJECT = "discipline_object", _("纪检意见：有问题")
    SHORTLIST = "shortlist", _("列入拟表彰名单")
    AWARD = "award", _("批准表彰")
    DROP = "drop", _("不予表彰")


class ReviewStep(models.Model):
    """One step of a nomination's way up the tree, shown on its timeline."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="steps")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=ReviewAction.choices)
    reason = models.CharField(max_length=500, blank=True)
    actor_label = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nomination", "at", "id"]

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.action}"


class ObjectionOutcome(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("反映属实")
    DISMISSED = "dismissed", _("反映不属实")


class Objection(models.Model):
    """An objection raised by anyone during 公示 (no account). Only keyed hashes of the
    address and device are stored."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("异议内容"), max_length=500)
    contact = models.CharField(_("联系方式（可不填）"), max_length=60, blank=True)
    address_hash = models.CharField(max_length=64, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(
        _("处理结果"),
        max_length=10,
        choices=ObjectionOutcome.choices,
        default=ObjectionOutcome.PENDING,
    )
    outcome_note = models.CharField(_("处理说明"), max_length=500, blank=True)
    handled_by = models.CharField(max_length=150, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["nomination", "created_at", "id"]
        indexes = [models.Index(fields=["address_hash", "created_at"])]

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.outcome}"


class AwardRecord(models.Model):
    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="award")
    batch = models.ForeignKey(AwardBatch, on_delete=models.PROTECT, related_name="awards")
    category = models.ForeignKey(AwardCategory, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        "orgs.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(max_length=150)
    awarded_on = models.DateField(_("表彰日期"))
    material_reward = models.CharField(_("物质奖励"), max_length=200, blank=True)
    certificate_number = models.CharField(_("证书编号"), max_length=40, unique=True)

    class Meta:
        ordering = ["-awarded_on", "category_id", "id"]

    def __str__(self) -> str:
        return f"{self.label} {self.category}"


# ---------------------------------------------------------------- points


class PointSource(models.TextChoices):
    ATTENDANCE = "attendance", _("参加组织生活")
    STUDY = "study", _("学时达标")
    DUES = "dues", _("按时交纳党费")
    COMMITMENT = "commitment", _("承诺兑现")
    TARGET = "target", _("完成目标任务")
    AWARD = "award", _("获得表彰")
    MANUAL = "manual", _("申报项目")


AUTOMATIC_SOURCES = [s for s in PointSource.values if s != PointSource.MANUAL]


class Bucket(models.TextChoices):
    BASE = "base", _("基础分")
    TASK = "task", _("任务分")
    BONUS = "bonus", _("奖励分")
    DEDUCTION = "deduction", _("扣分")


class CapPeriod(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


class Approver(models.TextChoices):
    NONE = "none", _("无需审核（自动计分）")
    BRANCH = "branch", _("支部审核")
    SUPERIOR = "superior", _("支部审核后报上级审核")


class PointRule(models.Model):
    """An item of the catalogue. A rule applies to its organization's subtree; a rule with the
    same code lower down overrides it there."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("制定单位")
    )
    code = models.SlugField(_("项目编码"), max_length=40)
    name = models.CharField(_("积分项目"), max_length=100)
    source = models.CharField(_("数据来源"), max_length=12, choices=PointSource.choices)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=1)
    cap = models.DecimalField(_("封顶分值"), max_digits=6, decimal_places=1, null=True, blank=True)
    cap_period = models.CharField(
        _("封顶周期"), max_length=8, choices=CapPeriod.choices, default=CapPeriod.YEAR
    )
    bucket = models.CharField(_("分类"), max_length=10, choices=Bucket.choices)
    evidence_required = models.BooleanField(_("须上传佐证"), default=False)
    approver = models.CharField(
        _("审核"), max_length=10, choices=Approver.choices, default=Approver.NONE
    )
    # Above this many points a manual claim also needs the superior's approval.
    superior_threshold = models.DecimalField(
        _("超过此分值须上级审核"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    veto = models.BooleanField(_("一票否决（全年积分为零）"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["organization", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="honors_rule_once")
        ]

    def __str__(self) -> str:
        return self.name


class PointEntry(models.Model):
    """One line of the append-only ledger. A correction is a new entry that reverses an old
    one (`reverses`); nothing is ever updated or deleted. `record_key` names the record the
    points came from (e.g. "attendance:2026-03", "manual:17"), `detail` says why in words."""

    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, related_name="+")
    bucket = models.CharField(max_length=10, choices=Bucket.choices)
    veto = models.BooleanField(default=False)
    record_key = models.CharField(max_length=80)
    points = models.DecimalField(max_digits=8, decimal_places=1)
    detail = models.CharField(max_length=300)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    actor_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member", "year", "id"]
        indexes = [
            models.Index(fields=["member", "year"], name="honors_entry_member_year"),
            models.Index(fields=["organization", "year"], name="honors_entry_org_year"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.points}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("积分台账只能追加，更正请记一笔冲销。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("积分台账只能追加，不能删除。")

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待支部审核")
    BRANCH_APPROVED = "branch_ok", _("待上级审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


class PointClaim(models.Model):
    """A manual item (志愿服务, 急难险重任务…) with evidence, approved by the branch and, above
    the rule's threshold, by the superior; approval posts the ledger entry."""

    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(_("发生日期"))
    description = models.CharField(_("事项说明"), max_length=300)
    points = models.DecimalField(_("申报分值"), max_digits=6, decimal_places=1)
    evidence = models.FileField(_("佐证材料"), upload_to="honors/evidence/", blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    decided_reason = models.CharField(max_length=300, blank=True)
    submitted_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.description

    @property
    def needs_superior(self) -> bool:
        threshold = self.rule.superior_threshold
        return self.rule.approver == Approver.SUPERIOR or (
            threshold is not None and self.points > threshold
        )


class PointsSetting(models.Model):
    """Rankings are off unless an organization's administrator switches them on; even then a
    member sees only their own standing unless the list is published."""

    organization = models.OneToOneField(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+"
    )
    rankings_enabled = models.BooleanField(_("启用排名"), default=False)
    rankings_published = models.BooleanField(_("向党员公布排名"), default=False)

    def __str__(self) -> str:
        return f"{self.organization_id}"


ZERO = Decimal("0.0")

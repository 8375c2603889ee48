"""党费: each member's dues base (versioned by month), payments with the months they cover, and
the recorded good reasons (正当理由) that the 党章第九条 checks respect.

A month is stored as the date of its first day."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chuangxian.dues.rates import DuesCategory


class DuesSetting(models.Model):
    """The dues rule for a member from `effective_from` until the next version."""

    member = models.ForeignKey(
        "orgs.Member",
        on_delete=models.CASCADE,
        related_name="dues_settings",
        verbose_name=_("党员"),
    )
    effective_from = models.DateField(_("起始月份"))
    category = models.CharField(_("交纳类别"), max_length=12, choices=DuesCategory.choices)
    base = models.DecimalField(
        _("计算基数（元/月）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    fixed_amount = models.DecimalField(
        _("定额（元/月）"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    computed_amount = models.DecimalField(_("按规定应交（元/月）"), max_digits=10, decimal_places=2)
    override_amount = models.DecimalField(
        _("调整后金额（元/月）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    override_reason = models.CharField(_("调整理由"), max_length=200, blank=True)
    # What is due each month: the override when there is one, else the computed amount. Kept as
    # a column so that a statement sums it without recomputing the rate table per member.
    amount = models.DecimalField(_("每月应交（元）"), max_digits=10, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "effective_from"], name="dues_setting_one_per_month"
            )
        ]
        verbose_name = _("党费核定")
        verbose_name_plural = _("党费核定")

    def __str__(self) -> str:
        return f"{self.member_id} {self.effective_from:%Y-%m} {self.amount}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")
    BANK = "bank", _("银行转账")
    PAYROLL = "payroll", _("工资代扣")
    OTHER = "other", _("其他")


class PaymentSource(models.TextChoices):
    ENTERED = "entered", _("录入")
    IMPORTED = "imported", _("导入")


class Payment(models.Model):
    """One payment as written on the receipt; it may cover several months."""

    member = models.ForeignKey(
        "orgs.Member",
        on_delete=models.PROTECT,
        related_name="dues_payments",
        verbose_name=_("党员"),
    )
    # The member's organization when the payment was recorded: the receipt book it belongs to.
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("收缴组织")
    )
    first_month = models.DateField(_("起始月份"))
    last_month = models.DateField(_("截止月份"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("缴纳日期"))
    method = models.CharField(
        _("缴纳方式"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.CASH
    )
    receipt_number = models.CharField(_("收据编号"), max_length=40, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    source = models.CharField(max_length=10, choices=PaymentSource.choices)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["member", "paid_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "receipt_number"],
                condition=~Q(receipt_number="") & Q(voided_at=None),
                name="dues_receipt_unique_per_organization",
            )
        ]
        verbose_name = _("党费缴纳")
        verbose_name_plural = _("党费缴纳")

    def __str__(self) -> str:
        return f"{self.member_id} {self.first_month:%Y-%m}~{self.last_month:%Y-%m} {self.amount}"

    @property
    def month_count(self) -> int:
        from chuangxian.dues.months import months_between

        return months_between(self.first_month, self.last_month)


class PaymentMonth(models.Model):
    """The share of a payment credited to one month: what the statements and the checks read."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="months")
    member = models.ForeignKey("orgs.Member", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        indexes = [
            models.Index(fields=["member", "month"]),
            models.Index(fields=["month", "member"]),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m} {self.amount}"


class ReasonScope(models.TextChoices):
    DUES = "dues", _("不交纳党费")
    ORGLIFE = "orglife", _("不参加组织生活")
    BOTH = "both", _("两者")


class GoodReason(models.Model):
    """正当理由 recorded by the branch (流动党员外出务工, 长期患病…): the months it covers do not
    count towards the 党章第九条 six months."""

    member = models.ForeignKey(
        "orgs.Member", on_delete=models.CASCADE, related_name="good_reasons", verbose_name=_("党员")
    )
    applies_to = models.CharField(
        _("适用于"), max_length=8, choices=ReasonScope.choices, default=ReasonScope.BOTH
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    text = models.CharField(_("理由"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("正当理由")
        verbose_name_plural = _("正当理由")

    def __str__(self) -> str:
        return f"{self.member_id} {self.starts_on} {self.text[:20]}"

"""Forms of the dues pages. Validation of the rules lives in the services; forms parse."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangxian.dues.models import PaymentMethod, ReasonScope
from chuangxian.dues.months import MonthError, month_of, parse_month
from chuangxian.dues.rates import DuesCategory
from chuangxian.dues.services.payments import PaymentValues
from chuangxian.dues.services.settings import SettingValues
from chuangxian.orgs.forms.fields import date_field
from chuangxian.roster_io.uploads import upload_problem


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month picker), also 202601 or 2026年1月."""

    widget = MonthInput

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except MonthError as error:
            raise forms.ValidationError(str(error))

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return value


def money(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class SettingForm(forms.Form):
    effective_from = MonthField(label=_("起始月份"), help_text=_("基数一般每年1月调整一次"))
    category = forms.ChoiceField(label=_("交纳类别"), choices=DuesCategory.choices)
    base = money(
        _("计算基数（元/月）"), help_text=_("在职：税后月工资收入；离退休：离退休费或养老金")
    )
    fixed_amount = money(_("每月定额（元）"), help_text=_("农民、学生、下岗失业等：0.20—1.00元"))
    override_amount = money(_("调整后每月金额（元）"), help_text=_("仅在需要不按比例交纳时填写"))
    override_reason = forms.CharField(label=_("调整理由"), required=False, max_length=200)

    def values(self) -> SettingValues:
        data = self.cleaned_data
        return SettingValues(
            effective_from=data["effective_from"],
            category=data["category"],
            base=data["base"],
            fixed_amount=data["fixed_amount"],
            override_amount=data["override_amount"],
            override_reason=data["override_reason"],
        )


class PaymentForm(forms.Form):
    first_month = MonthField(label=_("起始月份"))
    last_month = MonthField(label=_("截止月份"), required=False, help_text=_("只交一个月可不填"))
    amount = money(_("金额（元）"), required=True)
    paid_on = date_field(_("缴纳日期"), required=True)
    method = forms.ChoiceField(label=_("缴纳方式"), choices=PaymentMethod.choices)
    receipt_number = forms.CharField(label=_("收据编号"), required=False, max_length=40)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def values(self) -> PaymentValues:
        data = self.cleaned_data
        return PaymentValues(
            first_month=data["first_month"],
            last_month=data["last_month"] or data["first_month"],
            amount=data["amount"],
            paid_on=data["paid_on"],
            method=data["method"],
            receipt_number=data["receipt_number"],
            note=data["note"],
        )


class VoidForm(forms.Form):
    void_reason = forms.CharField(label=_("作废原因"), max_length=200)


class ReasonForm(forms.Form):
    applies_to = forms.ChoiceField(label=_("适用于"), choices=ReasonScope.choices)
    starts_on = date_field(_("开始日期"), required=True)
    ends_on = date_field(_("结束日期"), help_text=_("仍在持续可不填"))
    text = forms.CharField(
        label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("党费缴纳文件（.xlsx、.xls、.csv）"))
    dry_run = forms.BooleanField(label=_("仅检查，不写入（试导入）"), required=False)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        content: bytes = upload.read()
        if problem := upload_problem(upload.name, content):
            raise forms.ValidationError(problem)
        self.file_name: str = upload.name
        return content


class MonthChoiceForm(forms.Form):
    month = MonthField(label=_("月份"), required=False)

    def month_or(self, default: dt.date) -> dt.date:
        if self.is_valid() and self.cleaned_data["month"]:
            return month_of(self.cleaned_data["month"])
        return default

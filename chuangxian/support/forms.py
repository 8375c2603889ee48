"""Forms of the support pages. They parse input; the services decide what is allowed."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangxian.commitments.forms import MultipleFileField
from chuangxian.orgs.forms.fields import OrganizationChoiceField, date_field
from chuangxian.orgs.models import Member, Organization
from chuangxian.support.models import FundKind, HardshipKind, PairingKind
from chuangxian.support.services.plans import MAX_PHOTOS_PER_VISIT


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=_textarea(2))


class _OrganizationsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


class _MemberField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.organization.name}）"


class MarkForm(forms.Form):
    organization = OrganizationChoiceField(label=_("党组织"))
    reason = forms.CharField(label=_("认定原因"), max_length=500, widget=_textarea(2))

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, OrganizationChoiceField)
        field.queryset = organizations


class PlanForm(forms.Form):
    helpers = _OrganizationsField(
        label=_("帮扶单位"),
        queryset=Organization.objects.none(),
        help_text=_("可多选（按住Ctrl或在手机上点选）"),
    )
    leader = forms.CharField(label=_("包联领导"), max_length=50)
    problems = forms.CharField(label=_("查摆的问题"), max_length=4000, widget=_textarea(4))

    def __init__(self, *args: Any, helpers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["helpers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = helpers


class MeasureForm(forms.Form):
    text = forms.CharField(label=_("整改措施"), max_length=500)
    owner = forms.CharField(label=_("责任人"), max_length=50)
    due_on = date_field(_("完成时限"), required=True)


class MeasureDoneForm(forms.Form):
    done_on = date_field(_("完成日期"), required=True)
    note = forms.CharField(label=_("完成情况"), max_length=500)


class VisitForm(forms.Form):
    visited_on = date_field(_("回访日期"), required=True)
    visitors = forms.CharField(label=_("回访人员"), max_length=200)
    findings = forms.CharField(label=_("发现的情况"), max_length=2000, widget=_textarea())
    photos = MultipleFileField(
        label=_("照片"),
        required=False,
        help_text=_("可选，最多%(n)d张") % {"n": MAX_PHOTOS_PER_VISIT},
    )


class AcceptForm(forms.Form):
    conclusion = forms.CharField(label=_("验收意见"), max_length=2000, widget=_textarea())


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("还需整改的问题"), max_length=2000, widget=_textarea(2))


class HardshipForm(forms.Form):
    member = _MemberField(label=_("党员"), queryset=Member.objects.none())
    kind = forms.ChoiceField(label=_("困难类型"), choices=HardshipKind.choices)
    details = forms.CharField(label=_("困难情况"), max_length=2000, widget=_textarea())
    recorded_on = date_field(_("登记日期"), required=True)

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = members


class CareVisitForm(forms.Form):
    visited_on = date_field(_("慰问日期"), required=True)
    visitors = forms.CharField(label=_("慰问人员"), max_length=200)
    given = forms.CharField(label=_("慰问内容"), max_length=300)
    amount = forms.DecimalField(
        label=_("慰问金（元）"), max_digits=10, decimal_places=2, required=False, min_value=0
    )


class PairingForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PairingKind.choices)
    first = OrganizationChoiceField(label=_("一方（机关或联点领导所在组织）"))
    second = forms.CharField(
        label=_("另一方组织编码"),
        max_length=32,
        help_text=_("结对的另一方可以在您的管理范围之外，填写其组织编码"),
    )
    leader = forms.CharField(label=_("联点领导"), max_length=50, required=False)
    purpose = forms.CharField(label=_("共建内容"), max_length=300)
    started_on = date_field(_("开始日期"), required=True)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["first"]
        assert isinstance(field, OrganizationChoiceField)
        field.queryset = organizations


class ActivityForm(forms.Form):
    held_on = date_field(_("活动日期"), required=True)
    title = forms.CharField(label=_("活动内容"), max_length=200)
    result = forms.CharField(label=_("成效"), max_length=500, required=False)


class AllocationForm(forms.Form):
    organization = OrganizationChoiceField(label=_("党组织"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("经费类别"), choices=FundKind.choices)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, OrganizationChoiceField)
        field.queryset = organizations


class PassDownForm(forms.Form):
    organization = OrganizationChoiceField(label=_("下拨给"))
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, OrganizationChoiceField)
        field.queryset = organizations


class SpendingForm(forms.Form):
    spent_on = date_field(_("支出日期"), required=True)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2)
    purpose = forms.CharField(label=_("用途"), max_length=300)
    receipt = forms.FileField(
        label=_("票据"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}),
        help_text=_("发票或收据的照片、PDF"),
    )

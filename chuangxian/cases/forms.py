"""Forms of the case pages. They parse input; the services decide what is allowed."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangxian.cases.models import Mechanism, Visibility
from chuangxian.cases.services import MAX_FILES_PER_CASE, CaseValues
from chuangxian.commitments.forms import MultipleFileField
from chuangxian.orgs.forms.fields import OrganizationChoiceField, date_field
from chuangxian.orgs.models import Sector


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class CaseForm(forms.Form):
    organization = OrganizationChoiceField(label=_("报送单位"))
    title = forms.CharField(label=_("标题"), max_length=100)
    sector = forms.ChoiceField(label=_("所属领域"), choices=Sector.choices)
    mechanism = forms.ChoiceField(label=_("涉及机制"), choices=Mechanism.choices)
    summary = forms.CharField(label=_("摘要"), max_length=300, widget=_textarea(2))
    body = forms.CharField(label=_("正文"), max_length=20000, widget=_textarea(12))
    attachments = MultipleFileField(
        label=_("照片和附件"),
        required=False,
        help_text=_("可选，最多%(n)d个；图片、PDF、Word、Excel、PowerPoint")
        % {"n": MAX_FILES_PER_CASE},
    )

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, OrganizationChoiceField)
        if organizations is None:
            del self.fields["organization"]
        else:
            field.queryset = organizations

    def values(self) -> CaseValues:
        data = self.cleaned_data
        return CaseValues(
            title=data["title"],
            sector=data["sector"],
            mechanism=data["mechanism"],
            summary=data["summary"],
            body=data["body"],
        )


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("修改意见"), max_length=2000, widget=_textarea(2))


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("审核意见"), max_length=2000, required=False, widget=_textarea(2)
    )


class PublishForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("发布范围"), choices=Visibility.choices, widget=forms.RadioSelect
    )


class AdoptionForm(forms.Form):
    organization = OrganizationChoiceField(label=_("借鉴单位"))
    adopted_on = date_field(_("借鉴日期"), required=True)
    action = forms.CharField(label=_("借鉴做法"), max_length=2000, widget=_textarea(3))
    result = forms.CharField(label=_("取得成效"), max_length=2000, widget=_textarea(3))

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, OrganizationChoiceField)
        field.queryset = organizations


class DemoPointForm(forms.Form):
    organization = OrganizationChoiceField(label=_("示范点"))
    theme = forms.CharField(label=_("示范内容"), max_length=200)
    leader = forms.CharField(label=_("办点领导"), max_length=50, required=False)
    starts_on = date_field(_("开始日期"), required=True)
    ends_on = date_field(_("结束日期"), required=True)
    public = forms.BooleanField(label=_("公开展示"), required=False, initial=True)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, OrganizationChoiceField)
        field.queryset = organizations

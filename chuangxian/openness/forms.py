from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangxian.openness.models import (
    Audience,
    DisclosureKind,
    DisclosureScope,
    PostType,
    Satisfaction,
    ServiceScore,
)
from chuangxian.openness.services.opinions import MAX_LENGTH
from chuangxian.openness.tables import TABLE_CHOICES
from chuangxian.orgs.forms.fields import OrganizationChoiceField


class OpinionForm(forms.Form):
    text = forms.CharField(
        label=_("您的意见建议"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_LENGTH}),
        help_text=_("请说清楚事情、地点和您的建议；不要填写身份证号等个人信息。"),
    )
    photo = forms.FileField(label=_("照片（可选）"), required=False)
    phone = forms.CharField(
        label=_("手机号码（可选，用于回复您）"),
        max_length=20,
        required=False,
        help_text=_("只有办理人员能看到，不会公开。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("答复内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500)


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("您对答复是否满意"), choices=Satisfaction.choices)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("需要重新办理的理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class DisclosureForm(forms.Form):
    organization = OrganizationChoiceField(label=_("党组织"), empty_label=None)
    kind = forms.ChoiceField(label=_("公开事项"), choices=DisclosureKind.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(
        label=_("公开内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 10})
    )
    scope = forms.ChoiceField(label=_("公开范围"), choices=DisclosureScope.choices)
    ends_on = forms.DateField(
        label=_("公开截止日期（可选）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tables = forms.MultipleChoiceField(
        label=_("附上系统生成的数据表（不需重新录入）"),
        choices=TABLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("我已审核：内容不涉及国家秘密，不含公民身份号码、手机号码等个人敏感信息"),
        required=False,
    )


class CatalogueItemForm(forms.Form):
    interval_months = forms.IntegerField(label=_("公开周期（月）"), min_value=0, max_value=36)
    next_due_on = forms.DateField(
        label=_("下次公开期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RequestForm(forms.Form):
    subject = forms.CharField(
        label=_("申请公开的内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复内容"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5})
    )


class CardForm(forms.Form):
    post_type = forms.ChoiceField(label=_("岗位类型"), choices=PostType.choices)
    post_name = forms.CharField(
        label=_("岗位名称"), max_length=60, help_text=_("如：村便民服务中心社保窗口")
    )
    pledge = forms.CharField(
        label=_("服务承诺"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(label=_("照片（可选）"), required=False)
    remove_photo = forms.BooleanField(label=_("删除现有照片"), required=False)


class CardRateForm(forms.Form):
    score = forms.TypedChoiceField(label=_("评价"), choices=ServiceScore.choices, coerce=int)
    comment = forms.CharField(label=_("意见（可选）"), max_length=200, required=False)


class ConsultationForm(forms.Form):
    organization = OrganizationChoiceField(label=_("党组织"), empty_label=None)
    title = forms.CharField(label=_("标题"), max_length=100)
    draft = forms.CharField(
        label=_("决定草案"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    audience = forms.ChoiceField(label=_("征求范围"), choices=Audience.choices)
    deadline = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("我的意见"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )


class NoticeForm(forms.Form):
    organization = forms.ChoiceField(label=_("发文组织"))
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(
        label=_("通报内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    recipients = forms.MultipleChoiceField(
        label=_("接收通报的下级组织"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: object,
        organizations: list[tuple[str, str]],
        recipients: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organization"].choices = organizations  # type: ignore[attr-defined]
        self.fields["recipients"].choices = recipients  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    sender = forms.ChoiceField(label=_("反映人"))
    subject = forms.CharField(label=_("事由"), max_length=100)
    body = forms.CharField(
        label=_("反映内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: object, senders: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["sender"].choices = senders  # type: ignore[attr-defined]

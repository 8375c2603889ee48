from django import forms
from django.utils.translation import gettext_lazy as _

from chuangxian.reports.services import NARRATIVE_MAX


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label=_("情况说明"),
        required=False,
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "只写记录里没有的内容：亮点、问题和下一步打算。表中的数字由系统生成，不需要填写。"
        ),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=500)

"""Forms of the honors pages. They parse; the rules are the services'."""

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangxian.honors.models import (
    Approver,
    Bucket,
    CapPeriod,
    EligibilityRule,
    PointSource,
    SubjectKind,
)
from chuangxian.honors.services.awards import OBJECTION_MAX, STORY_MAX
from chuangxian.orgs.forms.fields import date_field


def set_choices(form: forms.Form, name: str, choices: Sequence[tuple[object, str]]) -> None:
    """Fill a choice field whose options depend on the viewer."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class BatchForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("组织单位"), coerce=int)
    name = forms.CharField(label=_("表彰名称"), max_length=100, initial="七一表彰")
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    nomination_opens = date_field(_("推荐开始日期"), required=True)
    nomination_closes = date_field(_("推荐截止日期"), required=True)
    notice_days = forms.IntegerField(label=_("公示工作日数"), min_value=1, max_value=30, initial=5)


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("奖项名称"), max_length=60, initial="优秀共产党员")
    subject_kind = forms.ChoiceField(label=_("表彰对象"), choices=SubjectKind.choices)
    rules = forms.MultipleChoiceField(
        label=_("资格条件"),
        choices=EligibilityRule.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("党员奖项选前四项中的条件，党组织奖项选星级条件"),
    )
    material_reward = forms.CharField(label=_("物质奖励"), max_length=200, required=False)


class QuotaForm(forms.Form):
    category = forms.TypedChoiceField(label=_("奖项"), coerce=int)
    organization = forms.TypedChoiceField(label=_("党组织"), coerce=int)
    count = forms.IntegerField(label=_("名额"), min_value=0, max_value=999)


class NominationForm(forms.Form):
    category = forms.TypedChoiceField(label=_("奖项"), coerce=int)
    nominee = forms.ChoiceField(label=_("被推荐对象"))
    story = forms.CharField(
        label=_("主要事迹"),
        max_length=STORY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("简要写明突出事迹，不超过1000字"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)


class StoryForm(forms.Form):
    story = forms.CharField(
        label=_("主要事迹"), max_length=STORY_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("异议内容"),
        max_length=OBJECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": OBJECTION_MAX}),
        help_text=_("请实事求是反映情况，不超过500字"),
    )
    contact = forms.CharField(
        label=_("联系方式（可不填）"),
        max_length=60,
        required=False,
        help_text=_("留下电话便于核实情况后回复您"),
    )


class ObjectionOutcomeForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("核实结果"),
        choices=[("0", _("反映不属实")), ("1", _("反映属实"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("核实情况"), max_length=500)


class RuleForm(forms.Form):
    code = forms.SlugField(label=_("项目编码"), max_length=40)
    name = forms.CharField(label=_("积分项目"), max_length=100)
    source = forms.ChoiceField(label=_("数据来源"), choices=PointSource.choices)
    points = forms.DecimalField(label=_("分值"), max_digits=6, decimal_places=1, min_value=0)
    bucket = forms.ChoiceField(label=_("分类"), choices=Bucket.choices)
    cap = forms.DecimalField(
        label=_("封顶分值"), max_digits=6, decimal_places=1, min_value=0, required=False
    )
    cap_period = forms.ChoiceField(label=_("封顶周期"), choices=CapPeriod.choices)
    evidence_required = forms.BooleanField(label=_("须上传佐证"), required=False)
    approver = forms.ChoiceField(label=_("审核"), choices=Approver.choices)
    superior_threshold = forms.DecimalField(
        label=_("超过此分值须上级审核"),
        max_digits=6,
        decimal_places=1,
        min_value=0,
        required=False,
    )
    veto = forms.BooleanField(label=_("一票否决（全年积分为零）"), required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class ClaimForm(forms.Form):
    rule = forms.TypedChoiceField(label=_("积分项目"), coerce=int)
    member = forms.TypedChoiceField(label=_("党员"), coerce=int, required=False)
    occurred_on = date_field(_("发生日期"), required=True)
    description = forms.CharField(label=_("事项说明"), max_length=300)
    points = forms.DecimalField(label=_("申报分值"), max_digits=6, decimal_places=1, min_value=0)
    evidence = forms.FileField(label=_("佐证材料（图片、PDF）"), required=False)


class SettingForm(forms.Form):
    rankings_enabled = forms.BooleanField(label=_("启用排名"), required=False)
    rankings_published = forms.BooleanField(label=_("向党员公布排名"), required=False)

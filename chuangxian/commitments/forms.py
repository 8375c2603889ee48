"""Forms of the commitment pages. They parse input; the services decide what is allowed."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from chuangxian.campaigns.models import Campaign
from chuangxian.commitments.models import (
    CommitmentKind,
    CommitmentSheet,
    ItemStatus,
    Satisfaction,
)
from chuangxian.commitments.services import MAX_FILES_PER_UPDATE, ItemValues, dimension_choices
from chuangxian.orgs.forms.fields import date_field


class CampaignChoiceForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("创先争优活动"), queryset=Campaign.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = campaigns


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("承诺类型"), choices=CommitmentKind.choices)
    dimension = forms.ChoiceField(label=_("对应标准"))
    text = forms.CharField(
        label=_("承诺内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_value = forms.DecimalField(
        label=_("目标数值"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    target_unit = forms.CharField(
        label=_("单位"), max_length=20, required=False, help_text=_("如：户、次、小时、万元")
    )
    level_commit = forms.CharField(label=_("保底目标"), max_length=200, required=False)
    level_target = forms.CharField(
        label=_("努力目标"),
        max_length=200,
        required=False,
        help_text=_("无法用数值衡量时，至少填写努力目标"),
    )
    level_stretch = forms.CharField(label=_("争取目标"), max_length=200, required=False)
    due_on = date_field(_("完成时限"), required=True)

    def __init__(self, *args: Any, sheet: CommitmentSheet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dimension = self.fields["dimension"]
        assert isinstance(dimension, forms.ChoiceField)
        dimension.choices = dimension_choices(sheet.is_member_sheet)
        dimension.label = _("对应“五带头”") if sheet.is_member_sheet else _("对应“五好”")

    @classmethod
    def initial_from(cls, item: Any) -> dict[str, Any]:
        return {name: getattr(item, name) for name in cls.base_fields}

    def values(self) -> ItemValues:
        data = self.cleaned_data
        return ItemValues(
            kind=data["kind"],
            dimension=data["dimension"],
            text=data["text"],
            due_on=data["due_on"],
            target_value=data["target_value"],
            target_unit=data["target_unit"],
            level_commit=data["level_commit"],
            level_target=data["level_target"],
            level_stretch=data["level_stretch"],
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.docx,.xlsx,.pptx"})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ProgressForm(forms.Form):
    text = forms.CharField(
        label=_("进展情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    achieved_value = forms.DecimalField(
        label=_("已完成数值"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    attachments = MultipleFileField(
        label=_("佐证材料（照片或文件）"),
        required=False,
        help_text=_("可选，最多%(n)d个；图片、PDF、Word、Excel、PowerPoint，每个不超过10MB")
        % {"n": MAX_FILES_PER_UPDATE},
    )

    def __init__(self, *args: Any, measurable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not measurable:
            del self.fields["achieved_value"]


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("点评内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("兑现结果"),
        choices=[(ItemStatus.FULFILLED, _("已兑现")), (ItemStatus.UNMET, _("未兑现"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("兑现说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("未兑现的必须说明原因，说明将向群众公开"),
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("评价"), choices=Satisfaction.choices, coerce=int, widget=forms.RadioSelect
    )

"""Forms of the campaign pages. They parse input; the services decide what is allowed."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from chuangxian.campaigns.dimensions import MemberDimension, OrgDimension
from chuangxian.campaigns.models import PHASE_ORDER, Campaign, Measure, PhaseKind, TargetItem
from chuangxian.campaigns.services.campaigns import CampaignValues
from chuangxian.campaigns.services.targets import TargetValues
from chuangxian.orgs.forms.fields import OrganizationChoiceField, date_field
from chuangxian.uploads.safety import MAX_UPLOAD_BYTES

MAX_EVIDENCE_FILES = 5


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("活动名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    starts_on = date_field(_("开始日期"), required=True)
    ends_on = date_field(_("结束日期"), required=True)
    commitment_deadline = date_field(_("承诺截止日期"), help_text=_("此后不能再提出新的公开承诺。"))
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"] = OrganizationChoiceField(label=_("主办组织"), empty_label=None)
            self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
            self.order_fields(["owner"])
        for kind, label in PhaseKind.choices:
            self.fields[f"{kind}_starts_on"] = date_field(
                _("%(phase)s阶段开始") % {"phase": label}, required=True
            )
            self.fields[f"{kind}_ends_on"] = date_field(
                _("%(phase)s阶段结束") % {"phase": label}, required=True
            )

    @classmethod
    def initial_from(cls, campaign: Campaign) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(campaign, name)
            for name in ("name", "year", "starts_on", "ends_on", "commitment_deadline")
        }
        initial["description"] = campaign.description
        for phase in campaign.phases.all():
            initial[f"{phase.kind}_starts_on"] = phase.starts_on
            initial[f"{phase.kind}_ends_on"] = phase.ends_on
        return initial

    def values(self) -> CampaignValues:
        data = self.cleaned_data
        return CampaignValues(
            name=data["name"],
            year=data["year"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            commitment_deadline=data["commitment_deadline"],
            description=data["description"],
            phases={
                kind: (data[f"{kind}_starts_on"], data[f"{kind}_ends_on"]) for kind in PHASE_ORDER
            },
        )


DIMENSION_CHOICES = [
    (_("五好（党组织）"), [(f"org:{code}", label) for code, label in OrgDimension.choices]),
    (_("五带头（党员）"), [(f"member:{code}", label) for code, label in MemberDimension.choices]),
]


class StandardItemForm(forms.Form):
    dimension = forms.ChoiceField(label=_("维度"), choices=DIMENSION_CHOICES)
    text = forms.CharField(label=_("细则内容"), max_length=300)
    measure = forms.CharField(label=_("量化要求"), max_length=200, required=False)

    def kind_and_dimension(self) -> tuple[str, str]:
        kind, dimension = str(self.cleaned_data["dimension"]).split(":", 1)
        return kind, dimension


class StandardEditForm(forms.Form):
    text = forms.CharField(label=_("细则内容"), max_length=300)
    measure = forms.CharField(label=_("量化要求"), max_length=200, required=False)


class TargetForm(forms.Form):
    title = forms.CharField(label=_("目标内容"), max_length=200)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.DecimalField(
        label=_("分值（权重）"), max_digits=7, decimal_places=2, initial=Decimal(10)
    )
    measure = forms.ChoiceField(
        label=_("考核方式"), choices=Measure.choices, widget=forms.RadioSelect
    )
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    baseline = forms.DecimalField(label=_("基数"), max_digits=14, decimal_places=2, required=False)
    target_value = forms.DecimalField(
        label=_("目标值"), max_digits=14, decimal_places=2, required=False
    )
    deadline = date_field(_("完成时限"), required=True)
    veto = forms.BooleanField(label=_("一票否决项"), required=False)
    dimension = forms.ChoiceField(
        label=_("对应五好维度"),
        required=False,
        choices=[("", _("（不对应）")), *OrgDimension.choices],
    )

    field_order = [
        "title", "description", "weight", "measure", "unit", "baseline", "target_value",
        "deadline", "veto", "dimension",
    ]  # fmt: skip

    @classmethod
    def initial_from(cls, item: TargetItem) -> dict[str, Any]:
        return {name: getattr(item, name) for name in cls.base_fields}

    def values(self) -> TargetValues:
        data = self.cleaned_data
        return TargetValues(
            title=data["title"],
            description=data["description"],
            weight=data["weight"],
            measure=data["measure"],
            unit=data["unit"],
            baseline=data["baseline"],
            target_value=data["target_value"],
            deadline=data["deadline"],
            veto=data["veto"],
            dimension=data["dimension"],
        )


class SetTargetForm(TargetForm):
    organization = OrganizationChoiceField(label=_("下达给"), empty_label=None)

    def __init__(self, *args: Any, children: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = children  # type: ignore[attr-defined]
        self.order_fields(["organization", *self.field_order])


class DecomposeForm(TargetForm):
    holder = forms.ChoiceField(label=_("分解给"))

    def __init__(self, *args: Any, children: list[Any], members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].choices = [  # type: ignore[attr-defined]
            (_("下级组织"), [(f"org:{o.pk}", o.name) for o in children]),
            (
                _("党员"),
                [(f"member:{m.pk}", f"{m.name}（{m.organization.name}）") for m in members],
            ),
        ]
        self.order_fields(["holder", *self.field_order])

    def holder_choice(self) -> tuple[str, int]:
        kind, pk = str(self.cleaned_data["holder"]).split(":", 1)
        return kind, int(pk)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_EVIDENCE_FILES:
            raise forms.ValidationError(_("一次最多上传%(n)s个文件") % {"n": MAX_EVIDENCE_FILES})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ProgressForm(forms.Form):
    value = forms.DecimalField(label=_("当前值"), max_digits=14, decimal_places=2, required=False)
    done = forms.BooleanField(label=_("已完成"), required=False)
    note = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("图片、PDF或Word/Excel/PowerPoint，每个不超过%(mb)s MB，最多%(n)s个。")
        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024), "n": MAX_EVIDENCE_FILES},
    )

    def __init__(self, *args: Any, item: TargetItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if item.measure == Measure.NUMBER:
            del self.fields["done"]
            if item.unit:
                self.fields["value"].label = _("当前值（%(unit)s）") % {"unit": item.unit}
        else:
            del self.fields["value"]


class ScoresForm(forms.Form):
    """One score (and a short note) per item of a letter, plus an overall note."""

    note = forms.CharField(
        label=_("总体情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, items: list[TargetItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"score_{item.pk}"] = forms.DecimalField(
                label=item.title,
                max_digits=7,
                decimal_places=2,
                required=False,
                help_text=_("满分 %(w)s") % {"w": item.weight},
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("说明"), max_length=300, required=False
            )

    def scores(self) -> dict[int, tuple[Decimal | None, str]]:
        data = self.cleaned_data
        return {i.pk: (data.get(f"score_{i.pk}"), data.get(f"note_{i.pk}", "")) for i in self.items}

    def rows(self) -> list[tuple[TargetItem, Any, Any]]:
        return [(i, self[f"score_{i.pk}"], self[f"note_{i.pk}"]) for i in self.items]

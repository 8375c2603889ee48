"""Forms of the appraisal pages. The ballot sheet is built from the round's subjects and the
scheme's rated leaves: one field per (subject, leaf), named s<subject>_l<leaf>; a choice is
posted as its position on the scale (schemes.choice_codes)."""

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangxian.appraisal.models import Indicator, RoundSubject, Scheme
from chuangxian.appraisal.schemes import choice_codes
from chuangxian.appraisal.services.ballots import TOKEN_BATCH_MAX
from chuangxian.orgs.forms.fields import OrganizationChoiceField


class RoundForm(forms.Form):
    organization = OrganizationChoiceField(label=_("组织范围"), empty_label=None)
    scheme = forms.ModelChoiceField(
        label=_("考评方案"), queryset=Scheme.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("考评名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, organizations: Any, schemes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["scheme"].queryset = schemes  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class OverrideForm(forms.Form):
    grade = forms.ChoiceField(label=_("调整为"))
    reason = forms.CharField(
        label=_("调整理由（必填）"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, grades: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, g) for g in grades]  # type: ignore[attr-defined]


class TokenBatchForm(forms.Form):
    organization = OrganizationChoiceField(label=_("评价范围"), empty_label=None)
    count = forms.IntegerField(label=_("数量"), min_value=1, max_value=TOKEN_BATCH_MAX, initial=20)
    label = forms.CharField(label=_("批次说明"), max_length=100, required=False)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


def field_name(subject_id: int, leaf_id: int) -> str:
    return f"s{subject_id}_l{leaf_id}"


class SheetForm(forms.Form):
    """Every listed subject rated on every rated leaf (民主测评 asks a mark for everyone)."""

    def __init__(
        self,
        *args: Any,
        subjects: Sequence[RoundSubject],
        leaves: Sequence[Indicator],
        notes: Mapping[int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.subjects, self.leaves = list(subjects), list(leaves)
        # subject id → the summary of the member's year shown beside them (records.py)
        self.notes = dict(notes or {})
        for subject in self.subjects:
            for leaf in self.leaves:
                self.fields[field_name(subject.pk, leaf.pk)] = _leaf_field(subject, leaf)

    def rows(self) -> list[tuple[RoundSubject, list[Any], str]]:
        """(subject, [bound fields], note) for the template, one card per subject."""
        return [
            (
                s,
                [self[field_name(s.pk, leaf.pk)] for leaf in self.leaves],
                self.notes.get(s.pk, ""),
            )
            for s in self.subjects
        ]

    def sheet(self) -> dict[int, dict[int, Any]]:
        """The answers as the services take them: a choice by its label, points as a number."""
        data = self.cleaned_data
        labels = {
            leaf.pk: {code: label for code, (label, _points) in choice_codes(leaf.scale).items()}
            for leaf in self.leaves
            if leaf.scale.get("kind") == "choices"
        }
        sheet: dict[int, dict[int, Any]] = {}
        for s in self.subjects:
            answers = sheet[s.pk] = {}
            for leaf in self.leaves:
                value = data[field_name(s.pk, leaf.pk)]
                answers[leaf.pk] = labels[leaf.pk][value] if leaf.pk in labels else value
        return sheet


def _leaf_field(subject: RoundSubject, leaf: Indicator) -> forms.Field:
    scale = leaf.scale
    label = leaf.name
    message = {"required": f"请评价“{subject.label}”的“{leaf.name}”"}
    if scale.get("kind") == "choices":
        return forms.ChoiceField(
            label=label,
            choices=[(code, text) for code, (text, _points) in choice_codes(scale).items()],
            widget=forms.RadioSelect,
            error_messages=message,
        )
    low, high = float(scale.get("min", 0)), float(scale.get("max", 100))
    return forms.FloatField(
        label=f"{label}（{low:g}–{high:g}分）",
        min_value=low,
        max_value=high,
        error_messages=message,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )

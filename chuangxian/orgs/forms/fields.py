"""Form fields shared by the foundation's forms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from chuangxian.orgs.models import Organization

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DateInput(forms.DateInput):
    """A native date picker that sends and shows YYYY-MM-DD."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def date_field(
    label: StrOrPromise, *, required: bool = False, help_text: StrOrPromise = ""
) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
        help_text=help_text,
    )


class OrganizationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice among organizations, indented by depth so the list reads as the tree it is.
    The queryset is set by the form from the access layer."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(queryset=Organization.objects.none(), **kwargs)  # type: ignore[arg-type]

    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * obj.depth}{obj.name}（{obj.code}）"

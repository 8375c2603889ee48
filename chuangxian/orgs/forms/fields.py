"""Form fields shared by the foundation's forms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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


# Above this many organizations to choose from, a field asks for the organization's code, with
# suggestions as the user types (OrganizationSearchInput), instead of listing every one of them
# in a <select>: a county has hundreds, a province's administrator tens of thousands.
SELECT_MAX = 300


class OrganizationSearchInput(forms.TextInput):
    """A text box for an organization code whose suggestions (a <datalist>) are fetched as the
    user types, from the organizations the user may see (orgs:organization_suggestions); the
    field then accepts only a code of its own queryset. Without JavaScript it is a plain code
    box."""

    template_name = "orgs/widgets/organization_search.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        listing = f"{widget_attrs.get('id') or name}-suggestions"
        context["widget"]["suggestions_id"] = listing
        widget_attrs.update(
            {
                "list": listing,
                "autocomplete": "off",
                "placeholder": _("输入组织名称或编码，从提示中选择"),
                "hx-get": f"{reverse('orgs:organization_suggestions')}?field={name}",
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{listing}",
                "hx-swap": "innerHTML",
            }
        )
        return context


class OrganizationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice among organizations. The queryset is set by the form from the access layer.
    Up to SELECT_MAX organizations: a <select>, indented by depth so the list reads as the
    tree it is (posts the id). More: a code box with suggestions (posts the code, looked up
    in the same queryset, so the scope is enforced the same way)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Organization.objects.none(), **kwargs)

    def _set_queryset(self, queryset: Any) -> None:
        large = queryset is not None and queryset[: SELECT_MAX + 1].count() > SELECT_MAX
        if large != isinstance(self.widget, OrganizationSearchInput):
            # A widget of this field's own: form instances deep-copy the field's widget, so
            # nothing here may be shared between them (the choices are per user).
            widget = OrganizationSearchInput() if large else forms.Select()
            widget.is_required = self.required
            widget.attrs.update(self.widget.attrs)
            self.widget = widget
        self.to_field_name = "code" if large else None
        super()._set_queryset(queryset)  # type: ignore[misc]
        if large:
            self.error_messages["invalid_choice"] = _("没有这个组织编码，或该组织不在可选范围内")
        else:
            self.error_messages["invalid_choice"] = self.default_error_messages["invalid_choice"]

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]

    def prepare_value(self, value: Any) -> Any:
        """An initial value given as an id shows as its code in the code box (a code may be
        all digits, so an id left in the box would be read back as some other code)."""
        if self.to_field_name and isinstance(value, int) and not isinstance(value, bool):
            code = self.queryset.filter(pk=value).values_list("code", flat=True).first()
            return code or ""
        return super().prepare_value(value)

    def to_python(self, value: Any) -> Any:
        if self.to_field_name and isinstance(value, str):
            value = value.strip()
        return super().to_python(value)

    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * obj.depth}{obj.name}（{obj.code}）"

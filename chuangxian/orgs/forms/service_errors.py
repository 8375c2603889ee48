"""Showing a service's refusal beside the fields it concerns."""

from django import forms
from django.core.exceptions import ValidationError

from chuangxian.orgs.rules import FIELD_LABELS


def add_service_errors(
    form: forms.Form, error: ValidationError, *, aliases: dict[str, str] | None = None
) -> None:
    """Copy a RosterError onto the form: a message for a field the form shows goes beside it
    (after renaming through `aliases`), anything else on top of the form with its label."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, messages in error.message_dict.items():
        name = aliases.get(field, field)
        if name in form.fields:
            form.add_error(name, messages)
        else:
            label = FIELD_LABELS.get(field, field)
            for message in messages:
                form.add_error(None, f"{label}：{message}")

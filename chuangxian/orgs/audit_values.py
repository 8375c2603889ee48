"""How a stored value in an audit event reads on the page: a code of a model's choices becomes
its label ("general" → 支部党员大会, "collecting" → 测评中), a code naming another record becomes
that record's name ("democratic" → the scheme's name). Unknown values stay as stored.

The model is the one the event's object_type names (its model_name, or "<app>_<model>");
values under keys that are not fields of it (an attendance event's member names, a check-in)
are looked up among the model's choices when exactly one choices field knows the value."""

import functools
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import translation


@functools.cache
def model_for(object_type: str) -> type[models.Model] | None:
    app_label, _, rest = object_type.partition("_")
    for model in apps.get_models():
        if model._meta.model_name == object_type:
            return model
    for model in apps.get_models():
        if model._meta.app_label == app_label and model._meta.model_name == rest.replace("_", ""):
            return model
    return None


@functools.cache
def _choices(object_type: str) -> dict[str, dict[str, str]]:
    """{field name: {stored value: label in the source language}} for the model's choices."""
    model = model_for(object_type)
    if model is None:
        return {}
    found: dict[str, dict[str, str]] = {}
    # The source (Chinese) words: cached for every later request, translated when shown.
    with translation.override(None):
        for field in model._meta.get_fields():
            choices = getattr(field, "flatchoices", None)
            if choices:
                found[field.name] = {str(value): str(label) for value, label in choices}
    return found


def _by_code(object_type: str, name: str, value: str) -> str | None:
    """A foreign key stored as the related record's code: that record's name."""
    model = model_for(object_type)
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    related = getattr(field, "related_model", None)
    if not isinstance(related, type) or not issubclass(related, models.Model):
        return None
    names = {f.name for f in related._meta.get_fields()}
    # An organization's code (组织编码) is itself what users know it by, and stays stable
    # when the name changes: it stays as recorded.
    if not {"code", "name"} <= names or related._meta.label == "orgs.Organization":
        return None
    found = related._default_manager.filter(code=value).values_list("name", flat=True).first()
    return str(found) if found else None


def shown_value(object_type: str, name: str, value: Any) -> Any:
    """The label for a stored code, in the source language (the page translates it)."""
    if not isinstance(value, str) or not value:
        return value
    choices = _choices(object_type)
    if name in choices:
        return choices[name].get(value, value)
    knowing = [labels[value] for labels in choices.values() if value in labels]
    if len(set(knowing)) == 1:
        return knowing[0]
    return _by_code(object_type, name, value) or value

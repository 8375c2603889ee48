from django.core.exceptions import ValidationError


class RosterError(ValidationError):
    """A write refused, with Chinese messages per field (or for the whole record)."""

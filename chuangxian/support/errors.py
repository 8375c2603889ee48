from django.core.exceptions import ValidationError


class SupportError(ValidationError):
    """A write refused, with Chinese messages per field (or for the whole request)."""

from django.core.exceptions import ValidationError


class OpennessError(ValidationError):
    """A write refused, with Chinese messages per field (or for the whole request)."""

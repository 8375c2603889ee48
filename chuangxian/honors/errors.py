from django.core.exceptions import ValidationError


class HonorsError(ValidationError):
    """A write refused, with a Chinese message (or messages per field)."""

from django.core.exceptions import ValidationError


class DuesError(ValidationError):
    """A dues write refused, with Chinese messages per field (or for the whole record)."""

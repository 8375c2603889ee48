from django.core.exceptions import ValidationError


class LearningError(ValidationError):
    """A write refused, with Chinese messages per field (or for the whole request)."""

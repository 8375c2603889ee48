from django.core.exceptions import ValidationError


class CampaignError(ValidationError):
    """A write refused, with Chinese messages per field (or for the whole record)."""

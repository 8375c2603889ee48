from django.core.exceptions import ValidationError


class AppraisalError(ValidationError):
    """A write refused by the appraisal engine, with Chinese messages."""

from django.core.exceptions import ValidationError


class OrglifeError(ValidationError):
    """A write on meetings, attendance or cadence refused, with Chinese messages per field (or
    for the whole request). Nothing has been written when it is raised."""

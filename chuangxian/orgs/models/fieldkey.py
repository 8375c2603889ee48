from django.db import models
from django.utils import timezone


class FieldKeyCheck(models.Model):
    """The fingerprint (fieldcrypto.fingerprint) of the field key and algorithm the data is
    encrypted under: the start-up check refuses any other key (orgs/keycheck.py). One row."""

    fingerprint = models.CharField(max_length=80)
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.fingerprint.split(":", 1)[0]

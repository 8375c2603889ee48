"""Reminders: ahead of a deadline to the person responsible, and up the tree after it.

Modules do not send messages themselves; they describe what is due, and the daily sweep turns
that into reminders here. Each reminder has a stable key, so running the sweep again never
duplicates one and a resolved condition closes it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    AHEAD = "ahead", _("提前提醒")
    OVERDUE = "overdue", _("已逾期")
    ESCALATED = "escalated", _("上报上级")


class Reminder(models.Model):
    key = models.CharField(max_length=200)
    # Who should see it: a person (their account) or everyone with a role on an organization.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=40)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resolved_at", "due_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["key"], name="unique_reminder_key")]
        indexes = [
            models.Index(fields=["user", "resolved_at"]),
            models.Index(fields=["organization", "resolved_at"]),
        ]

    def __str__(self) -> str:
        return self.text

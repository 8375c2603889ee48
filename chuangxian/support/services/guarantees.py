"""Writes on the guarantees checklists: one entry per organization and item, changed in place
and audited with what changed."""

import datetime as dt

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record, diff_fields
from chuangxian.orgs.models import Organization
from chuangxian.support.checklists import checklists_for
from chuangxian.support.errors import SupportError
from chuangxian.support.models import ChecklistEntry


@transaction.atomic
def checklist_set(
    *, actor: Actor, organization: Organization, item: str, met: bool, note: str, today: dt.date
) -> ChecklistEntry:
    """Record whether an item of the organization's checklists is met, and how."""
    allowed = {code for checklist in checklists_for(organization) for code, _ in checklist.items}
    if item not in allowed:
        raise SupportError("该保障项目不适用于此党组织")
    note = note.strip()[:300]
    entry, created = ChecklistEntry.objects.select_for_update().get_or_create(
        organization=organization,
        item=item,
        defaults={"met": met, "note": note, "checked_on": today},
    )
    before = {} if created else {"met": entry.met, "note": entry.note}
    entry.met, entry.note, entry.checked_on = met, note, today
    entry.save()
    changes = diff_fields(before, {"met": met, "note": note})
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=entry,
            org_path=organization.path,
            changes=changes,
        )
    return entry

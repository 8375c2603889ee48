"""Finding a member's "新增" record among an import's batch audit events."""

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import BatchEntry, batch_entries
from chuangxian.orgs.models import Member


def creation_of(member: Member) -> tuple[AuditEvent, BatchEntry]:
    """The batch event that records the member's creation, and the member's entry in it
    (exactly one, or the test fails)."""
    found = [
        (event, entry)
        for event in AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="member")
        for entry in batch_entries(event.changes)
        if entry.object_id == str(member.pk)
    ]
    assert len(found) == 1, found
    return found[0]

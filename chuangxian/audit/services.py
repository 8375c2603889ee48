"""Recording audit events. Every service that changes organizations, members or accounts calls
`audit_record` inside its own transaction, so a change and its audit row commit together."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from chuangxian.audit import chain
from chuangxian.audit.models import AuditAction, AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who made a change, and from where: passed from the view, command or task to services."""

    user: Any = None  # an orgs.User or None for the system
    ip_address: str | None = None
    label: str = ""

    @property
    def display(self) -> str:
        if self.label:
            return self.label
        if self.user is not None:
            return str(self.user.get_username())
        return "系统"


SYSTEM = Actor(label="系统")


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def diff_fields(
    before: Mapping[str, Any], after: Mapping[str, Any], *, masked: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """The fields whose value changed, as {field: [before, after]}; masked fields keep only
    the fact that they changed, never their values."""
    masked_set = set(masked)
    changes: dict[str, list[Any]] = {}
    for name in after:
        old, new = before.get(name), after[name]
        if _plain(old) == _plain(new):
            continue
        if name in masked_set:
            changes[name] = ["***", "***(已修改)"]
        else:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def audit_record(
    *,
    actor: Actor,
    action: AuditAction,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    org_path: str = "",
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit event at the end of the hash chain (audit/chain.py). Never updates or
    deletes an existing one. Holds the chain's lock until the caller's transaction ends."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name or ""
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:200]
    event = AuditEvent(
        actor=actor.user if actor.user is not None and actor.user.pk else None,
        actor_label=actor.display[:150],
        ip_address=actor.ip_address,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:200],
        org_path=org_path,
        changes=dict(changes or {}),
        reason=reason[:500],
    )
    with transaction.atomic(savepoint=False):
        chain.link_events([event])
        event.save(force_insert=True)
    return event


def audit_bulk_create(events: list[AuditEvent]) -> None:
    """Append many events at once (imports), in order at the end of the hash chain; the rows
    are new by construction."""
    with transaction.atomic(savepoint=False):
        chain.link_events(events)
        AuditEvent.objects.bulk_create(events, batch_size=2000)


# A batch event records many objects of one type created together (a roster import's new
# members of one organization): one row instead of one per object, with each object's values.
# `changes` then holds {"batch": {"fields": [...], "rows": [[object_id, label, value per
# field], ...], "masked": [...], "common": {field: value}}}: "masked" fields were set on every
# object but their values are not kept (an ID number), "common" ones have the same value on
# every object (their organization).
BATCH = "batch"
MASKED_VALUE = "***(已修改)"


@dataclass(frozen=True)
class BatchEntry:
    object_id: str
    label: str
    # As diff_fields({}, values, masked=...) would give for that object alone.
    changes: dict[str, list[Any]]


def batch_changes(
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    masked: Iterable[str] = (),
    common: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The `changes` of a batch event: `rows` are [object_id, label, value per field]."""
    return {
        BATCH: {
            "fields": list(fields),
            "rows": [*map(list, rows)],
            "masked": list(masked),
            "common": dict(common or {}),
        }
    }


def is_batch(changes: object) -> bool:
    return isinstance(changes, dict) and isinstance(changes.get(BATCH), dict)


def batch_size(changes: object) -> int:
    return len(changes[BATCH].get("rows") or []) if is_batch(changes) else 0  # type: ignore[index]


def batch_entries(changes: object) -> Iterator[BatchEntry]:
    """Each object of a batch event with its own changes (nothing for any other event)."""
    if not is_batch(changes):
        return
    batch = changes[BATCH]  # type: ignore[index]
    fields = list(batch.get("fields") or [])
    shared: dict[str, list[Any]] = {
        name: ["***", MASKED_VALUE] for name in batch.get("masked") or []
    }
    for name, value in (batch.get("common") or {}).items():
        if value is not None:
            shared[name] = [None, value]
    for row in batch.get("rows") or []:
        object_id, label, *values = row
        entry = {
            name: [None, value]
            for name, value in zip(fields, values, strict=False)
            if value is not None
        }
        entry.update(shared)
        yield BatchEntry(str(object_id), str(label), entry)

"""The audit trail's hash chain: every event holds the SHA-256 of the previous event's hash and
its own content, so changing or deleting any stored event breaks the chain at that event.

Events get their place in the chain (`seq`, 1, 2, 3 … without gaps) under a lock that lasts
until their transaction ends — PostgreSQL: a transaction-scoped advisory lock; SQLite: the
write lock every transaction takes at BEGIN (`transaction_mode = IMMEDIATE`) — so two writers
never take the same place, and a rolled-back event leaves no gap.

What is hashed is the content as it reads back from either database: the time as UTC text
with microseconds, the address normalized, `changes` as canonical JSON (sorted keys, compact,
non-ASCII kept). `actor_id` is not hashed: it is a link to the account, emptied (and only
emptied, see the triggers) when the account is deleted; `actor_label` is the record.
"""

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from chuangxian.audit.models import AuditCheckpoint, AuditEvent

GENESIS = "0" * 64
# The advisory lock's key on PostgreSQL: any constant no other code uses ("cxaudit").
_LOCK_KEY = 0x6378617564697400


@dataclass(frozen=True)
class Link:
    """A place in the chain and the hash there."""

    seq: int
    row_hash: str


def canonical_json(value: Any) -> str:
    """The one JSON text of a value that both databases give back the same way."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest_time(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ip_text(address: str | None) -> str | None:
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address


def digest(
    previous: str,
    *,
    seq: int,
    at: dt.datetime,
    actor_label: str,
    ip_address: str | None,
    action: str,
    object_type: str,
    object_id: str,
    object_label: str,
    org_path: str,
    reason: str,
    changes_json: str,
) -> str:
    """The hash of one event after `previous`; `changes_json` is canonical_json(changes)."""
    head = canonical_json(
        [
            seq,
            digest_time(at),
            actor_label,
            _ip_text(ip_address),
            str(action),
            object_type,
            object_id,
            object_label,
            org_path,
            reason,
        ]
    )
    return hashlib.sha256(f"{previous}\n{head}\n{changes_json}".encode()).hexdigest()


def event_digest(previous: str, event: AuditEvent) -> str:
    # Through JSON and back first, as the database stores it (tuples become lists, keys text).
    changes = json.loads(json.dumps(event.changes))
    return digest(
        previous,
        seq=event.seq,
        at=event.at,
        actor_label=event.actor_label,
        ip_address=event.ip_address,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_label=event.object_label,
        org_path=event.org_path,
        reason=event.reason,
        changes_json=canonical_json(changes),
    )


def locked_tail() -> Link:
    """Take the chain's lock for the rest of the caller's transaction and return its last link
    (the last event's, else the last archive checkpoint's, else the start)."""
    if not connection.in_atomic_block:
        raise RuntimeError("the audit chain is extended only inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "row_hash").first()
    if last is None:
        last = AuditCheckpoint.objects.order_by("-seq").values_list("seq", "row_hash").first()
    return Link(*last) if last is not None else Link(0, GENESIS)


def link_events(events: Sequence[AuditEvent]) -> None:
    """Give unsaved events their places after the chain's tail (taking its lock), in order."""
    tail = locked_tail()
    for event in events:
        event.seq = tail.seq + 1
        event.row_hash = event_digest(tail.row_hash, event)
        tail = Link(event.seq, event.row_hash)


# The columns of a driver-ready audit row (see link_rows), in order.
ROW_COLUMNS = (
    "at",
    "actor_id",
    "actor_label",
    "ip_address",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "org_path",
    "changes",
    "reason",
    "seq",
    "row_hash",
)


def link_rows(rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows of ROW_COLUMNS but the last two (`at` an aware datetime, `changes` as
    canonical_json text, for inserting many events without the ORM), completed with their
    places and hashes after the chain's tail (taking its lock) and `at` as the driver takes
    it. Insert them in the same transaction."""
    tail = locked_tail()
    adapt = connection.ops.adapt_datetimefield_value
    linked = []
    for (
        at,
        actor_id,
        label,
        ip,
        action,
        kind,
        object_id,
        object_label,
        path,
        changes,
        reason,
    ) in rows:
        seq = tail.seq + 1
        row_hash = digest(
            tail.row_hash,
            seq=seq,
            at=at,
            actor_label=label,
            ip_address=ip,
            action=action,
            object_type=kind,
            object_id=object_id,
            object_label=object_label,
            org_path=path,
            reason=reason,
            changes_json=changes,
        )
        linked.append(
            (
                adapt(at),
                actor_id,
                label,
                ip,
                action,
                kind,
                object_id,
                object_label,
                path,
                changes,
                reason,
                seq,
                row_hash,
            )
        )
        tail = Link(seq, row_hash)
    return linked


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold."""

    seq: int
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class Verification:
    checked: int
    start: Link
    head: Link
    broken: Break | None


_FIELDS = (
    "id",
    "seq",
    "at",
    "actor_label",
    "ip_address",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "org_path",
    "reason",
    "changes",
    "row_hash",
)


def _stored_events() -> Iterator[AuditEvent]:
    for values in (
        AuditEvent.objects.order_by("seq").values_list(*_FIELDS).iterator(chunk_size=1000)
    ):
        yield AuditEvent(**dict(zip(_FIELDS, values, strict=True)))


def verify(anchors: Iterable[Link] = ()) -> Verification:
    """Walk the stored chain from the last archive checkpoint (or the start): every event must
    follow the previous one without a gap and hash to its stored hash; each anchor (a link
    written down earlier, e.g. a printed head) must still be in the chain with its hash."""
    checkpoint = AuditCheckpoint.objects.order_by("-seq").first()
    start = Link(checkpoint.seq, checkpoint.row_hash) if checkpoint else Link(0, GENESIS)
    expected = {anchor.seq: anchor.row_hash for anchor in anchors}
    tail = start
    checked = 0
    for event in _stored_events():
        broken = None
        if event.seq != tail.seq + 1:
            broken = (
                f"序号 {tail.seq + 1} 至 {event.seq - 1} 的记录缺失"
                if event.seq > tail.seq + 1
                else f"序号 {event.seq} 不在链上（应为 {tail.seq + 1}）"
            )
        elif event_digest(tail.row_hash, event) != event.row_hash:
            broken = "记录内容或哈希与链不符（被修改过）"
        elif expected.get(event.seq, event.row_hash) != event.row_hash:
            broken = "哈希与先前记下的不同（整条链被重算过）"
        if broken is not None:
            return Verification(checked, start, tail, Break(event.seq, event.pk, broken))
        tail = Link(event.seq, event.row_hash)
        checked += 1
    for seq, row_hash in sorted(expected.items()):
        # (An anchor before the checkpoint is in an archive file: `audit_verify --archive`.)
        if seq > tail.seq:
            return Verification(
                checked, start, tail, Break(seq, None, "先前记下的记录已不在链上（末尾被删除）")
            )
        if seq == start.seq and seq and row_hash != start.row_hash:
            return Verification(
                checked, start, tail, Break(seq, None, "归档检查点与先前记下的哈希不同")
            )
    return Verification(checked, start, tail, None)

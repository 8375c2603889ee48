"""Archiving the oldest audit events to a file, the only way audit events are ever deleted.

An archive takes a prefix of the chain (every event up to the first one made on or after the
given day), writes it to a JSON-lines file with the link it starts from and the one it ends
at, deletes those events and records an AuditCheckpoint of the end link, all in one
transaction; the remaining events' chain then starts from the checkpoint. Only events older
than the retention period (settings.AUDIT_RETENTION_DAYS, never under 183 days) go.

File format: a header line {"format", "version", "before", "start": {seq, row_hash}}, one line
per event (its stored fields; `at` as the chain hashes it) and a footer line {"end": {seq,
row_hash}, "count"}. `verify_archive` recomputes the file's chain from start to end.
"""

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chuangxian.audit import chain
from chuangxian.audit.models import AuditAction, AuditCheckpoint, AuditEvent
from chuangxian.audit.protection import audit_unlocked
from chuangxian.audit.services import Actor, audit_record

FORMAT = "chuangxian-audit-archive"
MINIMUM_RETENTION_DAYS = 183  # six months (等保 2.0: audit records kept at least six months)


class AuditArchiveError(Exception):
    pass


def retention_days() -> int:
    return max(MINIMUM_RETENTION_DAYS, int(getattr(settings, "AUDIT_RETENTION_DAYS", 0)))


def latest_archivable_day(today: dt.date | None = None) -> dt.date:
    """The latest `before` an archive may use: events from that day on are kept."""
    return (today or timezone.localdate()) - dt.timedelta(days=retention_days())


def _file_line(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "seq": event.seq,
        "at": chain.digest_time(event.at),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "ip_address": event.ip_address,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "org_path": event.org_path,
        "reason": event.reason,
        "changes": event.changes,
        "row_hash": event.row_hash,
    }


def _write_file(path: Path, lines: Iterator[dict[str, Any]]) -> str:
    """Write the lines to a new file (never over an existing one), synced to disk; returns
    its SHA-256."""
    checksum = hashlib.sha256()
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for line in lines:
                text = chain.canonical_json(line) + "\n"
                checksum.update(text.encode())
                handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            raise AuditArchiveError(f"文件 {path} 已存在，不会覆盖")
        partial.rename(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return checksum.hexdigest()


@dataclass(frozen=True)
class ArchiveResult:
    checkpoint: AuditCheckpoint
    path: Path


def audit_archive(*, before: dt.date, path: Path, actor: Actor) -> ArchiveResult:
    """Move the events made before `before` (a prefix of the chain) to a new file at `path`
    and delete them, leaving a checkpoint; all or nothing. Refuses a day inside the retention
    period, a broken chain, an existing file, and an archive of nothing."""
    limit = latest_archivable_day()
    if before > limit:
        raise AuditArchiveError(
            f"审计记录至少保留 {retention_days()} 天：只能归档 {limit:%Y-%m-%d} 之前的记录"
        )
    if path.exists():
        raise AuditArchiveError(f"文件 {path} 已存在，不会覆盖")
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    with transaction.atomic():
        chain.locked_tail()  # no event is added while the prefix is taken
        result = chain.verify()
        if result.broken is not None:
            raise AuditArchiveError(
                f"审计链在序号 {result.broken.seq} 处断裂（{result.broken.reason}），"
                "请先查明原因，不能归档"
            )
        first_kept = (
            AuditEvent.objects.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True)
        ).first()
        events = AuditEvent.objects.order_by("seq")
        if first_kept is not None:
            events = events.filter(seq__lt=first_kept)
        last = events.values_list("seq", "row_hash").last()
        if last is None:
            raise AuditArchiveError(f"没有 {before:%Y-%m-%d} 之前可归档的审计记录")
        end = chain.Link(*last)
        count = end.seq - result.start.seq

        def lines() -> Iterator[dict[str, Any]]:
            yield {
                "format": FORMAT,
                "version": 1,
                "before": before.isoformat(),
                "start": {"seq": result.start.seq, "row_hash": result.start.row_hash},
            }
            for event in events.iterator(chunk_size=1000):
                yield _file_line(event)
            yield {"end": {"seq": end.seq, "row_hash": end.row_hash}, "count": count}

        checksum = _write_file(path, lines())
        try:
            with audit_unlocked("audit_archive"):
                AuditEvent.objects.filter(seq__lte=end.seq).delete()
            checkpoint = AuditCheckpoint.objects.create(
                seq=end.seq,
                row_hash=end.row_hash,
                before=before,
                first_seq=result.start.seq + 1,
                count=count,
                file_name=path.name,
                file_sha256=checksum,
            )
            audit_record(
                actor=actor,
                action=AuditAction.DELETE,
                object_type="auditevent",
                object_label=f"审计记录归档 {result.start.seq + 1}–{end.seq}",
                changes={
                    "count": [None, count],
                    "file": [None, path.name],
                    "sha256": [None, checksum],
                },
                reason=f"归档 {before:%Y-%m-%d} 之前的审计记录",
            )
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return ArchiveResult(checkpoint, path)


def verify_archive(path: Path) -> tuple[chain.Link, chain.Link, int]:
    """Recompute an archive file's chain; returns its start, end and count, or raises
    AuditArchiveError naming the first line that does not hold."""
    with path.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    if len(records) < 2 or records[0].get("format") != FORMAT or "end" not in records[-1]:
        raise AuditArchiveError(f"{path} 不是完整的审计归档文件")
    start = chain.Link(records[0]["start"]["seq"], records[0]["start"]["row_hash"])
    tail = start
    for number, record in enumerate(records[1:-1], 2):
        seq = record["seq"]
        expected = chain.digest(
            tail.row_hash,
            seq=seq,
            at=dt.datetime.fromisoformat(record["at"]),
            actor_label=record["actor_label"],
            ip_address=record["ip_address"],
            action=record["action"],
            object_type=record["object_type"],
            object_id=record["object_id"],
            object_label=record["object_label"],
            org_path=record["org_path"],
            reason=record["reason"],
            changes_json=chain.canonical_json(record["changes"]),
        )
        if seq != tail.seq + 1 or expected != record["row_hash"]:
            raise AuditArchiveError(f"归档文件第 {number} 行（序号 {seq}）与链不符")
        tail = chain.Link(seq, record["row_hash"])
    footer = records[-1]
    end = chain.Link(footer["end"]["seq"], footer["end"]["row_hash"])
    if end != tail or footer["count"] != tail.seq - start.seq:
        raise AuditArchiveError("归档文件的末尾与其中的记录不符（记录不全）")
    return start, end, footer["count"]

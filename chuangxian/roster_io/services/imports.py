"""roster_import: read a roster file, check every row, and write all of it or nothing."""

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from django.db import connection, transaction
from django.utils import timezone

from chuangxian.audit import chain
from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import Actor, diff_fields
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.models import Member, MemberTransfer, Organization
from chuangxian.orgs.selectors import common_path
from chuangxian.orgs.services.organizations import organization_snapshot
from chuangxian.roster_io.bulk_insert import (
    copy_rows,
    db_datetime,
    indexes_built_after,
    json_text,
    reserve_ids,
)
from chuangxian.roster_io.member_plan import (
    MemberPlan,
    MemberPlanner,
    MemberRows,
    NewMember,
    member_org_codes,
    plan_members,
)
from chuangxian.roster_io.member_write import (
    BATCH_FIELDS,
    MEMBER_COLUMNS,
    BatchJson,
    WriteContext,
    member_row,
    sealed_row,
)
from chuangxian.roster_io.org_plan import OrgPlan, plan_orgs
from chuangxian.roster_io.reader import RosterFile, RosterFileError, read_roster
from chuangxian.roster_io.report import ImportCounts, ImportReport, RowError
from chuangxian.roster_io.scope import ImportScope

WRITE_BATCH = 2000
# An eager import's own share of the member rows to read when a child helps. This process
# writes every chunk and the child reads them all: on the 2-core machines measured (whose two
# cores slow each other down), 0 beat 5%, 20%, 35% and 50%, and tied with 10% once the child
# got faster (bench/README.md).
EAGER_SHARE = 0.0
# SQLite page cache during an import's write, in KiB (see _bulk_write_settings).
SQLITE_CACHE_KIB = 256 * 1024
Progress = Callable[[int, int], None]
Source = bytes | str | Path | BinaryIO
# What an import may change on a member: the audited fields, its organization (a transfer).
_MEMBER_UPDATE_FIELDS = [*BATCH_FIELDS, "organization", "updated_at"]
_ORG_UPDATE_FIELDS = [
    "name",
    "kind",
    "sector",
    "established_on",
    "term_started_on",
    "term_ends_on",
    "updated_at",
]


def roster_import(
    *,
    actor: Actor,
    source: Source,
    user: Any = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
    eager: bool | None = None,
) -> ImportReport:
    """Import organizations (by code) and members (by ID number) from an .xlsx, .xls or .csv.

    Guarantees: every bad cell is reported as 第N行 [列名] 原因 and then nothing is written;
    otherwise every change is written in one transaction, each created or changed record
    with its audit row. Rows that change nothing write nothing, so importing the same file
    twice is a no-op. `user=None` is the system (full access); otherwise the user's scope
    decides what may be written.

    `eager` (the default when there is no `progress`): open the transaction before reading the
    member rows and insert each chunk's new members as soon as it is checked, while the next
    chunk is read on the other core; at the first error writing stops, every row is still
    read and reported, and the transaction is rolled back. Not eager (the default with
    `progress`, whose writes on this connection would stay invisible inside the transaction):
    read and check everything first, then write; the unique code and ID-hash constraints
    refuse anything written concurrently in between."""
    if eager is None:
        eager = progress is None
    with _without_cyclic_gc():
        return _import(
            actor=actor,
            source=source,
            user=user,
            dry_run=dry_run,
            progress=progress,
            today=today,
            eager=eager and not dry_run,
        )


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Python's cycle collector off for the import. An import holds a few million live objects
    (cells, rows, values), so every automatic full collection walks all of them, again and
    again as rows are added: about a third of the validation time, for no garbage (nothing
    the import builds needs it). Reference counting still frees everything; the collector is
    switched back on (if it was on) when the import ends, however it ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(
    *,
    actor: Actor,
    source: Source,
    user: Any,
    dry_run: bool,
    progress: Progress | None,
    today: dt.date | None,
    eager: bool,
) -> ImportReport:
    today = today or timezone.localdate()
    report = ImportReport(dry_run=dry_run)
    try:
        roster = read_roster(_read_bytes(source))
    except RosterFileError as error:
        report.errors.append(RowError("", 0, "文件", str(error)))
        return report
    report.total_rows = roster.total_rows
    report.errors.extend(roster.errors)
    if roster.errors:
        return report
    scope = ImportScope(user)
    org_rows = len(roster.orgs.rows) if roster.orgs else 0
    row_progress = (
        None if progress is None else lambda done: progress(org_rows + done, report.total_rows)
    )
    if eager:
        _import_eagerly(roster, scope, actor, today, report, progress=row_progress)
    else:
        # The member rows are read and checked on a second core (when worth it) while the
        # organizations are planned here.
        member_rows = MemberRows.start(roster.members, today=today)
        try:
            orgs = _plan_orgs(roster, scope, today)
            if row_progress is not None:
                row_progress(0)
            rows = member_rows.collect(row_progress)
        finally:
            member_rows.close()  # ends the child if anything failed before it was collected
        members = plan_members(roster.members, orgs=orgs, scope=scope, today=today, rows=rows)
        _conclude(report, roster, orgs, members)
        if not (report.errors or dry_run or report.counts.changed == 0):
            with transaction.atomic(), _bulk_write_settings(), contextlib.ExitStack() as later:
                audit = _AuditRows(actor, timezone.now())
                _write_orgs(orgs, audit)
                if not Member.objects.exists():
                    later.enter_context(indexes_built_after(Member))
                new_members = _NewMembers(audit.now)
                new_members.insert(members.to_create)
                _write_members(members, new_members, audit, today=today, report=report)
    if progress is not None and report.ok and not dry_run:
        progress(report.total_rows, report.total_rows)
    return report


def _plan_orgs(roster: RosterFile, scope: ImportScope, today: dt.date) -> OrgPlan:
    return plan_orgs(
        roster.orgs,
        member_org_codes=member_org_codes(roster.members),
        scope=scope,
        today=today,
    )


class _Refused(Exception):
    """Rolls back an eager import that found an error (the report holds them all)."""


def _import_eagerly(
    roster: RosterFile,
    scope: ImportScope,
    actor: Actor,
    today: dt.date,
    report: ImportReport,
    *,
    progress: Callable[[int], None] | None,
) -> None:
    """Write inside one transaction while the rows are still being read: the organizations
    first, then each chunk's new members as soon as the chunk is planned (MemberPlanner),
    until a chunk brings an error or a repeated ID number. Every row is read and planned
    either way; with any error the report gets them all and everything is rolled back.

    A key is reserved for every member row up front and the child starts reading at once
    (while the organizations are planned and written here), building each clean row's member
    row as well (member_write.member_row): this process mostly passes them on."""
    sheet = roster.members
    rows: list[Any] = []
    with (
        contextlib.suppress(_Refused),
        transaction.atomic(),
        _bulk_write_settings(),
        contextlib.ExitStack() as later,
    ):
        audit = _AuditRows(actor, timezone.now())
        new_members = _NewMembers(audit.now)
        # The first import into an empty roster has nothing to look up, and its indexes are
        # built once at the end. (SQLite holds the write lock from here on; on PostgreSQL a
        # member written meanwhile by someone else with the same ID number makes the unique
        # constraint refuse the whole import.)
        roster_was_empty = not Member.objects.exists()
        if roster_was_empty:
            later.enter_context(indexes_built_after(Member))
        write = WriteContext(
            ids=reserve_ids(Member, len(sheet.rows)) if sheet else (),
            stamp=new_members.stamp,
            new_only=roster_was_empty,
        )
        member_rows = MemberRows.start(sheet, today=today, share=EAGER_SHARE, write=write)
        try:
            orgs = _plan_orgs(roster, scope, today)
            if progress is not None:
                progress(0)
            # With an organization refused nothing is written; the rows are still all read.
            writing = not orgs.errors
            if writing:
                _write_orgs(orgs, audit)
            planner = MemberPlanner(
                sheet, orgs=orgs, scope=scope, today=today, none_stored=roster_was_empty
            )
            for chunk in member_rows.chunks(progress):
                rows += chunk
                planner.take(chunk)
                if writing and planner.exact:
                    new_members.insert(planner.plan.to_create)
        finally:
            member_rows.close()
        if planner.exact:
            members = planner.finish()
        else:
            members = plan_members(
                sheet, orgs=orgs, scope=scope, today=today, rows=rows, existing=planner.existing
            )
        _conclude(report, roster, orgs, members)
        if report.errors:
            raise _Refused
        if not planner.exact:  # cannot be: a chunk is inexact only for an error or a repeat
            raise RuntimeError("roster import: a chunk went wrong without an error to report")
        if report.counts.changed:
            _write_members(members, new_members, audit, today=today, report=report)


def _conclude(report: ImportReport, roster: RosterFile, orgs: OrgPlan, members: MemberPlan) -> None:
    report.errors.extend(orgs.errors)
    report.errors.extend(members.errors)
    org_sheet = roster.orgs.name if roster.orgs else ""
    report.errors.sort(key=lambda e: (e.sheet != org_sheet, e.row))
    report.counts = _counts(orgs, members)


@contextmanager
def _bulk_write_settings() -> Iterator[None]:
    """On SQLite, a page cache big enough for the tables and indexes an import writes, for the
    duration of the write only. The default (2 MB) makes every insert into the random-order
    indexes (ID hash, name, phone) evict and re-read pages. This is a per-connection cache
    size: durability, locking and the transaction are unchanged."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes()
    return source.read()


def _counts(orgs: OrgPlan, members: MemberPlan) -> ImportCounts:
    return ImportCounts(
        orgs_created=len(orgs.to_create),
        orgs_updated=len(orgs.to_update),
        orgs_unchanged=orgs.unchanged,
        members_created=len(members.to_create),
        members_updated=len(members.to_update),
        members_unchanged=members.unchanged,
    )


def _write_orgs(orgs: OrgPlan, audit: "_AuditRows") -> None:
    _create_orgs(orgs.to_create)
    for org in orgs.to_create:
        parent = org.parent.code if org.parent else ""
        audit.add(
            AuditAction.CREATE,
            org,
            org.path,
            diff_fields({}, organization_snapshot(org, parent_code=parent)),
        )
    for org, _ in orgs.to_update:
        org.updated_at = audit.now
    Organization.objects.bulk_update(
        [org for org, _ in orgs.to_update], _ORG_UPDATE_FIELDS, batch_size=500
    )
    for org, changes in orgs.to_update:
        audit.add(AuditAction.UPDATE, org, org.path, changes)


def _write_members(
    members: MemberPlan,
    new_members: "_NewMembers",
    audit: "_AuditRows",
    *,
    today: dt.date,
    report: ImportReport,
) -> None:
    """Everything after the new members' rows (already inserted): their audit, the changed
    members with theirs, the transfers, the import's summary; then all audit rows at once."""
    audit.add_member_batches(new_members)
    for member, _ in members.to_update:
        member.updated_at = audit.now
    Member.objects.bulk_update(
        [member for member, _ in members.to_update], _MEMBER_UPDATE_FIELDS, batch_size=500
    )
    for member, changes in members.to_update:
        audit.add(AuditAction.UPDATE, member, member.organization.path, changes)
    MemberTransfer.objects.bulk_create(
        [
            MemberTransfer(
                member=transfer.member,
                from_organization=transfer.from_organization,
                to_organization=transfer.member.organization,
                transferred_on=today,
                reason="花名册导入",
                recorded_by=audit.user,
            )
            for transfer in members.transfers
        ],
        batch_size=WRITE_BATCH,
    )
    audit.rows.append(
        audit.row(
            AuditAction.IMPORT,
            "roster",
            "",
            "花名册导入",
            common_path(sorted(audit.paths)) if audit.paths else "",
            _summary_changes(report.counts),
        )
    )
    copy_rows(AuditEvent._meta.db_table, chain.ROW_COLUMNS, chain.link_rows(audit.rows))


class _NewMembers:
    """Inserts new members as the plan grows (`insert` takes the plan's whole list and writes
    what it has not written yet) as driver-ready rows (member_write.member_row): the rows
    built by whoever read them (_Row.ready), or built here under keys reserved now (no
    read-back). Encodes each write's rows for its organization's batch audit event right
    away (member_write.BatchJson), while the child is still reading the next rows."""

    def __init__(self, now: dt.datetime) -> None:
        stamp = db_datetime(now)
        # As text (PostgreSQL's driver takes the datetime itself): rows built in a child
        # travel as marshal data.
        self.stamp = stamp.isoformat() if isinstance(stamp, dt.datetime) else stamp
        self.written = 0
        # Organization (by id() of the instance) → (organization, its new members' event).
        self.by_org: dict[int, tuple[Organization, BatchJson]] = {}

    def insert(self, planned: list[NewMember]) -> None:
        new = planned[self.written :]
        if not new:
            return
        unkeyed = [member for member in new if member.ready is None]
        keys = iter(reserve_ids(Member, len(unkeyed)) if unkeyed else ())
        stamp = self.stamp
        rows: list[tuple[Any, ...]] = []
        groups: dict[int, tuple[Organization, list[tuple[Any, ...]]]] = {}
        encrypt = fieldcrypto.encrypter()
        for values, org, id_hash, ciphertext, ready in new:
            if ready is None:
                assert values is not None
                ready = member_row(
                    next(keys), values, id_hash=id_hash, org_code=org.code, stamp=stamp
                )
            ready = sealed_row(ready, org.pk, ciphertext, encrypt=encrypt)
            rows.append(ready)
            group = groups.get(id(org))
            if group is None:
                group = groups[id(org)] = (org, [])
            group[1].append(ready)
        copy_rows(Member._meta.db_table, MEMBER_COLUMNS, rows)
        self.written += len(new)
        for key, (org, written) in groups.items():
            event = self.by_org.get(key)
            if event is None:
                event = self.by_org[key] = (org, BatchJson(org.code))
            event[1].add(written)


class _AuditRows:
    """Audit rows as tuples for audit.chain.link_rows (the time an aware datetime, `changes`
    as canonical JSON text: json_text sorts keys)."""

    def __init__(self, actor: Actor, now: dt.datetime) -> None:
        self.now = now
        self.user = actor.user if actor.user is not None and actor.user.pk else None
        self.prefix = (
            now,
            self.user.pk if self.user else None,
            actor.display[:150],
            actor.ip_address,
        )
        self.rows: list[tuple[Any, ...]] = []
        # The org paths of every audited change, for the import summary's own path.
        self.paths: set[str] = set()

    def row(
        self,
        action: AuditAction,
        object_type: str,
        object_id: str,
        label: str,
        org_path: str,
        changes: dict[str, Any],
    ) -> tuple[Any, ...]:
        if org_path:
            self.paths.add(org_path)
        return (
            *self.prefix,
            str(action),
            object_type,
            object_id,
            label[:200],
            org_path,
            json_text(changes),
            _REASON,
        )

    def add(self, action: AuditAction, obj: Any, org_path: str, changes: dict[str, Any]) -> None:
        self.rows.append(
            self.row(action, obj._meta.model_name, str(obj.pk), str(obj), org_path, changes)
        )

    def add_member_batches(self, new_members: _NewMembers) -> None:
        """One "新增" event per organization for the members created in it (a batch event, see
        audit.services): 100,000 new members make a few hundred audit rows, not 100,000."""
        for org, event in new_members.by_org.values():
            self.paths.add(org.path)
            self.rows.append(
                (
                    *self.prefix,
                    _CREATE,
                    "member",
                    "",
                    f"党员 {event.count} 名（{org.name}）"[:200],
                    org.path,
                    event.text(),
                    _REASON,
                )
            )


_REASON = "花名册导入"
_CREATE = str(AuditAction.CREATE)


def _create_orgs(new: list[Organization]) -> None:
    """Insert new organizations one tree level at a time: a child needs its parent's id for
    its foreign key and its path (…/<parent id>/<own id>/)."""
    pending = {id(org) for org in new}
    levels: list[list[Organization]] = []
    placed: dict[int, int] = {}
    for org in new:  # parents come first
        parent = org.parent
        level = placed[id(parent)] + 1 if parent is not None and id(parent) in pending else 0
        placed[id(org)] = level
        if level == len(levels):
            levels.append([])
        levels[level].append(org)
    for batch in levels:
        Organization.objects.bulk_create(batch, batch_size=500)
        for org in batch:
            parent_path = org.parent.path if org.parent else "/"
            org.path = f"{parent_path}{org.pk}/"
            org.depth = parent_path.count("/") - 1
        Organization.objects.bulk_update(batch, ["path", "depth"], batch_size=500)


def _summary_changes(counts: ImportCounts) -> dict[str, Any]:
    return {
        "orgs_created": [None, counts.orgs_created],
        "orgs_updated": [None, counts.orgs_updated],
        "members_created": [None, counts.members_created],
        "members_updated": [None, counts.members_updated],
    }

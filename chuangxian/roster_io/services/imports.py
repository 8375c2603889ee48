"""roster_import: read a roster file, validate every row, then write all of it or nothing."""

import datetime as dt
import gc
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from json.encoder import encode_basestring as encode_json_string
from pathlib import Path
from typing import Any, BinaryIO

from django.db import connection, transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import Actor, diff_fields
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.models import Member, MemberTransfer, Organization
from chuangxian.orgs.rules import MemberValues
from chuangxian.orgs.selectors import common_path
from chuangxian.orgs.services.organizations import organization_snapshot
from chuangxian.roster_io.bulk_insert import copy_rows, db_datetime, json_text, reserve_ids
from chuangxian.roster_io.member_plan import (
    PARALLEL_MIN_ROWS,
    MemberPlan,
    MemberRows,
    NewMember,
    member_org_codes,
    plan_members,
)
from chuangxian.roster_io.org_plan import OrgPlan, plan_orgs
from chuangxian.roster_io.parallel import ForkedChunks
from chuangxian.roster_io.reader import RosterFileError, read_roster
from chuangxian.roster_io.report import ImportCounts, ImportReport, RowError
from chuangxian.roster_io.scope import ImportScope

WRITE_BATCH = 2000
# New members whose ciphertexts and audit JSON a forked child computes, per message.
SEAL_CHUNK = 5000
# SQLite page cache during an import's write, in KiB (see _bulk_write_settings).
SQLITE_CACHE_KIB = 256 * 1024
Progress = Callable[[int, int], None]
Source = bytes | str | Path | BinaryIO
_MEMBER_UPDATE_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "phone",
    "education",
    "joined_on",
    "confirmed_on",
    "category",
    "organization",
    "party_post",
    "work_post",
    "in_hardship",
    "is_mobile",
    "status",
    "updated_at",
]
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
) -> ImportReport:
    """Import organizations (by code) and members (by ID number) from an .xlsx, .xls or .csv.

    Guarantees: every bad cell is reported as 第N行 [列名] 原因 and then nothing is written;
    otherwise every change is written in one transaction, each created or changed record
    with its audit row. Rows that change nothing write nothing, so importing the same file
    twice is a no-op. `user=None` is the system (full access); otherwise the user's scope
    decides what may be written. Validation reads outside the transaction so that a
    background job's progress is visible; the unique code and ID-hash constraints refuse
    anything written concurrently in between."""
    with _without_cyclic_gc():
        return _import(
            actor=actor, source=source, user=user, dry_run=dry_run, progress=progress, today=today
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
    # The member rows are read and checked on a second core (when worth it) while the
    # organizations are planned here.
    member_rows = MemberRows.start(roster.members, today=today)
    try:
        orgs = plan_orgs(
            roster.orgs,
            member_org_codes=member_org_codes(roster.members),
            scope=scope,
            today=today,
        )
        org_rows = len(roster.orgs.rows) if roster.orgs else 0
        if progress is not None:
            progress(org_rows, report.total_rows)
        rows = member_rows.collect(
            None if progress is None else lambda done: progress(org_rows + done, report.total_rows)
        )
    finally:
        member_rows.close()  # ends the child if planning failed before collecting it
    members = plan_members(roster.members, orgs=orgs, scope=scope, today=today, rows=rows)
    report.errors.extend(orgs.errors)
    report.errors.extend(members.errors)
    org_sheet = roster.orgs.name if roster.orgs else ""
    report.errors.sort(key=lambda e: (e.sheet != org_sheet, e.row))
    report.counts = _counts(orgs, members)
    if report.errors or dry_run or report.counts.changed == 0:
        return report
    with transaction.atomic(), _bulk_write_settings():
        _write(orgs, members, actor=actor, today=today, report=report)
    if progress is not None:
        progress(report.total_rows, report.total_rows)
    return report


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


def _write(
    orgs: OrgPlan, members: MemberPlan, *, actor: Actor, today: dt.date, report: ImportReport
) -> None:
    now = timezone.now()
    audit = _AuditRows(actor, now)
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
        org.updated_at = now
    Organization.objects.bulk_update(
        [org for org, _ in orgs.to_update], _ORG_UPDATE_FIELDS, batch_size=500
    )
    for org, changes in orgs.to_update:
        audit.add(AuditAction.UPDATE, org, org.path, changes)

    _create_members(members.to_create, now, audit)
    for member, _ in members.to_update:
        member.updated_at = now
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
    copy_rows(AuditEvent._meta.db_table, _AuditRows.COLUMNS, audit.all_rows())


# Member's columns in the order _create_members fills them.
_MEMBER_COLUMNS = (
    "id",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number_ciphertext",
    "id_number_hash",
    "phone",
    "education",
    "joined_on",
    "confirmed_on",
    "category",
    "organization_id",
    "party_post",
    "work_post",
    "in_hardship",
    "is_mobile",
    "status",
    "created_at",
    "updated_at",
)


def _create_members(new: list[NewMember], now: dt.datetime, audit: "_AuditRows") -> None:
    """Insert new members under keys reserved up front (no read-back), then (later, see
    _AuditRows.all_rows) their "新增" audit rows. The ID numbers' ciphertexts, then the audit
    JSON, are computed chunk by chunk in a forked child when there are many (see _sealed),
    while this process inserts what is done; rows are generated while they are sent."""
    if not new:
        return
    ids = reserve_ids(Member, len(new))
    stamp = db_datetime(now)
    forked = _sealed(new)
    sealed = forked.results()
    chunks = len(range(0, len(new), SEAL_CHUNK))

    def rows() -> Iterator[tuple[Any, ...]]:
        position = 0
        for _ in range(chunks):
            forked.drain()
            for ciphertext in next(sealed):
                values, org, id_hash = new[position]
                yield (
                    ids[position],
                    values.name,
                    values.gender,
                    values.ethnicity,
                    values.birth_date,
                    ciphertext,
                    id_hash,
                    values.phone,
                    values.education,
                    values.joined_on,
                    values.confirmed_on,
                    values.category,
                    org.pk,
                    values.party_post,
                    values.work_post,
                    values.in_hardship,
                    values.is_mobile,
                    values.status,
                    stamp,
                    stamp,
                )
                position += 1

    try:
        copy_rows(Member._meta.db_table, _MEMBER_COLUMNS, rows())
    except BaseException:
        forked.close()  # the child is not needed any more
        raise
    audit.add_member_creates(ids, new, itertools.chain.from_iterable(sealed))


def _sealed(new: list[NewMember]) -> ForkedChunks[list[str]]:
    """The ciphertexts of the new members' ID numbers, chunk by chunk, then their "新增" audit
    JSON, chunk by chunk. Pure computation (no database), done in a forked child when there
    are enough members to pay for it; the nonces come from os.urandom, so a child draws fresh
    ones like this process would."""
    code_json: dict[str, str] = {}

    def seal(task: tuple[str, int, int]) -> list[str]:
        kind, start, stop = task
        if kind == "ciphertext":
            encrypt = fieldcrypto.encrypt
            return [encrypt(member.values.id_number) for member in new[start:stop]]
        texts = []
        for values, org, _ in new[start:stop]:
            code = code_json.get(org.code)
            if code is None:
                code = code_json[org.code] = encode_json_string(org.code)
            texts.append(member_create_changes(values, code))
        return texts

    starts = range(0, len(new), SEAL_CHUNK)
    ranges = [(start, min(start + SEAL_CHUNK, len(new))) for start in starts]
    tasks = [("ciphertext", *bounds) for bounds in ranges]
    tasks += [("json", *bounds) for bounds in ranges]
    return ForkedChunks.start(seal, tasks, fork=len(new) >= PARALLEL_MIN_ROWS)


def member_create_changes(values: MemberValues, org_code_json: str) -> str:
    """The JSON text of diff_fields({}, member_snapshot(member), masked=SENSITIVE_FIELDS) for
    a new member with these (checked) values: same keys in the same order, fields that are
    None left out, the ID number only as changed. Built directly because the generic path
    costs more than inserting the member; tests compare the two."""
    encode = encode_json_string
    parts = [
        '{"name":[null,',
        encode(values.name),
        '],"gender":[null,',
        encode(values.gender),
        '],"ethnicity":[null,',
        encode(values.ethnicity),
        "]",
    ]
    if values.birth_date is not None:
        parts += [',"birth_date":[null,"', values.birth_date.isoformat(), '"]']
    parts += [
        ',"id_number":["***","***(已修改)"],"phone":[null,',
        encode(values.phone),
        '],"education":[null,',
        encode(values.education),
        "]",
    ]
    if values.joined_on is not None:
        parts += [',"joined_on":[null,"', values.joined_on.isoformat(), '"]']
    if values.confirmed_on is not None:
        parts += [',"confirmed_on":[null,"', values.confirmed_on.isoformat(), '"]']
    parts += [
        ',"category":[null,',
        encode(values.category),
        '],"organization":[null,',
        org_code_json,
        '],"party_post":[null,',
        encode(values.party_post),
        '],"work_post":[null,',
        encode(values.work_post),
        '],"in_hardship":[null,',
        "true" if values.in_hardship else "false",
        '],"is_mobile":[null,',
        "true" if values.is_mobile else "false",
        '],"status":[null,',
        encode(values.status),
        "]}",
    ]
    return "".join(parts)


class _AuditRows:
    """Audit rows as driver-ready tuples, in the order of COLUMNS (see bulk_insert.copy_rows);
    `changes` as compact JSON text."""

    COLUMNS = (
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
    )

    def __init__(self, actor: Actor, now: dt.datetime) -> None:
        self.user = actor.user if actor.user is not None and actor.user.pk else None
        self.prefix = (
            db_datetime(now),
            self.user.pk if self.user else None,
            actor.display[:150],
            actor.ip_address,
        )
        self.rows: list[tuple[Any, ...]] = []
        self.member_creates: tuple[Sequence[int], list[NewMember], Iterable[str], int] = (
            (),
            [],
            [],
            0,
        )
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

    def add_member_creates(
        self, ids: Sequence[int], new: list[NewMember], changes: Iterable[str]
    ) -> None:
        """The "新增" rows of new members (`changes`: their audit JSON), in order after the rows
        added so far; built while being inserted (see all_rows)."""
        self.member_creates = (ids, new, changes, len(self.rows))
        orgs = {id(m.organization): m.organization for m in new}
        self.paths.update(org.path for org in orgs.values() if org.path)

    def all_rows(self) -> Iterator[tuple[Any, ...]]:
        ids, new, changes, position = self.member_creates
        yield from self.rows[:position]
        prefix, reason, create = self.prefix, _REASON, _CREATE
        for pk, (values, org, _), text in zip(ids, new, changes, strict=True):
            yield (
                *prefix,
                create,
                "member",
                str(pk),
                values.name[:200],
                org.path,
                text,
                reason,
            )
        yield from self.rows[position:]


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

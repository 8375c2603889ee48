"""roster_import: read a roster file, validate every row, then write all of it or nothing."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import Actor, diff_fields
from chuangxian.orgs.models import Member, MemberTransfer, Organization
from chuangxian.orgs.selectors import common_path
from chuangxian.orgs.services.members import SENSITIVE_FIELDS, member_snapshot
from chuangxian.orgs.services.organizations import organization_snapshot
from chuangxian.roster_io.bulk_insert import insert_rows
from chuangxian.roster_io.member_plan import (
    LOOKUP_BATCH,
    MemberPlan,
    member_org_codes,
    plan_members,
)
from chuangxian.roster_io.org_plan import OrgPlan, plan_orgs
from chuangxian.roster_io.reader import RosterFileError, read_roster
from chuangxian.roster_io.report import ImportCounts, ImportReport, RowError
from chuangxian.roster_io.scope import ImportScope

WRITE_BATCH = 2000
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
    orgs = plan_orgs(
        roster.orgs,
        member_org_codes=member_org_codes(roster.members),
        scope=scope,
        today=today,
    )
    org_rows = len(roster.orgs.rows) if roster.orgs else 0
    if progress is not None:
        progress(org_rows, report.total_rows)
    members = plan_members(
        roster.members,
        orgs=orgs,
        scope=scope,
        today=today,
        progress=progress,
        done_before=org_rows,
        total=report.total_rows,
    )
    report.errors.extend(orgs.errors)
    report.errors.extend(members.errors)
    org_sheet = roster.orgs.name if roster.orgs else ""
    report.errors.sort(key=lambda e: (e.sheet != org_sheet, e.row))
    report.counts = _counts(orgs, members)
    if report.errors or dry_run or report.counts.changed == 0:
        return report
    with transaction.atomic():
        _write(orgs, members, actor=actor, today=today, report=report)
    if progress is not None:
        progress(report.total_rows, report.total_rows)
    return report


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

    _create_members(members.to_create, now)
    for member in members.to_create:
        changes = diff_fields({}, member_snapshot(member), masked=SENSITIVE_FIELDS)
        audit.add(AuditAction.CREATE, member, member.organization.path, changes)
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
    touched = [row[-3] for row in audit.rows if row[-3]]
    audit.rows.append(
        audit.row(
            AuditAction.IMPORT,
            "roster",
            "",
            "花名册导入",
            common_path(touched) if touched else "",
            _summary_changes(report.counts),
        )
    )
    insert_rows(AuditEvent, _AuditRows.COLUMNS, audit.rows)


def _create_members(new: list[Member], now: dt.datetime) -> None:
    """Insert new members, then read their ids back by ID hash (for the audit rows)."""
    columns = [field.name for field in Member._meta.concrete_fields if field.name != "id"]
    for member in new:
        member.created_at = member.updated_at = now
        # Re-assigning picks up the id of an organization created above and keeps it cached
        # (setting organization_id directly would drop the cache: one query per member).
        member.organization = member.organization
    insert_rows(Member, columns, ([getattr(m, name) for name in _attnames(columns)] for m in new))
    by_hash = {member.id_number_hash: member for member in new}
    hashes = list(by_hash)
    for start in range(0, len(hashes), LOOKUP_BATCH):
        chunk = hashes[start : start + LOOKUP_BATCH]
        found = Member.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", "pk")
        for id_hash, pk in found:
            by_hash[id_hash].pk = pk


def _attnames(columns: list[str]) -> list[str]:
    return [Member._meta.get_field(name).attname for name in columns]  # type: ignore[union-attr]


class _AuditRows:
    """Audit rows as plain tuples, in AuditEvent's column order (see bulk_insert)."""

    COLUMNS = (
        "at",
        "actor",
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
        self.prefix = (now, self.user.pk if self.user else None, actor.display[:150])
        self.ip_address = actor.ip_address
        self.rows: list[tuple[Any, ...]] = []

    def row(
        self,
        action: AuditAction,
        object_type: str,
        object_id: str,
        label: str,
        org_path: str,
        changes: dict[str, Any],
    ) -> tuple[Any, ...]:
        return (
            *self.prefix,
            self.ip_address,
            str(action),
            object_type,
            object_id,
            label[:200],
            org_path,
            changes,
            "花名册导入",
        )

    def add(self, action: AuditAction, obj: Any, org_path: str, changes: dict[str, Any]) -> None:
        self.rows.append(
            self.row(action, obj._meta.model_name, str(obj.pk), str(obj), org_path, changes)
        )


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

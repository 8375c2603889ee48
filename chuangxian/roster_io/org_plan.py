"""Validating the 党组织 sheet against itself, the tree in the database and the user's scope.

Nothing here writes. The result lists the organizations to create (parents before children),
those to update with their before → after, and every organization a member row may refer to.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chuangxian.audit.services import diff_fields
from chuangxian.orgs.models import Organization
from chuangxian.orgs.models.organization import ALLOWED_CHILD_KINDS
from chuangxian.orgs.services.organizations import (
    OrganizationValues,
    check_organization,
    kind_allowed_under,
    organization_snapshot,
)
from chuangxian.roster_io import cells
from chuangxian.roster_io.reader import Sheet
from chuangxian.roster_io.report import RowError
from chuangxian.roster_io.scope import ImportScope

LOOKUP_BATCH = 900
_OWN_FIELDS = ("name", "kind", "sector", "established_on", "term_started_on", "term_ends_on")
_DATE_FIELDS = ("established_on", "term_started_on", "term_ends_on")


@dataclass
class OrgRow:
    row: int
    values: OrganizationValues
    parent_code: str
    present: set[str]
    failed: bool = False


@dataclass
class OrgPlan:
    # Every organization a member row may name, by code: the file's (new ones unsaved) and
    # the database's.
    by_code: dict[str, Organization] = field(default_factory=dict)
    # Existing organizations whose members the user may not write.
    closed_codes: set[str] = field(default_factory=set)
    # Organizations whose own row is refused: their member rows add no error of their own.
    failed_codes: set[str] = field(default_factory=set)
    to_create: list[Organization] = field(default_factory=list)
    to_update: list[tuple[Organization, dict[str, list[Any]]]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def fetch_orgs_by_code(codes: Iterable[str]) -> dict[str, Organization]:
    wanted = sorted(set(codes) - {""})
    found: dict[str, Organization] = {}
    for start in range(0, len(wanted), LOOKUP_BATCH):
        chunk = wanted[start : start + LOOKUP_BATCH]
        for org in Organization.objects.filter(code__in=chunk).select_related("parent"):
            found[org.code] = org
    return found


def plan_orgs(
    sheet: Sheet | None,
    *,
    member_org_codes: set[str],
    scope: ImportScope,
    today: dt.date,
) -> OrgPlan:
    plan = OrgPlan()
    rows = _parse_rows(sheet, plan.errors, today) if sheet is not None else []
    rows = _drop_duplicate_codes(sheet, rows, plan.errors)
    file_codes = {row.values.code for row in rows}
    parent_codes = {row.parent_code for row in rows}
    db = fetch_orgs_by_code(file_codes | parent_codes | member_org_codes)
    plan.by_code.update(db)
    if sheet is None:
        plan.closed_codes = {code for code, org in db.items() if not scope.edits_members_of(org)}
        return plan

    label = sheet.label
    by_code = {row.values.code: row for row in rows}
    final_kind = {code: org.kind for code, org in db.items()} | {
        row.values.code: row.values.kind for row in rows
    }

    def fail(row: OrgRow, key: str, reason: str) -> None:
        row.failed = True
        plan.errors.append(RowError(sheet.name, row.row, label(key), reason))

    for row in rows:
        code, existing = row.values.code, db.get(row.values.code)
        if row.parent_code and row.parent_code not in by_code and row.parent_code not in db:
            fail(row, "parent_code", f"找不到上级组织编码“{row.parent_code}”（文件和系统中都没有）")
        if row.parent_code == code:
            fail(row, "parent_code", "上级组织不能是它自己")
        if existing is not None:
            current_parent = existing.parent.code if existing.parent else ""
            if row.parent_code != current_parent:
                fail(
                    row,
                    "parent_code",
                    f"与系统中的上级组织（{current_parent or '无'}）不一致；"
                    "导入不调整组织隶属关系，请在组织树上使用“调整上级”",
                )
            elif not scope.administers(existing):
                fail(row, "code", "该组织不在您的管理范围内")

    _check_new_chains(rows, by_code, db, scope, fail)
    for row in rows:
        parent_kind = final_kind.get(row.parent_code) if row.parent_code else None
        known_parent = not row.parent_code or parent_kind is not None
        if not row.failed and known_parent:
            parent_stub = Organization(kind=parent_kind) if parent_kind else None
            if reason := kind_allowed_under(row.values.kind, parent_stub):
                fail(row, "kind", reason)
    _check_kind_changes(rows, db, final_kind, fail)

    for row in rows:
        code = row.values.code
        if row.failed:
            plan.failed_codes.add(code)
            continue
        existing = db.get(code)
        if existing is None:
            org = Organization(path="", depth=0, **row.values.__dict__)
            plan.by_code[code] = org
            continue
        before = organization_snapshot(existing, parent_code=row.parent_code)
        for name in _OWN_FIELDS:
            if name in row.present:
                setattr(existing, name, getattr(row.values, name))
        changes = diff_fields(before, organization_snapshot(existing, parent_code=row.parent_code))
        if changes:
            plan.to_update.append((existing, changes))
        else:
            plan.unchanged += 1
    plan.closed_codes = {code for code, org in db.items() if not scope.edits_members_of(org)}
    _link_new(rows, plan, db)
    return plan


def _parse_rows(sheet: Sheet, errors: list[RowError], today: dt.date) -> list[OrgRow]:
    rows: list[OrgRow] = []
    columns = sheet.columns
    for number, raw in sheet.rows:

        def cell(key: str, raw: Sequence[cells.Cell] = raw) -> cells.Cell:
            index = columns[key][0] if key in columns else None
            return raw[index] if index is not None and index < len(raw) else None

        row_errors: dict[str, str] = {}
        dates: dict[str, dt.date | None] = {}
        for key in _DATE_FIELDS:
            try:
                dates[key] = cells.date_value(cell(key))
            except cells.CellError as error:
                row_errors[key] = str(error)
                dates[key] = None
        values = OrganizationValues(
            code=cells.code_text(cell("code")),
            name=cells.free_text(cell("name")),
            kind=cells.code_text(cell("kind")),
            sector=cells.code_text(cell("sector")),
            **dates,
        )
        for key, reason in check_organization(values, today=today).items():
            row_errors.setdefault(key, reason)
        for key, reason in row_errors.items():
            errors.append(RowError(sheet.name, number, sheet.label(key), reason))
        rows.append(
            OrgRow(
                row=number,
                values=values,
                parent_code=cells.code_text(cell("parent_code")),
                present=set(columns),
                failed=bool(row_errors),
            )
        )
    return rows


def _drop_duplicate_codes(
    sheet: Sheet | None, rows: list[OrgRow], errors: list[RowError]
) -> list[OrgRow]:
    """Report every row of a code that appears more than once; keep only the first for the
    later checks, marked failed so that nothing is written."""
    if sheet is None:
        return rows
    seen: dict[str, list[OrgRow]] = defaultdict(list)
    for row in rows:
        if row.values.code:
            seen[row.values.code].append(row)
    kept: list[OrgRow] = []
    for row in rows:
        same = seen.get(row.values.code, [row])
        if len(same) > 1:
            numbers = "、".join(f"第{other.row}行" for other in same)
            errors.append(
                RowError(sheet.name, row.row, sheet.label("code"), f"组织编码重复：{numbers}")
            )
            if row is not same[0]:
                continue
            row.failed = True
        kept.append(row)
    return kept


def _check_new_chains(
    rows: list[OrgRow],
    by_code: dict[str, OrgRow],
    db: dict[str, Organization],
    scope: ImportScope,
    fail: Any,
) -> None:
    """A new organization hangs from a chain of new ones that must end at an organization the
    user administers (or at no parent, for the system only) without looping."""
    for row in rows:
        if row.values.code in db:
            continue
        seen = {row.values.code}
        code = row.parent_code
        while code in by_code and code not in db:
            if code in seen:
                fail(row, "parent_code", "上级组织关系形成循环：" + " → ".join([*seen, code]))
                break
            seen.add(code)
            code = by_code[code].parent_code
        else:
            if code == "":
                if not scope.is_system:
                    fail(row, "parent_code", "只有系统管理员可以导入顶级组织，请填写上级组织编码")
            elif code in db and not scope.administers(db[code]):
                fail(row, "parent_code", f"上级组织“{code}”不在您的管理范围内")


def _check_kind_changes(
    rows: list[OrgRow], db: dict[str, Organization], final_kind: dict[str, str], fail: Any
) -> None:
    """An existing organization whose kind changes must still fit the children it keeps."""
    changed = [
        row
        for row in rows
        if not row.failed
        and row.values.code in db
        and "kind" in row.present
        and db[row.values.code].kind != row.values.kind
    ]
    if not changed:
        return
    parents = {db[row.values.code].pk: row for row in changed}
    for child in Organization.objects.filter(parent_id__in=parents).only("code", "kind", "parent"):
        row = parents[child.parent_id]  # type: ignore[index]
        kind = final_kind.get(child.code, child.kind)
        if kind not in ALLOWED_CHILD_KINDS[row.values.kind]:
            fail(row, "kind", f"下级有{kind}（{child.code}），不能改为{row.values.kind}")


def _link_new(rows: list[OrgRow], plan: OrgPlan, db: dict[str, Organization]) -> None:
    """Point each new organization at its parent object and order them parents first."""
    new = {row.values.code: row for row in rows if not row.failed and row.values.code not in db}
    depth: dict[str, int] = {}

    def level(code: str) -> int:
        if code not in depth:
            parent = new[code].parent_code
            depth[code] = level(parent) + 1 if parent in new else 0
        return depth[code]

    for code in sorted(new, key=level):
        org = plan.by_code[code]
        parent_code = new[code].parent_code
        # A parent whose row failed is missing here; the file is refused anyway.
        org.parent = plan.by_code.get(parent_code) if parent_code else None
        plan.to_create.append(org)

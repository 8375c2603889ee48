"""Validating the 党员 sheet: every cell through rules.check_member, duplicates inside the file,
organization codes, the user's scope, and the members already in the database.

Nothing here writes. Existing members are found by the keyed hash of their ID number, a few
hundred hashes per query; no query is made per row.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chuangxian.audit.services import diff_fields
from chuangxian.orgs import fieldcrypto, idnumber
from chuangxian.orgs.models import Member, MemberStatus, Organization
from chuangxian.orgs.rules import FIELD_LABELS, MemberValues, check_member
from chuangxian.orgs.services.members import SENSITIVE_FIELDS, member_snapshot
from chuangxian.roster_io import cells
from chuangxian.roster_io.org_plan import OrgPlan
from chuangxian.roster_io.reader import Sheet
from chuangxian.roster_io.report import RowError
from chuangxian.roster_io.scope import ImportScope

LOOKUP_BATCH = 900
PROGRESS_EVERY = 2000
_DATE_KEYS = ("birth_date", "joined_on", "confirmed_on")
_BOOL_KEYS = ("in_hardship", "is_mobile")
_CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "education": cells.EDUCATION_ALIASES,
    "category": cells.CATEGORY_ALIASES,
    "status": cells.STATUS_ALIASES,
    "gender": {},
}
_TEXT_KEYS = ("name", "ethnicity", "party_post", "work_post")
MEMBER_FIELDS = tuple(FIELD_LABELS)

Progress = Callable[[int, int], None]


@dataclass
class MemberTransferPlan:
    member: Member
    from_organization: Organization


@dataclass
class MemberPlan:
    to_create: list[Member] = field(default_factory=list)
    to_update: list[tuple[Member, dict[str, list[Any]]]] = field(default_factory=list)
    transfers: list[MemberTransferPlan] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    parsed: dict[str, Any]
    errors: dict[str, str]
    id_hash: str
    org_code: str


def member_org_codes(sheet: Sheet | None) -> set[str]:
    if sheet is None or "org_code" not in sheet.columns:
        return set()
    index = sheet.columns["org_code"][0]
    return {cells.code_text(raw[index]) for _, raw in sheet.rows if index < len(raw)}


def plan_members(
    sheet: Sheet | None,
    *,
    orgs: OrgPlan,
    scope: ImportScope,
    today: dt.date,
    progress: Progress | None = None,
    done_before: int = 0,
    total: int = 0,
) -> MemberPlan:
    plan = MemberPlan()
    if sheet is None:
        return plan
    rows = [_parse(sheet, number, raw) for number, raw in sheet.rows]
    existing = _fetch_existing(row.id_hash for row in rows if row.id_hash)
    _fetch_missing_orgs(existing.values(), orgs, scope)
    duplicates = _duplicates(rows)
    label = sheet.label

    for index, row in enumerate(rows, start=1):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(done_before + index, total)
        current = existing.get(row.id_hash) if row.id_hash else None
        values = _values(row, current, sheet)
        errors = row.errors
        for key, reason in check_member(values, today=today).items():
            errors.setdefault(key, reason)
        if row.id_hash in duplicates:
            numbers = "、".join(f"第{n}行" for n in duplicates[row.id_hash])
            errors.setdefault("id_number", f"公民身份号码在文件中重复：{numbers}")
        org = _target_org(row, orgs, errors)
        if current is not None and current.organization.code in orgs.closed_codes:
            errors.setdefault(
                "id_number",
                f"该党员已在“{current.organization.name}”（不在您的管理范围内），不能由您导入或修改",
            )
        if errors:
            for key, reason in errors.items():
                plan.errors.append(RowError(sheet.name, row.number, label(key), reason))
            continue
        if org is None:
            continue  # its organization's own row failed; that row carries the error
        if current is None:
            member = Member(organization=org, **values.as_model_fields())
            member.set_id_number(values.id_number)
            plan.to_create.append(member)
            continue
        _plan_update(plan, current, values, org)
    return plan


def _parse(sheet: Sheet, number: int, raw: Sequence[cells.Cell]) -> _Row:
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    width = len(raw)
    id_hash = ""
    for key, (index, _) in sheet.columns.items():
        cell = raw[index] if index < width else None
        try:
            if key in _DATE_KEYS:
                parsed[key] = cells.date_value(cell)
            elif key in _BOOL_KEYS:
                parsed[key] = cells.bool_value(cell)
            elif key in _CHOICE_ALIASES:
                parsed[key] = cells.choice_text(cell, _CHOICE_ALIASES[key])
            elif key == "id_number":
                parsed[key] = cells.id_number_text(cell)
            elif key in _TEXT_KEYS:
                parsed[key] = cells.free_text(cell)
            else:
                parsed[key] = cells.code_text(cell)
        except cells.CellError as error:
            errors[key] = str(error)
            parsed[key] = None
    if parsed.get("id_number"):
        normalized = idnumber.normalize(parsed["id_number"])
        if len(normalized) == 18:
            id_hash = fieldcrypto.keyed_hash(normalized)
    return _Row(number, parsed, errors, id_hash, parsed.get("org_code") or "")


def _fetch_existing(hashes: Any) -> dict[str, Member]:
    wanted = sorted(set(hashes))
    found: dict[str, Member] = {}
    for start in range(0, len(wanted), LOOKUP_BATCH):
        chunk = wanted[start : start + LOOKUP_BATCH]
        for member in Member.objects.filter(id_number_hash__in=chunk):
            found[member.id_number_hash] = member
    return found


def _fetch_missing_orgs(members: Any, orgs: OrgPlan, scope: ImportScope) -> None:
    """Attach each existing member's current organization from one query per batch."""
    members = list(members)
    by_id = {org.pk: org for org in orgs.by_code.values() if org.pk is not None}
    missing = sorted({m.organization_id for m in members} - set(by_id))
    for start in range(0, len(missing), LOOKUP_BATCH):
        chunk = missing[start : start + LOOKUP_BATCH]
        for org in Organization.objects.filter(pk__in=chunk):
            by_id[org.pk] = org
            orgs.by_code.setdefault(org.code, org)
            if not scope.edits_members_of(org):
                orgs.closed_codes.add(org.code)
    for member in members:
        member.organization = by_id[member.organization_id]


def _duplicates(rows: list[_Row]) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.id_hash:
            seen[row.id_hash].append(row.number)
    return {key: numbers for key, numbers in seen.items() if len(numbers) > 1}


def _values(row: _Row, current: Member | None, sheet: Sheet) -> MemberValues:
    """The row's values; a column the file lacks keeps the member's current value."""
    parsed = row.parsed

    def pick(key: str, default: Any) -> Any:
        if key in sheet.columns:
            value = parsed[key]
            return default if value is None and key in _BOOL_KEYS else value
        if current is not None:
            return getattr(current, key)
        return default

    values = MemberValues(
        name=pick("name", "") or "",
        gender=pick("gender", "") or "",
        ethnicity=pick("ethnicity", "") or "",
        birth_date=pick("birth_date", None),
        id_number=parsed.get("id_number") or "",
        joined_on=pick("joined_on", None),
        category=pick("category", "") or "",
        phone=pick("phone", "") or "",
        education=pick("education", "") or "",
        confirmed_on=pick("confirmed_on", None),
        party_post=pick("party_post", "") or "",
        work_post=pick("work_post", "") or "",
        in_hardship=bool(pick("in_hardship", False)),
        is_mobile=bool(pick("is_mobile", False)),
        status=pick("status", "") or MemberStatus.ACTIVE,
    )
    return values


def _target_org(row: _Row, orgs: OrgPlan, errors: dict[str, str]) -> Organization | None:
    code = row.org_code
    if not code:
        errors.setdefault("org_code", "不能为空")
        return None
    if code in orgs.failed_codes:
        return None
    org = orgs.by_code.get(code)
    if org is None:
        errors.setdefault("org_code", f"找不到组织编码为“{code}”的党组织（文件和系统中都没有）")
        return None
    if code in orgs.closed_codes:
        errors.setdefault("org_code", f"党组织“{code}”不在您的管理范围内")
        return None
    return org


def _plan_update(plan: MemberPlan, member: Member, values: MemberValues, org: Organization) -> None:
    before = member_snapshot(member)
    source = member.organization
    for name, value in values.as_model_fields().items():
        setattr(member, name, value)
    member.organization = org
    changes = diff_fields(before, member_snapshot(member), masked=SENSITIVE_FIELDS)
    if not changes:
        plan.unchanged += 1
        return
    plan.to_update.append((member, changes))
    if org.code != source.code:
        plan.transfers.append(MemberTransferPlan(member=member, from_organization=source))

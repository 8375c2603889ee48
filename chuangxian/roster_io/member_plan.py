"""Validating the 党员 sheet: every cell through rules.check_member, duplicates inside the file,
organization codes, the user's scope, and the members already in the database.

Nothing here writes. Existing members are found by the keyed hash of their ID number, a few
hundred hashes per query; no query is made per row.

Speed matters here (100,000 rows within a few seconds, see docs/roster-import.md): cells are
read through per-column converters that cache the answer for repeated text (a roster repeats
its dates, codes and choices), rows stay plain dicts and tuples, and a model instance is built
only for a member that already exists.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection

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
# The fields compared to tell an unchanged member cheaply (the organization separately).
_COMPARED = tuple(name for name in MEMBER_FIELDS if name != "id_number")
# Converter caches stop growing here, so that a pathological file cannot exhaust memory.
_CACHE_LIMIT = 50_000

Progress = Callable[[int, int], None]
Converter = Callable[[cells.Cell], Any]


@dataclass
class MemberTransferPlan:
    member: Member
    from_organization: Organization


class NewMember(NamedTuple):
    """A member to create: its checked, normalized values, organization and ID hash."""

    values: MemberValues
    organization: Organization
    id_hash: str


@dataclass
class MemberPlan:
    to_create: list[NewMember] = field(default_factory=list)
    to_update: list[tuple[Member, dict[str, list[Any]]]] = field(default_factory=list)
    transfers: list[MemberTransferPlan] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


class _Row(NamedTuple):
    number: int
    parsed: dict[str, Any]
    errors: dict[str, str]
    id_hash: str
    org_code: str


def member_org_codes(sheet: Sheet | None) -> set[str]:
    if sheet is None or "org_code" not in sheet.columns:
        return set()
    index = sheet.columns["org_code"][0]
    read = _converter("org_code")
    codes: set[str] = set()
    for _, raw in sheet.rows:
        if index < len(raw):
            codes.add(read(raw[index]))
    return codes


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
    rows = parse_rows(sheet)
    existing = _fetch_existing(row.id_hash for row in rows if row.id_hash)
    _fetch_missing_orgs(existing.values(), orgs, scope)
    duplicates = _duplicates(rows)
    label = sheet.label
    present = frozenset(sheet.columns)
    complete = present.issuperset(MEMBER_FIELDS)
    by_code = orgs.by_code
    failed_codes = orgs.failed_codes
    closed_codes = orgs.closed_codes
    to_create = plan.to_create
    sheet_name = sheet.name

    for index, row in enumerate(rows, start=1):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(done_before + index, total)
        id_hash = row.id_hash
        current = existing.get(id_hash) if existing and id_hash else None
        values = (
            _complete_values(row.parsed)
            if complete or current is None
            else _values(row.parsed, current, present)
        )
        errors = row.errors
        checked = check_member(values, today=today)
        if checked:
            if errors:
                for key, reason in checked.items():
                    errors.setdefault(key, reason)
            else:
                errors.update(checked)
        if id_hash in duplicates:
            numbers = "、".join(f"第{n}行" for n in duplicates[id_hash])
            errors.setdefault("id_number", f"公民身份号码在文件中重复：{numbers}")
        # The organization, as _target_org used to find it (kept inline: it runs per row).
        code = row.org_code
        org = None
        if not code:
            errors.setdefault("org_code", "不能为空")
        elif code not in failed_codes:
            org = by_code.get(code)
            if org is None:
                errors.setdefault(
                    "org_code", f"找不到组织编码为“{code}”的党组织（文件和系统中都没有）"
                )
            elif code in closed_codes:
                errors.setdefault("org_code", f"党组织“{code}”不在您的管理范围内")
                org = None
        if current is not None and current.organization.code in closed_codes:
            errors.setdefault(
                "id_number",
                f"该党员已在“{current.organization.name}”（不在您的管理范围内），不能由您导入或修改",
            )
        if errors:
            for key, reason in errors.items():
                plan.errors.append(RowError(sheet_name, row.number, label(key), reason))
            continue
        if org is None:
            continue  # its organization's own row failed; that row carries the error
        if current is None:
            to_create.append(NewMember(values, org, id_hash))
            continue
        if _unchanged(current, values, org):
            plan.unchanged += 1
            continue
        _plan_update(plan, current, values, org)
    return plan


def parse_rows(sheet: Sheet) -> list[_Row]:
    """Every row's cells read into Python values, with a reason for each unreadable cell, and
    the keyed hash of its ID number (when it has 18 characters)."""
    readers = [(key, index, _converter(key)) for key, (index, _) in sheet.columns.items()]
    has_id = "id_number" in sheet.columns
    cell_error = cells.CellError
    normalize = idnumber.normalize
    keyed_hash = fieldcrypto.keyed_hash
    out: list[_Row] = []
    append = out.append
    for number, raw in sheet.rows:
        parsed: dict[str, Any] = {}
        errors: dict[str, str] = {}
        width = len(raw)
        for key, index, read in readers:
            try:
                parsed[key] = read(raw[index] if index < width else None)
            except cell_error as error:
                errors[key] = str(error)
                parsed[key] = None
        id_hash = ""
        if has_id and (text := parsed["id_number"]):
            normalized = normalize(text)
            if len(normalized) == 18:
                id_hash = keyed_hash(normalized)
        append(_Row(number, parsed, errors, id_hash, parsed.get("org_code") or ""))
    return out


def _converter(key: str) -> Converter:
    """The cell reader for column `key`: the cells module's parser, with a fast path for the
    common cell types and a cache for repeated text (same answers, same errors)."""
    if key in _DATE_KEYS:
        return _cached(cells.date_value, fast=_fast_date)
    if key in _BOOL_KEYS:
        return _cached(cells.bool_value, fast=_fast_bool)
    if key in _CHOICE_ALIASES:
        aliases = _CHOICE_ALIASES[key]
        return _cached(lambda cell: cells.choice_text(cell, aliases))
    if key == "id_number":
        return _id_number
    if key in _TEXT_KEYS:
        return _free_text
    if key == "phone":
        return _phone_text
    return _cached(cells.code_text)


_MISSING = object()
_DATE = dt.date
_DATETIME = dt.datetime


def _fast_date(cell: cells.Cell) -> Any:
    kind = type(cell)
    if kind is _DATE or cell is None:
        return cell
    if kind is _DATETIME:
        return cell.date()  # type: ignore[union-attr]
    return _MISSING


def _fast_bool(cell: cells.Cell) -> Any:
    return cell if type(cell) is bool else _MISSING


def _cached(parse: Converter, *, fast: Converter | None = None) -> Converter:
    """`parse` with its successful answers for text cells remembered (errors are raised anew
    each time, so every bad cell is still reported)."""
    cache: dict[str, Any] = {}

    def read(cell: cells.Cell) -> Any:
        if fast is not None:
            value = fast(cell)
            if value is not _MISSING:
                return value
        if type(cell) is not str:
            return parse(cell)
        try:
            return cache[cell]
        except KeyError:
            value = parse(cell)
            if len(cache) < _CACHE_LIMIT:
                cache[cell] = value
            return value

    return read


_SPACES = cells._SPACES


def _free_text(cell: cells.Cell) -> str:
    if type(cell) is str:
        return cell.strip(_SPACES)
    return cells.free_text(cell)


def _phone_text(cell: cells.Cell) -> str:
    # Plain ASCII letters and digits: code_text would return them unchanged.
    if type(cell) is str and cell.isascii() and cell.isalnum():
        return cell
    return cells.code_text(cell)


def _id_number(cell: cells.Cell) -> str:
    # 17 ASCII digits and one more ASCII character: code_text changes nothing (no spaces, no
    # full-width characters) and it cannot be scientific notation.
    if (
        type(cell) is str
        and len(cell) == 18
        and cell.isascii()
        and cell[:17].isdigit()
        and not cell[17].isspace()
    ):
        return cell
    return cells.id_number_text(cell)


def _fetch_existing(hashes: Iterable[str]) -> dict[str, Member]:
    """The members already stored under any of `hashes`: first which hashes exist (a bare
    index look-up), then the model instances of those only."""
    wanted = sorted(set(hashes))
    table = connection.ops.quote_name(Member._meta.db_table)
    found_hashes: list[str] = []
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), LOOKUP_BATCH):
            chunk = wanted[start : start + LOOKUP_BATCH]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT id_number_hash FROM {table} WHERE id_number_hash IN ({marks})",  # noqa: S608
                chunk,
            )
            found_hashes.extend(h for (h,) in cursor.fetchall())
    found: dict[str, Member] = {}
    for start in range(0, len(found_hashes), LOOKUP_BATCH):
        chunk = found_hashes[start : start + LOOKUP_BATCH]
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


def _complete_values(parsed: dict[str, Any]) -> MemberValues:
    """_values for a row whose file has every column, or for a new member (whose missing
    columns take the empty defaults): the same result, without the per-field look-ups."""
    get = parsed.get
    return MemberValues(
        name=get("name") or "",
        gender=get("gender") or "",
        ethnicity=get("ethnicity") or "",
        birth_date=get("birth_date"),
        id_number=get("id_number") or "",
        joined_on=get("joined_on"),
        category=get("category") or "",
        phone=get("phone") or "",
        education=get("education") or "",
        confirmed_on=get("confirmed_on"),
        party_post=get("party_post") or "",
        work_post=get("work_post") or "",
        in_hardship=bool(get("in_hardship")),
        is_mobile=bool(get("is_mobile")),
        status=get("status") or MemberStatus.ACTIVE,
    )


def _values(
    parsed: dict[str, Any], current: Member | None, present: frozenset[str]
) -> MemberValues:
    """The row's values; a column the file lacks keeps the member's current value."""

    def pick(key: str, default: Any) -> Any:
        if key in present:
            value = parsed[key]
            return default if value is None and key in _BOOL_KEYS else value
        if current is not None:
            return getattr(current, key)
        return default

    return MemberValues(
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


def _unchanged(member: Member, values: MemberValues, org: Organization) -> bool:
    """True when writing `values` would change nothing (a cheap test; when it says False,
    _plan_update's full diff decides)."""
    if org is not member.organization and (org.pk is None or org.pk != member.organization_id):
        return False
    return all(getattr(member, name) == getattr(values, name) for name in _COMPARED)


def _plan_update(plan: MemberPlan, member: Member, values: MemberValues, org: Organization) -> None:
    from chuangxian.audit.services import diff_fields

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

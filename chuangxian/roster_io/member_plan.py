"""Validating the 党员 sheet: every cell through rules.check_member, duplicates inside the file,
organization codes, the user's scope, and the members already in the database.

Nothing here writes. Existing members are found by the keyed hash of their ID number, many
hashes per query; no query is made per row.

Speed matters here (100,000 rows within a few seconds, see docs/roster-import.md): cells are
read column by column through converters that cache the answer for repeated text (a roster
repeats its dates, codes and choices); on two cores a forked child reads and checks part of
the rows (MemberRows, parallel.py); existing members are compared as plain tuples, and a model
instance is built only for a member that actually changes.
"""

import contextlib
import dataclasses
import datetime as dt
import marshal
import operator
import pickle
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

from django.db import DatabaseError, connection

from chuangxian.orgs import fieldcrypto, idnumber
from chuangxian.orgs.models import Member, MemberStatus, Organization
from chuangxian.orgs.rules import FIELD_LABELS, MemberValues, check_member
from chuangxian.orgs.services.members import SENSITIVE_FIELDS, member_snapshot
from chuangxian.roster_io import cells
from chuangxian.roster_io.member_write import WriteContext, clear_id_number, member_row
from chuangxian.roster_io.org_plan import OrgPlan
from chuangxian.roster_io.parallel import ForkedChunks
from chuangxian.roster_io.reader import Sheet
from chuangxian.roster_io.report import RowError
from chuangxian.roster_io.scope import ImportScope

LOOKUP_BATCH = 900
# Hashes per look-up query on PostgreSQL, sent as one array.
ARRAY_LOOKUP_BATCH = 20_000
# Below this many member rows everything runs in this process (a child costs ~10 ms to start).
PARALLEL_MIN_ROWS = 5000
# The parent's part of the rows when a child helps: a little more than half, because the child
# also encodes its part for the pipe and runs on copy-on-write memory (measured: both end
# together at about this share).
PARENT_SHARE = 0.55
# The child sends its part in messages of this many rows.
CHILD_CHUNK = 10_000
# The parent reads its part in chunks of this many rows, reporting progress after each.
PREPARE_CHUNK = 5_000
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

    values: MemberValues | None  # None when `ready` holds the member row
    organization: Organization
    id_hash: str
    ciphertext: str = ""  # of the ID number, when already computed (see MemberRows)
    ready: tuple[Any, ...] | None = None  # see _Row


@dataclass
class MemberPlan:
    to_create: list[NewMember] = field(default_factory=list)
    to_update: list[tuple[Member, dict[str, list[Any]]]] = field(default_factory=list)
    transfers: list[MemberTransferPlan] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


class _Row(NamedTuple):
    number: int
    # The cells read, by key: kept only when the file lacks a member column (a missing column
    # keeps an existing member's value, see _values); None otherwise.
    parsed: dict[str, Any] | None
    errors: dict[str, str] | None  # unreadable cells
    id_hash: str
    org_code: str
    # The values as a new member would take them (missing columns empty), after check_member
    # (which normalizes them in place), and its findings. None for a clean row the child sent
    # as its member row only (see _ready_values).
    values: MemberValues | None
    checked: dict[str, str]
    # The ID number's ciphertext, when a forked child computed it (see MemberRows); "" when not.
    ciphertext: str = ""
    # A clean row's unsealed member row (member_write.member_row), when the rows are read
    # with a WriteContext (an eager import); None otherwise.
    ready: tuple[Any, ...] | None = None


class _Stored(NamedTuple):
    """What the planner needs of a member already in the database: no model instance, no
    decryption (the ID number is matched by hash)."""

    pk: int
    organization_id: int
    id_number_hash: str
    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date | None
    phone: str
    education: str
    joined_on: dt.date | None
    confirmed_on: dt.date | None
    category: str
    party_post: str
    work_post: str
    in_hardship: bool
    is_mobile: bool
    status: str


assert _Stored._fields[3:] == _COMPARED
_compared_of = operator.attrgetter(*_COMPARED)
_VALUE_FIELDS = tuple(f.name for f in dataclasses.fields(MemberValues))
_values_tuple = operator.attrgetter(*_VALUE_FIELDS)
_DATE_POSITIONS = tuple(_VALUE_FIELDS.index(name) for name in _DATE_KEYS)


def member_org_codes(sheet: Sheet | None) -> set[str]:
    """The organization codes the member rows name (read as the rows read them)."""
    if sheet is None or "org_code" not in sheet.columns:
        return set()
    index = sheet.columns["org_code"][0]
    # Each distinct cell once (a roster names each code many times); by type too, since
    # 1 == 1.0 == True but True reads as "True".
    raw = {
        (type(cell), cell)
        for cell in (cells_[index] for _, cells_ in sheet.rows if index < len(cells_))
    }
    read = _converter("org_code")
    return {read(cell) for _, cell in raw}


class MemberRows:
    """The member sheet's rows read and checked (prepare_rows), on two cores when it is worth
    it: `start` hands the last part of the rows to a forked child (see parallel.py) at once,
    so that it runs while the parent plans the organizations (and, in an eager import, writes
    the rows already checked); `chunks` reads the first part here, then takes the child's
    part. Reading first (no WriteContext), the child also encrypts the ID numbers of its
    clean rows, so that the parent has less left to do once it writes; an eager import
    encrypts only when it writes (member_write.sealed_row), so a re-import encrypts nothing,
    except into an empty roster (WriteContext.new_only), where every clean row is new and
    the child encrypts it."""

    def __init__(
        self, sheet: Sheet | None, today: dt.date, write: WriteContext | None = None
    ) -> None:
        self.sheet = sheet
        self.today = today
        self.write = write
        self.split = len(sheet.rows) if sheet is not None else 0
        self.child: ForkedChunks[bytes] | None = None

    @classmethod
    def start(
        cls,
        sheet: Sheet | None,
        *,
        today: dt.date,
        share: float = PARENT_SHARE,
        write: WriteContext | None = None,
    ) -> "MemberRows":
        """`share`: the part of the rows this process reads itself when a child helps;
        `write`: build each clean row's member row and audit entry too (see _Row.ready)."""
        rows = cls(sheet, today, write)
        if sheet is not None and len(sheet.rows) >= PARALLEL_MIN_ROWS:
            split = int(len(sheet.rows) * share)
            tasks = child_chunks(split, len(sheet.rows), CHILD_CHUNK)
            # The task holds what it reads, not this object: no reference cycle, so the sheet
            # is freed as soon as the import lets go of it (imports._without_cyclic_gc).
            child = ForkedChunks.start(partial(cls._child_part, sheet, today, write), tasks)
            if child.forked:
                rows.child, rows.split = child, split
        return rows

    @staticmethod
    def _child_part(
        sheet: Sheet, today: dt.date, write: WriteContext | None, task: tuple[int, int]
    ) -> bytes:
        """Rows [start, stop) for the parent, as marshal data (several times cheaper than
        pickle), dates as ordinals; the cells read (`parsed`, rarely needed) are pickled. A
        clean row with its member row built (`ready`) goes as that row alone."""
        start, stop = task
        items: list[Any] = []
        encrypt = fieldcrypto.encrypter()
        # Every clean row of an import into an empty roster is new: its ID number is encrypted
        # here, off the busier process that writes.
        seal = encrypt if write is not None and write.new_only else None
        for row in prepare_rows(sheet, today=today, start=start, stop=stop, write=write):
            if row.ready is not None and row.parsed is None:
                sealed = "" if seal is None else seal(clear_id_number(row.ready))
                items.append((row.number, row.id_hash, row.org_code, row.ready, sealed))
                continue
            assert row.values is not None
            values = list(_values_tuple(row.values))
            for index in _DATE_POSITIONS:
                if values[index] is not None:
                    values[index] = values[index].toordinal()
            parsed = None if row.parsed is None else pickle.dumps(row.parsed)
            clean = write is None and row.id_hash and not row.errors and not row.checked
            sealed = encrypt(row.values.id_number) if clean else ""
            items.append(
                (
                    row.number,
                    parsed,
                    row.errors,
                    row.id_hash,
                    row.org_code,
                    values,
                    row.checked,
                    sealed,
                    row.ready,
                )
            )
        return marshal.dumps(items)

    @staticmethod
    def _from_child(data: bytes) -> list["_Row"]:
        items = marshal.loads(data)  # noqa: S302 (our own child's output)
        rows: list[_Row] = []
        append = rows.append
        from_ordinal = dt.date.fromordinal
        for item in items:
            if len(item) == 5:
                number, id_hash, org_code, ready, sealed = item
                append(_Row(number, None, None, id_hash, org_code, None, {}, sealed, ready))
                continue
            number, parsed, errors, id_hash, org_code, values, checked, sealed, ready = item
            for index in _DATE_POSITIONS:
                if values[index] is not None:
                    values[index] = from_ordinal(values[index])
            append(
                _Row(
                    number,
                    None if parsed is None else pickle.loads(parsed),  # noqa: S301 (ditto)
                    errors,
                    id_hash,
                    org_code,
                    MemberValues(*values),
                    checked,
                    sealed,
                    ready,
                )
            )
        return rows

    def close(self) -> None:
        if self.child is not None:
            self.child.close()

    def chunks(self, progress: Callable[[int], None] | None = None) -> Iterator[list["_Row"]]:
        """The rows in file order, a chunk at a time: this process's part, then the child's
        (each chunk as soon as it is there). `progress(rows done so far)` after each chunk."""
        sheet = self.sheet
        if sheet is None:
            return
        done = 0
        for start in range(0, self.split, PREPARE_CHUNK):
            chunk = prepare_rows(
                sheet,
                today=self.today,
                start=start,
                stop=min(start + PREPARE_CHUNK, self.split),
                write=self.write,
            )
            if self.child is not None:
                self.child.drain()
            yield chunk
            done += len(chunk)
            if progress is not None:
                progress(done)
        if self.child is not None:
            for part in self.child.results():
                chunk = self._from_child(part)
                yield chunk
                done += len(chunk)
                if progress is not None:
                    progress(done)

    def collect(self, progress: Callable[[int], None] | None = None) -> list["_Row"]:
        rows: list[_Row] = []
        for chunk in self.chunks(progress):
            rows += chunk
        return rows


def child_chunks(start: int, stop: int, size: int) -> list[tuple[int, int]]:
    """[start, stop) as the child's messages: pieces of `size` rows, the last `size` rows in
    halving pieces (size/2, size/4, size/8, size/8). Whatever the child sends last is written
    here while the child has nothing left to do, so that piece should be small."""
    tail_start = max(start, stop - size)
    bounds = [(at, min(at + size, tail_start)) for at in range(start, tail_start, size)]
    at, piece = tail_start, stop - tail_start
    for _ in range(3):
        piece //= 2
        if piece:
            bounds.append((at, at + piece))
            at += piece
    if at < stop:
        bounds.append((at, stop))
    return bounds


def plan_members(
    sheet: Sheet | None,
    *,
    orgs: OrgPlan,
    scope: ImportScope,
    today: dt.date,
    rows: list[_Row] | None = None,
    existing: dict[str, "_Stored"] | None = None,
) -> MemberPlan:
    """The plan for the member sheet; `rows` are its prepared rows (MemberRows), read here when
    not given; `existing` the members already stored under the rows' ID hashes, fetched here
    when not given."""
    planner = MemberPlanner(sheet, orgs=orgs, scope=scope, today=today)
    if sheet is None:
        return planner.plan
    if rows is None:
        rows = prepare_rows(sheet, today=today)
    if existing is None:
        existing = fetch_existing(row.id_hash for row in rows if row.id_hash)
    planner.plan_rows(rows, existing, _duplicates(rows))
    return planner.finish()


class MemberPlanner:
    """The member plan built a chunk of rows at a time (`take`), so that an import can write
    the new members of a chunk while the next ones are being read (see imports.py). The
    per-row decisions are plan_members' own. A chunk-wise plan is exact only while no row has
    an error and no ID number repeats (a repeat is reported on every row that has it, the
    earlier ones too); from the first chunk that breaks this, `exact` is False, `take` only
    records which members exist, and the caller plans the whole file with plan_members
    (passing `existing`) to report every error."""

    def __init__(
        self,
        sheet: Sheet | None,
        *,
        orgs: OrgPlan,
        scope: ImportScope,
        today: dt.date,
        none_stored: bool = False,
    ) -> None:
        """`none_stored`: the caller knows no member is stored (an empty roster, seen inside
        the transaction that will write): nothing to look up."""
        self.none_stored = none_stored
        self.sheet = sheet
        self.orgs = orgs
        self.scope = scope
        self.today = today
        self.plan = MemberPlan()
        self.exact = True
        # The members stored, before this import, under every ID hash taken so far.
        self.existing: dict[str, _Stored] = {}
        self._seen: set[str] = set()
        self._org_by_id: dict[int, Organization] = {}
        self._changed: list[tuple[_Stored, MemberValues, Organization]] = []

    def take(self, rows: list[_Row]) -> None:
        hashes = [row.id_hash for row in rows if row.id_hash]
        fresh = {id_hash for id_hash in hashes if id_hash not in self._seen}
        if len(fresh) != len(hashes):
            self.exact = False  # an ID number repeats
        self._seen.update(fresh)
        found = {} if self.none_stored else fetch_existing(fresh)
        self.existing.update(found)
        if self.exact:
            errors = len(self.plan.errors)
            self.plan_rows(rows, found, {})
            self.exact = len(self.plan.errors) == errors

    def plan_rows(
        self, rows: list[_Row], existing: dict[str, _Stored], duplicates: dict[str, list[int]]
    ) -> None:
        """Decide each row: an error, a new member, unchanged, or a change (planned in
        `finish`). `existing` covers the rows' ID hashes; `duplicates` the file's repeats."""
        assert self.sheet is not None
        sheet, orgs, today, plan = self.sheet, self.orgs, self.today, self.plan
        self._org_by_id.update(_fetch_missing_orgs(existing.values(), orgs, self.scope))
        org_by_id = self._org_by_id
        label = sheet.label
        present = frozenset(sheet.columns)
        complete = present.issuperset(MEMBER_FIELDS)
        by_code = orgs.by_code
        failed_codes = orgs.failed_codes
        closed_codes = orgs.closed_codes
        to_create = plan.to_create
        sheet_name = sheet.name
        changed = self._changed
        writable = {
            code for code in by_code if code not in failed_codes and code not in closed_codes
        }

        for row in rows:
            id_hash = row.id_hash
            code = row.org_code
            if (
                row.ready is not None
                and id_hash not in existing
                and id_hash not in duplicates
                and code in writable
            ):
                # New and clean (prepare_rows builds a row only for a row with no finding)
                # in an organization that takes new members: nothing below could refuse it.
                to_create.append(
                    NewMember(row.values, by_code[code], id_hash, row.ciphertext, row.ready)
                )
                continue
            current = existing.get(id_hash) if existing and id_hash else None
            if complete or current is None:
                values = row.values if row.values is not None else _ready_values(row)
                checked = row.checked
            else:
                values = _values(row.parsed or {}, current, present)
                checked = check_member(values, today=today)
            errors = dict(row.errors) if row.errors else {}
            for key, reason in checked.items():
                errors.setdefault(key, reason)
            if id_hash in duplicates:
                numbers = "、".join(f"第{n}行" for n in duplicates[id_hash])
                errors.setdefault("id_number", f"公民身份号码在文件中重复：{numbers}")
            # The organization (`code` is the row's), inline: it runs per row.
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
            if current is not None:
                current_org = org_by_id[current.organization_id]
                if current_org.code in closed_codes:
                    errors.setdefault(
                        "id_number",
                        f"该党员已在“{current_org.name}”（不在您的管理范围内），不能由您导入或修改",
                    )
            if errors:
                for key, reason in errors.items():
                    plan.errors.append(RowError(sheet_name, row.number, label(key), reason))
                continue
            if org is None:
                continue  # its organization's own row failed; that row carries the error
            if current is None:
                to_create.append(NewMember(values, org, id_hash, row.ciphertext, row.ready))
                continue
            if _unchanged(current, values, org):
                plan.unchanged += 1
                continue
            changed.append((current, values, org))

    def finish(self) -> MemberPlan:
        """The plan, with the changes of existing members worked out (one query per batch)."""
        plan = self.plan
        if self._changed:
            members = _fetch_members(
                [current.pk for current, _, _ in self._changed], self._org_by_id
            )
            for current, values, org in self._changed:
                _plan_update(plan, members[current.pk], values, org)
            self._changed = []
        return plan


def prepare_rows(
    sheet: Sheet,
    *,
    today: dt.date,
    start: int = 0,
    stop: int | None = None,
    write: WriteContext | None = None,
) -> list[_Row]:
    """Rows [start, stop) of the sheet: every cell read into a Python value (with a reason for
    each unreadable one), the keyed hash of the ID number (when it has 18 characters), and the
    values checked by check_member as for a new member. Pure computation, no database: it may
    run in a forked child (MemberRows). Reads column by column (_read_column: each distinct
    text of a column once), the per-cell error handling only for a column that has a bad
    cell. With `write`, a clean row (no finding, an ID hash, an organization code) also gets
    its unsealed member row (_Row.ready), under the key reserved for its position."""
    rows = sheet.rows[start:stop]
    count = len(rows)
    numbers = [number for number, _ in rows]
    row_cells = [cells_ for _, cells_ in rows]
    columns: dict[str, list[Any]] = {}
    cell_errors: dict[int, dict[str, str]] = {}
    cell_error = cells.CellError
    for key, (index, _) in sheet.columns.items():
        read = _converter(key)
        try:
            raw = list(map(operator.itemgetter(index), row_cells))
        except IndexError:  # a short row (CSV)
            raw = [cells_[index] if index < len(cells_) else None for cells_ in row_cells]
        try:
            columns[key] = _read_column(key, read, raw)
        except cell_error:
            column: list[Any] = []
            for position, cell in enumerate(raw):
                try:
                    column.append(read(cell))
                except cell_error as error:
                    column.append(None)
                    cell_errors.setdefault(position, {})[key] = str(error)
            columns[key] = column
    keep_parsed = not frozenset(sheet.columns).issuperset(MEMBER_FIELDS)
    absent = [None] * count
    get = columns.get
    has_id = "id_number" in columns
    normalize = idnumber.normalize
    keyed_hash = fieldcrypto.hasher()
    # The plain text: a Choices member cannot travel as marshal data (MemberRows' child).
    active = MemberStatus.ACTIVE.value
    ids, stamp = (write.ids, write.stamp) if write else ((), None)
    out: list[_Row] = []
    append = out.append
    for position, (
        number,
        name,
        gender,
        ethnicity,
        born,
        id_text,
        joined,
        category,
        phone,
        education,
        confirmed,
        party_post,
        work_post,
        hardship,
        mobile,
        status,
        code,
    ) in enumerate(
        zip(
            numbers,
            get("name") or absent,
            get("gender") or absent,
            get("ethnicity") or absent,
            get("birth_date") or absent,
            get("id_number") or absent,
            get("joined_on") or absent,
            get("category") or absent,
            get("phone") or absent,
            get("education") or absent,
            get("confirmed_on") or absent,
            get("party_post") or absent,
            get("work_post") or absent,
            get("in_hardship") or absent,
            get("is_mobile") or absent,
            get("status") or absent,
            get("org_code") or absent,
            strict=True,
        )
    ):
        # The values of a new member (missing columns empty), spelled out: it runs per row.
        values = MemberValues(
            name=name or "",
            gender=gender or "",
            ethnicity=ethnicity or "",
            birth_date=born,
            id_number=id_text or "",
            joined_on=joined,
            category=category or "",
            phone=phone or "",
            education=education or "",
            confirmed_on=confirmed,
            party_post=party_post or "",
            work_post=work_post or "",
            in_hardship=bool(hardship),
            is_mobile=bool(mobile),
            status=status or active,
        )
        parsed = {key: column[position] for key, column in columns.items()} if keep_parsed else None
        checked = check_member(values, today=today)
        id_hash = ""
        if has_id and id_text:
            # A valid number is normalized by check_member already.
            normalized = normalize(id_text) if "id_number" in checked else values.id_number
            if len(normalized) == 18:
                id_hash = keyed_hash(normalized)
        ready = None
        if write is not None and id_hash and code and not checked and position not in cell_errors:
            ready = member_row(
                ids[start + position],
                values,
                id_hash=id_hash,
                org_code=code,
                stamp=stamp,
            )
        append(
            _Row(
                number,
                parsed,
                cell_errors.get(position),
                id_hash,
                code or "",
                values,
                checked,
                "",
                ready,
            )
        )
    return out


# Columns whose cells of these types read as themselves (see _fast_date, _fast_bool).
_SELF_READING: dict[str, frozenset[type]] = {
    **dict.fromkeys(_DATE_KEYS, frozenset({dt.date, type(None)})),
    **dict.fromkeys(_BOOL_KEYS, frozenset({bool})),
}
# Columns whose text repeats (choices, codes, dates typed as text, yes/no…): each distinct
# cell is read once. Not the ones that differ on every row.
_UNIQUE_KEYS = frozenset({"name", "id_number", "phone"})
_TEXT_TYPES = frozenset({str, type(None)})


def _read_column(key: str, read: Converter, raw: list[cells.Cell]) -> list[Any]:
    """`read` of every cell (raising CellError as it does), a column at a time: each
    distinct text cell read once when the column's text repeats, nothing done for cells
    that read as themselves. (Text and None only: 1 == 1.0 == True would share an answer.)"""
    kinds = set(map(type, raw))
    if kinds <= _SELF_READING.get(key, frozenset()):
        return raw
    if key not in _UNIQUE_KEYS and kinds <= _TEXT_TYPES:
        answers = {cell: read(cell) for cell in set(raw)}
        return list(map(answers.__getitem__, raw))
    return list(map(read, raw))


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


def fetch_existing(hashes: Iterable[str]) -> dict[str, _Stored]:
    """The members already stored under any of `hashes`, as plain tuples of the compared
    fields: a re-import of 100,000 members builds no model instance and decrypts nothing.
    Plain SQL (the ORM's query building costs more than the query on an empty table); both
    drivers return dates and booleans as such (Django registers SQLite's converters)."""
    wanted = sorted(set(hashes))
    found: dict[str, _Stored] = {}
    make = _Stored._make
    quote = connection.ops.quote_name
    meta = Member._meta
    columns = [meta.pk if name == "pk" else meta.get_field(name) for name in _Stored._fields]
    names = ", ".join(quote(str(getattr(column, "column", ""))) for column in columns)
    table = quote(meta.db_table)
    postgresql = connection.vendor == "postgresql"
    batch = ARRAY_LOOKUP_BATCH if postgresql else LOOKUP_BATCH
    if not wanted:
        return found
    # Right after a bulk load (or while an eager import fills the table) PostgreSQL's
    # statistics still say "empty table", and the planner would scan the whole table for
    # every batch; the unique index answers each hash directly. Only inside a transaction
    # (SET LOCAL): in autocommit a pooler could run the SET on another server connection.
    tune = postgresql and connection.in_atomic_block
    with connection.cursor() as cursor:
        if tune:
            cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            for start in range(0, len(wanted), batch):
                chunk = wanted[start : start + batch]
                params: list[Any]
                if postgresql:  # one array parameter
                    where, params = "id_number_hash = ANY(%s)", [chunk]
                else:
                    where, params = f"id_number_hash IN ({', '.join(['%s'] * len(chunk))})", chunk
                cursor.execute(f"SELECT {names} FROM {table} WHERE {where}", params)  # noqa: S608
                for values in cursor.fetchall():
                    stored = make(values)
                    found[stored.id_number_hash] = stored
        finally:
            if tune:
                with contextlib.suppress(DatabaseError):  # an aborted transaction resets it
                    cursor.execute("RESET enable_seqscan")
    return found


def _fetch_missing_orgs(
    members: Iterable[_Stored], orgs: OrgPlan, scope: ImportScope
) -> dict[int, Organization]:
    """Every existing member's current organization by id, one query per batch for those the
    plan does not hold yet."""
    by_id = {org.pk: org for org in orgs.by_code.values() if org.pk is not None}
    missing = sorted({m.organization_id for m in members} - set(by_id))
    for start in range(0, len(missing), LOOKUP_BATCH):
        chunk = missing[start : start + LOOKUP_BATCH]
        for org in Organization.objects.filter(pk__in=chunk):
            by_id[org.pk] = org
            orgs.by_code.setdefault(org.code, org)
            if not scope.edits_members_of(org):
                orgs.closed_codes.add(org.code)
    return by_id


def _fetch_members(pks: list[int], org_by_id: dict[int, Organization]) -> dict[int, Member]:
    """Model instances of the members a row changes (only those), organizations attached."""
    found: dict[int, Member] = {}
    for start in range(0, len(pks), LOOKUP_BATCH):
        for member in Member.objects.filter(pk__in=pks[start : start + LOOKUP_BATCH]):
            member.organization = org_by_id[member.organization_id]
            found[member.pk] = member
    return found


def _ready_values(row: _Row) -> MemberValues:
    """The checked values of a row the child sent as its (unsealed) member row only, needed
    when that member turns out to exist already."""
    assert row.ready is not None
    (_, name, gender, ethnicity, born, id_number, _, phone, education, joined) = row.ready[:10]
    (confirmed, category, _, party_post, work_post, hardship, mobile, status) = row.ready[10:18]
    day = dt.date.fromisoformat
    return MemberValues(
        name=name,
        gender=gender,
        ethnicity=ethnicity,
        birth_date=None if born is None else day(born),
        id_number=id_number,
        joined_on=None if joined is None else day(joined),
        category=category,
        phone=phone,
        education=education,
        confirmed_on=None if confirmed is None else day(confirmed),
        party_post=party_post,
        work_post=work_post,
        in_hardship=hardship,
        is_mobile=mobile,
        status=status,
    )


def _duplicates(rows: list[_Row]) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.id_hash:
            seen[row.id_hash].append(row.number)
    return {key: numbers for key, numbers in seen.items() if len(numbers) > 1}


def _values(
    parsed: dict[str, Any], current: _Stored | None, present: frozenset[str]
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
        status=pick("status", "") or MemberStatus.ACTIVE.value,
    )


def _unchanged(current: _Stored, values: MemberValues, org: Organization) -> bool:
    """True when writing `values` would change nothing (a cheap test; when it says False,
    _plan_update's full diff decides)."""
    if org.pk is None or org.pk != current.organization_id:
        return False
    return current[3:] == _compared_of(values)


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

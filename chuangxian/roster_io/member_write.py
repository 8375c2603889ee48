"""The shapes a new member is written in: its row of the member table, and the "新增" batch
audit event of its organization (audit.services.batch_changes) made from those rows.

The row is built from checked values as driver-ready data (dates as ISO text, no model
instance), possibly in the forked child that read it (member_plan.MemberRows), so that the
process holding the transaction only passes it on. Pure computation: no database.
"""

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chuangxian.audit.services import batch_changes
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.rules import MemberValues
from chuangxian.orgs.services.members import SENSITIVE_FIELDS
from chuangxian.roster_io.bulk_insert import json_text

# Member's columns in the order member_row fills them.
MEMBER_COLUMNS = (
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
# A new member's audited fields (those of member_snapshot) in a batch event's rows; the ID
# number is only recorded as set, the organization once for the batch.
BATCH_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "phone",
    "education",
    "joined_on",
    "confirmed_on",
    "category",
    "party_post",
    "work_post",
    "in_hardship",
    "is_mobile",
    "status",
)
# A batch row ([key, label, value per BATCH_FIELDS field]) out of a member row: a C-level
# projection, so that 100,000 rows cost one pass and one JSON encoding per organization.
_BATCH_ROW = operator.itemgetter(
    *(MEMBER_COLUMNS.index(name) for name in ("id", "name", *BATCH_FIELDS))
)


@dataclass(frozen=True)
class WriteContext:
    """What it takes to build a new member's row before it is known to be new: a key reserved
    for every row of the sheet (by position; a row that turns out not to be new leaves its
    key unused) and the time stamp, as the database driver takes it. `new_only`: no member
    is stored yet, so every clean row will be new (its ID number may be encrypted at once)."""

    ids: Sequence[int]
    stamp: Any
    new_only: bool = False


_ID = MEMBER_COLUMNS.index("id_number_ciphertext")
_ORG = MEMBER_COLUMNS.index("organization_id")


def member_row(
    pk: int, values: MemberValues, *, id_hash: str, org_code: str, stamp: Any
) -> tuple[Any, ...]:
    """The member's row (MEMBER_COLUMNS), dates as ISO text, unfinished: the ID number in
    clear where its ciphertext goes and the organization's code where its key goes, for
    sealed_row to fill in once the member is known to be new (a re-import encrypts nothing).
    It never reaches the database or the audit unsealed."""
    born, joined, confirmed = values.birth_date, values.joined_on, values.confirmed_on
    return (
        pk,
        values.name,
        values.gender,
        values.ethnicity,
        None if born is None else born.isoformat(),
        values.id_number,
        id_hash,
        values.phone,
        values.education,
        None if joined is None else joined.isoformat(),
        None if confirmed is None else confirmed.isoformat(),
        values.category,
        org_code,
        values.party_post,
        values.work_post,
        values.in_hardship,
        values.is_mobile,
        values.status,
        stamp,
        stamp,
    )


def sealed_row(
    row: tuple[Any, ...],
    org_id: int,
    ciphertext: str = "",
    *,
    encrypt: Callable[[str], str] = fieldcrypto.encrypt,
) -> tuple[Any, ...]:
    """The row as stored: the ID number encrypted (unless `ciphertext` is already at hand),
    the organization's key in. (`encrypt`: fieldcrypto.encrypter(), for many rows.)"""
    sealed = ciphertext or encrypt(row[_ID])
    return (*row[:_ID], sealed, *row[_ID + 1 : _ORG], org_id, *row[_ORG + 1 :])


def clear_id_number(row: tuple[Any, ...]) -> str:
    """The ID number of an unsealed row (member_row)."""
    return str(row[_ID])


def batch_json(org_code: str, rows: Sequence[tuple[Any, ...]]) -> str:
    """The `changes` JSON text of the batch event for these new members (member rows) of one
    organization: what diff_fields({}, member_snapshot(member), masked=SENSITIVE_FIELDS)
    says of each, in the shape of audit.services.batch_changes."""
    return json_text(
        batch_changes(
            BATCH_FIELDS,
            map(_BATCH_ROW, rows),
            masked=SENSITIVE_FIELDS,
            common={"organization": org_code},
        )
    )


class BatchJson:
    """batch_json's text built a part at a time: `add` encodes the rows of one write as they
    are written (an import does it while the next rows are still being read), `text` joins
    the parts into exactly what batch_json would give for all the rows added."""

    def __init__(self, org_code: str) -> None:
        self.org_code = org_code
        self.count = 0
        self._parts: list[str] = []

    def add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if rows:
            # A JSON array of the batch rows, without its brackets.
            self._parts.append(json_text([*map(_BATCH_ROW, rows)])[1:-1])
            self.count += len(rows)

    def text(self) -> str:
        head, tail = batch_json(self.org_code, ()).split(_NO_ROWS, 1)
        return f"{head}{_ROWS}[{','.join(self._parts)}]{tail}"


_ROWS = json_text("rows") + ":"
_NO_ROWS = _ROWS + "[]"

"""Reading a roster file (.xlsx, .xls or .csv) into sheets of raw rows under known columns.

Row numbers are the ones the user sees in Excel: 1-based, counting title and banner rows above
the header. python-calamine drops leading empty rows unless asked not to, hence
`skip_empty_area=False` everywhere.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from chuangxian.roster_io.cells import Cell
from chuangxian.roster_io.columns import (
    MEMBER_COLUMNS,
    MEMBER_HEADER_INDEX,
    ORG_COLUMNS,
    ORG_HEADER_INDEX,
    Column,
    normalize_header,
)
from chuangxian.roster_io.parse_child import ParseFailed, parse_workbook
from chuangxian.roster_io.report import RowError
from chuangxian.roster_io.sheet_guard import SpreadsheetRefused, check_xls, check_xlsx

HEADER_SEARCH_ROWS = 10
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

FileFormat = Literal["xlsx", "xls", "csv"]
SheetKind = Literal["org", "member"]


class RosterFileError(ValueError):
    """The file as a whole cannot be read; the message says why, in Chinese."""


@dataclass
class Sheet:
    kind: SheetKind
    name: str
    header_row: int
    # key → (0-based column index, the header as the user wrote it)
    columns: dict[str, tuple[int, str]]
    # (row number as seen in Excel, cells)
    rows: list[tuple[int, Sequence[Cell]]] = field(default_factory=list)

    def label(self, key: str) -> str:
        if key in self.columns:
            return self.columns[key][1]
        table = MEMBER_COLUMNS if self.kind == "member" else ORG_COLUMNS
        return next(column.label for column in table if column.key == key)


@dataclass
class RosterFile:
    file_format: FileFormat
    orgs: Sheet | None = None
    members: Sheet | None = None
    errors: list[RowError] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(len(sheet.rows) for sheet in (self.orgs, self.members) if sheet is not None)


def sniff_format(content: bytes) -> FileFormat:
    """The format from the first bytes, never from the file name alone."""
    if content.startswith(ZIP_MAGIC):
        return "xlsx"
    if content.startswith(OLE_MAGIC):
        return "xls"
    if b"\x00" in content[:4096]:
        raise RosterFileError("文件既不是Excel工作簿，也不是文本格式的CSV")
    decode_text(content)
    return "csv"


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 as saved by Chinese Excel and WPS."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise RosterFileError("CSV文件的编码无法识别，请另存为UTF-8或GB18030（GBK）编码")


def read_sheets(content: bytes) -> tuple[FileFormat, list[tuple[str, Sequence[Sequence[Cell]]]]]:
    """The one way an uploaded spreadsheet is read (roster, dues, study hours, questions): the
    format from the content; an .xlsx's declared sizes checked before parsing (sheet_guard);
    the workbook parsed under a memory limit (parse_child); a CSV decoded and split here (its
    rows take memory in proportion to the upload, which is capped). Raises RosterFileError."""
    file_format = sniff_format(content)
    if file_format == "csv":
        return file_format, [("CSV", list(csv.reader(io.StringIO(decode_text(content)))))]
    try:
        if file_format == "xlsx":
            check_xlsx(content)
        else:
            check_xls(content)
        sheets: list[tuple[str, Sequence[Sequence[Cell]]]] = list(parse_workbook(content))
    except (SpreadsheetRefused, ParseFailed) as error:
        raise RosterFileError(str(error)) from error
    return file_format, sheets


def read_roster(content: bytes) -> RosterFile:
    file_format, sheets = read_sheets(content)
    if file_format == "csv":
        roster = RosterFile(file_format)
        _place(roster, _sheet_from_grid("CSV", sheets[0][1], roster, allow_orgs=False))
        if roster.members is None and not roster.errors:
            raise RosterFileError("CSV文件中没有找到党员表头（至少需要姓名、公民身份号码等列）")
        return roster
    roster = RosterFile(file_format)
    for name, sheet_grid in sheets:
        _place(roster, _sheet_from_grid(name, sheet_grid, roster, allow_orgs=True))
    if roster.orgs is None and roster.members is None and not roster.errors:
        raise RosterFileError("没有找到“党组织”或“党员”工作表的表头，请使用导入模板")
    return roster


def _place(roster: RosterFile, sheet: Sheet | None) -> None:
    if sheet is None:
        return
    if getattr(roster, _attr(sheet.kind)) is not None:
        raise RosterFileError(f"工作簿中有不止一张{_title(sheet.kind)}表，请合并为一张")
    setattr(roster, _attr(sheet.kind), sheet)


def _attr(kind: SheetKind) -> str:
    return "orgs" if kind == "org" else "members"


def _title(kind: SheetKind) -> str:
    return "党组织" if kind == "org" else "党员"


def _sheet_from_grid(
    name: str, grid: Sequence[Sequence[Cell]], roster: RosterFile, *, allow_orgs: bool
) -> Sheet | None:
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        headers = [normalize_header(cell) if cell not in (None, "") else "" for cell in row]
        kind = _kind_of(headers, allow_orgs=allow_orgs)
        if kind is None:
            continue
        table = MEMBER_HEADER_INDEX if kind == "member" else ORG_HEADER_INDEX
        columns = _map_columns(headers, row, table)
        sheet = Sheet(kind=kind, name=name, header_row=index + 1, columns=columns)
        for column in MEMBER_COLUMNS if kind == "member" else ORG_COLUMNS:
            if column.required and column.key not in columns:
                roster.errors.append(
                    RowError(sheet=name, row=index + 1, column=column.label, reason="缺少该列")
                )
        sheet.rows = [
            (number, cells)
            for number, cells in enumerate(grid[index + 1 :], start=index + 2)
            if _has_content(cells)
        ]
        return sheet
    return None


def _has_content(cells: Sequence[Cell]) -> bool:
    """Whether any cell holds something other than spaces. A row of a real roster usually
    starts with a name, so that cell is tried first, then the general test."""
    if cells:
        first = cells[0]
        if type(first) is str and first and not first.isspace():
            return True
    return any(cell not in (None, "") and str(cell).strip() for cell in cells)


def _kind_of(headers: list[str], *, allow_orgs: bool) -> SheetKind | None:
    keys = {MEMBER_HEADER_INDEX[h].key for h in headers if h in MEMBER_HEADER_INDEX}
    if "id_number" in keys and len(keys) >= 3:
        return "member"
    org_keys = {ORG_HEADER_INDEX[h].key for h in headers if h in ORG_HEADER_INDEX}
    if allow_orgs and {"code", "name"} <= org_keys and len(org_keys) >= 3:
        return "org"
    return None


def _map_columns(
    headers: list[str], raw: Sequence[Cell], table: dict[str, Column]
) -> dict[str, tuple[int, str]]:
    columns: dict[str, tuple[int, str]] = {}
    for index, header in enumerate(headers):
        column = table.get(header)
        if column is None:
            continue
        # An exact canonical header wins over an alias that happens to come first.
        if column.key not in columns or header == column.label:
            columns[column.key] = (index, str(raw[index]).strip())
    return columns

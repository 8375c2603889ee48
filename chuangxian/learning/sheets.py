"""Reading an import file (.xlsx / .xls via python-calamine, .csv in UTF-8 or GB18030) into one
table of raw rows under known columns, with the roster importer's helpers: the same format
sniffing, header normalization, cell parsers and `第N行 [列名] 原因` errors.

Row numbers are those the user sees in Excel (1-based, counting any title rows above the
header)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from chuangxian.roster_io.cells import Cell
from chuangxian.roster_io.columns import Column, normalize_header
from chuangxian.roster_io.reader import RosterFileError, read_sheets
from chuangxian.roster_io.report import RowError

HEADER_SEARCH_ROWS = 10

# Who a row is about: the ID number, or the name with the organization's code.
IDENTITY_COLUMNS: tuple[Column, ...] = (
    Column(
        "id_number",
        "公民身份号码",
        ("身份证号", "身份证号码", "身份证", "公民身份证号码", "公民身份证号"),
    ),
    Column("name", "姓名", ("党员姓名",)),
    Column(
        "org_code",
        "所在党组织编码",
        ("组织编码", "所在组织编码", "党组织编码", "所在党支部编码"),
    ),
)


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why, in Chinese."""


@dataclass
class Table:
    sheet: str
    header_row: int
    columns: dict[str, tuple[int, str]]
    labels: dict[str, str]
    rows: list[tuple[int, Sequence[Cell]]] = field(default_factory=list)

    def has(self, key: str) -> bool:
        return key in self.columns

    def label(self, key: str) -> str:
        if key in self.columns:
            return self.columns[key][1]
        return self.labels[key]

    def cell(self, cells: Sequence[Cell], key: str) -> Cell:
        if key not in self.columns:
            return None
        index = self.columns[key][0]
        return cells[index] if index < len(cells) else None

    def error(self, row: int, key: str, reason: str) -> RowError:
        return RowError(sheet=self.sheet, row=row, column=self.label(key), reason=reason)


def read_table(content: bytes, columns: tuple[Column, ...], *, min_known: int = 2) -> Table:
    """The first sheet whose header (within its first rows) names at least `min_known` of the
    columns. Required columns that are missing raise ImportFileError."""
    try:
        grids = _grids(content)
    except RosterFileError as error:
        raise ImportFileError(str(error)) from error
    index = {normalize_header(name): column for column in columns for name in column.names}
    for sheet_name, grid in grids:
        table = _find_header(sheet_name, grid, index, columns, min_known)
        if table is None:
            continue
        missing = [c.label for c in columns if c.required and c.key not in table.columns]
        if missing:
            raise ImportFileError(f"第{table.header_row}行表头缺少列：{'、'.join(missing)}")
        return table
    wanted = "、".join(c.label for c in columns if c.required)
    raise ImportFileError(f"没有找到表头，请使用导入模板（需要的列：{wanted}）")


def _grids(content: bytes) -> list[tuple[str, Sequence[Sequence[Cell]]]]:
    if not content:
        raise ImportFileError("文件是空的")
    return read_sheets(content)[1]


def _find_header(
    sheet_name: str,
    grid: Sequence[Sequence[Cell]],
    index: dict[str, Column],
    columns: tuple[Column, ...],
    min_known: int,
) -> Table | None:
    for number, row in enumerate(grid[:HEADER_SEARCH_ROWS], start=1):
        found: dict[str, tuple[int, str]] = {}
        for position, cell in enumerate(row):
            if cell in (None, ""):
                continue
            header = normalize_header(cell)
            column = index.get(header)
            if column is not None and (column.key not in found or header == column.label):
                found[column.key] = (position, str(cell).strip())
        if len(found) < min_known:
            continue
        table = Table(
            sheet=sheet_name,
            header_row=number,
            columns=found,
            labels={column.key: column.label for column in columns},
        )
        table.rows = [
            (row_number, cells)
            for row_number, cells in enumerate(grid[number:], start=number + 1)
            if any(cell not in (None, "") and str(cell).strip() for cell in cells)
        ]
        return table
    return None

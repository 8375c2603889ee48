"""Writing roster workbooks (the blank template, exports, error reports) with XlsxWriter.

The 公民身份号码 and code columns are formatted as text so that Excel never turns a typed
number into 4.30102199001011E+17; choice columns carry drop-down lists from a hidden sheet.
"""

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from chuangxian.orgs.models import (
    Education,
    Gender,
    MemberCategory,
    MemberStatus,
    OrgKind,
    Sector,
)
from chuangxian.orgs.rules import ETHNIC_GROUPS
from chuangxian.roster_io.columns import (
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    ORG_COLUMNS,
    ORG_SHEET,
    Column,
)
from chuangxian.roster_io.report import RowError
from chuangxian.xlsx import text_workbook

CHOICES_SHEET = "选项"
# Rows given drop-down lists and text format in a blank template.
TEMPLATE_ROWS = 5000
_TEXT_KEYS = frozenset({"code", "parent_code", "org_code", "id_number", "phone"})
_CHOICES: dict[str, list[str]] = {
    "kind": list(OrgKind.values),
    "sector": list(Sector.values),
    "gender": list(Gender.values),
    "ethnicity": ETHNIC_GROUPS,
    "education": list(Education.values),
    "category": list(MemberCategory.values),
    "in_hardship": ["是", "否"],
    "is_mobile": ["是", "否"],
    "status": list(MemberStatus.values),
}


def roster_workbook(
    org_rows: Iterable[Sequence[Any]], member_rows: Iterable[Sequence[Any]]
) -> bytes:
    """The two-sheet workbook; each row lists its values in the order of the sheet's columns."""
    buffer = io.BytesIO()
    book = text_workbook(buffer)
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1}),
        "text": book.add_format({"num_format": "@"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    choice_ranges = _choice_ranges()
    for name, columns, rows in (
        (ORG_SHEET, ORG_COLUMNS, org_rows),
        (MEMBER_SHEET, MEMBER_COLUMNS, member_rows),
    ):
        sheet = book.add_worksheet(name)
        _write_header(sheet, columns, formats, choice_ranges)
        last = 0
        for last, row in enumerate(rows, start=1):
            _write_row(sheet, last, columns, row, formats)
        _validate(sheet, columns, choice_ranges, max(last, TEMPLATE_ROWS))
    _write_choices(book)
    book.close()
    return buffer.getvalue()


def error_workbook(errors: Iterable[RowError]) -> bytes:
    buffer = io.BytesIO()
    book = text_workbook(buffer)
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("错误清单")
    for col, (title, width) in enumerate(
        (("工作表", 10), ("行号", 8), ("列名", 16), ("原因", 80), ("提示", 90))
    ):
        sheet.write_string(0, col, title, bold)
        sheet.set_column(col, col, width)
    for row, error in enumerate(errors, start=1):
        sheet.write_string(row, 0, error.sheet)
        sheet.write_number(row, 1, error.row)
        sheet.write_string(row, 2, error.column)
        sheet.write_string(row, 3, error.reason)
        sheet.write_string(row, 4, str(error))
    book.close()
    return buffer.getvalue()


def _choice_ranges() -> dict[str, str]:
    ranges: dict[str, str] = {}
    for col, (key, options) in enumerate(_CHOICES.items()):
        letter = xl_col_to_name(col)
        ranges[key] = f"={CHOICES_SHEET}!${letter}$2:${letter}${len(options) + 1}"
    return ranges


def _write_choices(book: xlsxwriter.Workbook) -> None:
    """The lists behind the drop-downs, on a hidden last sheet."""
    sheet = book.add_worksheet(CHOICES_SHEET)
    for col, (key, options) in enumerate(_CHOICES.items()):
        sheet.write_string(0, col, key)
        for row, option in enumerate(options, start=1):
            sheet.write_string(row, col, option)
    sheet.hide()


def _write_header(
    sheet: Worksheet, columns: tuple[Column, ...], formats: dict[str, Any], choices: dict[str, str]
) -> None:
    for col, column in enumerate(columns):
        sheet.write_string(0, col, column.label, formats["header"])
        cell_format = formats["text"] if column.key in _TEXT_KEYS else None
        if column.is_date:
            cell_format = formats["date"]
        sheet.set_column(col, col, column.width, cell_format)
        if column.required:
            sheet.write_comment(0, col, "必填")
    sheet.freeze_panes(1, 0)


def _write_row(
    sheet: Worksheet,
    row: int,
    columns: tuple[Column, ...],
    values: Sequence[Any],
    formats: dict[str, Any],
) -> None:
    for col, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            sheet.write_string(row, col, "是" if value else "否")
        elif isinstance(value, dt.date):
            sheet.write_datetime(
                row, col, dt.datetime(value.year, value.month, value.day), formats["date"]
            )
        elif columns[col].key in _TEXT_KEYS:
            sheet.write_string(row, col, str(value), formats["text"])
        else:
            sheet.write_string(row, col, str(value))


def _validate(
    sheet: Worksheet, columns: tuple[Column, ...], choices: dict[str, str], last_row: int
) -> None:
    for col, column in enumerate(columns):
        if column.key in choices:
            sheet.data_validation(
                1,
                col,
                last_row,
                col,
                {
                    "validate": "list",
                    "source": choices[column.key],
                    "error_title": column.label,
                    "error_message": "请从下拉列表中选择",
                    "error_type": "warning",
                },
            )

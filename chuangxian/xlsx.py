"""Every spreadsheet the product writes is made with `text_workbook`: text stays text.

xlsxwriter's write(), write_row() and write_column() turn a string that starts with "=" into a
formula (unless the option strings_to_formulas is off), one shaped "{=…}" into an array formula
even when it is off, and one that looks like a link into a live hyperlink. An organization named
=HYPERLINK("http://…"&B2,"点此查看") in an imported roster would come out of an export as a live
formula. In a `text_workbook` every string goes into its cell as a string, whichever write
method is used; a formula exists only where code calls write_formula() on purpose (none does,
and none may with user data)."""

from typing import IO, Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

# Options that turn strings into something else, forced off whatever a caller passes.
_TEXT_ONLY = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


class TextWorksheet(Worksheet):  # type: ignore[misc]  # xlsxwriter is untyped
    def _write_token_as_string(self, token: str, row: int, col: int, *args: Any) -> Any:
        if token == "":
            return self._write_blank(row, col, *args)
        return self._write_string(row, col, *args)


class TextWorkbook(xlsxwriter.Workbook):  # type: ignore[misc]
    worksheet_class = TextWorksheet


def text_workbook(target: IO[bytes] | str, options: dict[str, Any] | None = None) -> TextWorkbook:
    """A workbook written in memory (unless `options` say otherwise) whose string cells are
    always text."""
    return TextWorkbook(target, {"in_memory": True, **(options or {}), **_TEXT_ONLY})

"""Turning one spreadsheet cell into a Python value, with a Chinese reason when it cannot be.

Cells arrive from python-calamine as str, int, float, bool, date or datetime; CSV cells are
always str. Every parser here accepts all of these.
"""

import datetime as dt
import re
import unicodedata

from chuangxian.orgs.models import Education, MemberCategory, MemberStatus

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None


class CellError(ValueError):
    """The cell cannot be read; the message is the reason shown to the user."""


_SPACES = " \t\r\n\u3000\xa0"
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_DIGITS = re.compile(r"^\d+$")

TRUE_WORDS = frozenset({"是", "Y", "YES", "TRUE", "1", "√"})
FALSE_WORDS = frozenset({"否", "N", "NO", "FALSE", "0", "×", ""})
EDUCATION_ALIASES: dict[str, str] = {
    "博士": Education.DOCTORATE,
    "研究生(博士)": Education.DOCTORATE,
    "硕士": Education.MASTER,
    "研究生": Education.MASTER,
    "本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "大专": Education.JUNIOR_COLLEGE,
    "专科": Education.JUNIOR_COLLEGE,
    "中专": Education.SECONDARY_VOCATIONAL,
    "中技": Education.SECONDARY_VOCATIONAL,
    "职高": Education.HIGH_SCHOOL,
    "小学": Education.PRIMARY,
}
CATEGORY_ALIASES: dict[str, str] = {
    "正式": MemberCategory.FULL,
    "预备": MemberCategory.PROBATIONARY,
}
STATUS_ALIASES: dict[str, str] = {"正常": MemberStatus.ACTIVE}


def free_text(cell: Cell) -> str:
    """Names and posts: the text as typed, without surrounding (also full-width) spaces.

    No NFKC here: a full-width bracket typed into a form must survive export → import."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip(_SPACES)


def code_text(cell: Cell) -> str:
    """Codes and choices: full-width characters folded to half-width, every space removed."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return "".join(unicodedata.normalize("NFKC", str(cell)).split())


def id_number_text(cell: Cell) -> str:
    """The ID number as text; refuses a cell Excel has turned into a number."""
    if isinstance(cell, bool):
        raise CellError("应为18位文本")
    if isinstance(cell, (int, float)):
        raise CellError(
            "被Excel存成了数字，后几位已丢失精度；请把该列设置为“文本”格式后重新录入号码"
        )
    text = code_text(cell)
    if _SCIENTIFIC.match(text):
        raise CellError(
            f"“{text}”是科学计数法，Excel已把号码存成数字并丢失了精度；"
            "请把该列设置为“文本”格式后重新录入号码"
        )
    return text


def date_value(cell: Cell) -> dt.date | None:
    """A date from a date cell or from text: 2020-07-01, 2020/7/1, 2020.07.01, 2020年7月1日,
    20200701, or 202007 / 2020-07 / 2020年7月 (the first of that month)."""
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, (int, float)):
        if isinstance(cell, float) and not cell.is_integer():
            raise CellError(f"“{cell}”不是日期")
        text = str(int(cell))
    else:
        text = code_text(cell)
    if not text:
        return None
    year, month, day = _date_parts(text)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"“{text}”不是真实存在的日期")


def _date_parts(text: str) -> tuple[int, int, int]:
    if match := _YMD.match(text):
        return int(match[1]), int(match[2]), int(match[3])
    if match := _YM.match(text):
        return int(match[1]), int(match[2]), 1
    if _DIGITS.match(text):
        if len(text) == 8:
            return int(text[:4]), int(text[4:6]), int(text[6:])
        if len(text) == 6:
            return int(text[:4]), int(text[4:]), 1
    raise CellError(f"“{text}”不是可识别的日期（如 2020-07-01、2020年7月1日、202007）")


def bool_value(cell: Cell) -> bool:
    if isinstance(cell, bool):
        return cell
    text = code_text(cell).upper()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError("应为“是”或“否”")


def choice_text(cell: Cell, aliases: dict[str, str]) -> str:
    text = code_text(cell)
    return str(aliases.get(text, text))

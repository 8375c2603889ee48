"""Building roster files for the tests, with openpyxl (not the code under test) and csv."""

import csv
import datetime as dt
import io
import itertools
from typing import Any

import openpyxl

from tests.factories import make_id_number

_serial = itertools.count(500)

ORG_HEADER = ["组织编码", "组织名称", "上级组织编码", "组织类别", "所属领域", "成立日期"]
MEMBER_HEADER = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "手机号码",
    "学历",
    "入党日期",
    "转正日期",
    "人员类别",
    "所在党组织编码",
    "党内职务",
    "工作单位及职务",
    "困难党员",
    "流动党员",
    "党籍状态",
]


def member(org_code: str = "A1", **overrides: Any) -> dict[str, Any]:
    """A valid member row as {header: value}."""
    born = overrides.pop("born", dt.date(1985, 3, 9))
    row: dict[str, Any] = {
        "姓名": "测试党员",
        "性别": "男",
        "民族": "汉族",
        "出生日期": born.isoformat(),
        "公民身份号码": make_id_number(born, next(_serial)),
        "手机号码": "13800138000",
        "学历": "大学本科",
        "入党日期": "2010-07-01",
        "转正日期": "2011-07-01",
        "人员类别": "正式党员",
        "所在党组织编码": org_code,
        "党内职务": "",
        "工作单位及职务": "某村村民",
        "困难党员": "否",
        "流动党员": "否",
        "党籍状态": "在册",
    }
    row.update(overrides)
    return row


def org(code: str, parent: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "组织编码": code,
        "组织名称": f"{code}党支部",
        "上级组织编码": parent,
        "组织类别": "党支部",
        "所属领域": "农村",
        "成立日期": "2000-01-01",
    }
    row.update(overrides)
    return row


def as_grid(header: list[str], rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [header] + [[row.get(name, "") for name in header] for row in rows]


def xlsx(
    *,
    orgs: list[dict[str, Any]] | None = None,
    members: list[dict[str, Any]] | None = None,
    banner_rows: int = 0,
    member_header: list[str] = MEMBER_HEADER,
) -> bytes:
    """A workbook with the 党组织 and/or 党员 sheet; `banner_rows` merged title rows above
    each header, like the rosters counties actually keep."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, header, rows in (
        ("党组织", ORG_HEADER, orgs),
        ("党员", member_header, members),
    ):
        if rows is None:
            continue
        sheet = book.create_sheet(title)
        for index in range(banner_rows):
            sheet.cell(row=index + 1, column=1, value=f"{title}花名册（标题第{index + 1}行）")
            sheet.merge_cells(start_row=index + 1, start_column=1, end_row=index + 1, end_column=6)
        for r, values in enumerate(as_grid(header, rows), start=banner_rows + 1):
            for c, value in enumerate(values, start=1):
                if value not in ("", None):
                    sheet.cell(row=r, column=c, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_file(members: list[dict[str, Any]], *, encoding: str = "utf-8-sig", header=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in as_grid(header or MEMBER_HEADER, members):
        writer.writerow(values)
    return buffer.getvalue().encode(encoding)

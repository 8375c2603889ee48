"""Excel files of the dues pages: the monthly statement and the import template."""

import datetime as dt
import io
from collections.abc import Sequence

from chuangxian.dues.importing import COLUMNS
from chuangxian.dues.ledger import DuesTotals, MemberMonth
from chuangxian.dues.months import label
from chuangxian.orgs.models import Organization
from chuangxian.xlsx import text_workbook

TOTAL_HEADERS = (
    "党组织",
    "在册党员",
    "应交人数",
    "未核定",
    "应交（元）",
    "实交（元）",
    "欠缴（元）",
    "多交（元）",
    "已交人数",
    "未交人数",
)


def _total_cells(name: str, totals: DuesTotals) -> list[object]:
    return [
        name,
        totals.members,
        totals.owing,
        totals.unassessed,
        totals.due,
        totals.paid,
        totals.arrears,
        totals.overpaid,
        totals.paid_members,
        totals.unpaid_members,
    ]


def statement_workbook(
    *,
    org: Organization,
    month: dt.date,
    total: DuesTotals,
    children: Sequence[tuple[Organization, DuesTotals]],
    rows: Sequence[MemberMonth],
) -> bytes:
    buffer = io.BytesIO()
    book = text_workbook(buffer)
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "0.00"})
    title = book.add_format({"bold": True, "font_size": 14})
    sheet = book.add_worksheet("汇总")
    sheet.write_string(0, 0, f"{org.name} {label(month)} 党费收缴情况", title)
    for col, header in enumerate(TOTAL_HEADERS):
        sheet.write_string(2, col, header, bold)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, len(TOTAL_HEADERS) - 1, 11)
    lines = [_total_cells(f"{org.name}（合计）", total)]
    lines += [_total_cells(child.name, totals) for child, totals in children]
    for row, cells in enumerate(lines, start=3):
        for col, value in enumerate(cells):
            if col in (4, 5, 6, 7):
                sheet.write_number(row, col, float(value), money)  # type: ignore[arg-type]
            elif isinstance(value, int):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value))
    members = book.add_worksheet("党员明细")
    for col, header in enumerate(("姓名", "应交（元）", "实交（元）", "差额（元）", "状态")):
        members.write_string(0, col, header, bold)
    members.set_column(0, 0, 12)
    members.set_column(1, 4, 12)
    for row, item in enumerate(rows, start=1):
        line = item.line
        members.write_string(row, 0, item.name)
        if line.due is not None:
            members.write_number(row, 1, float(line.due), money)
        else:
            members.write_string(row, 1, "未核定")
        members.write_number(row, 2, float(line.paid), money)
        if line.difference is not None:
            members.write_number(row, 3, float(line.difference), money)
        members.write_string(row, 4, line.state_label)
    book.close()
    return buffer.getvalue()


def import_template() -> bytes:
    buffer = io.BytesIO()
    book = text_workbook(buffer)
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("党费")
    for col, column in enumerate(COLUMNS):
        sheet.write_string(0, col, column.label, bold)
        sheet.set_column(col, col, 21 if column.key == "id_number" else 14, text)
    notes = book.add_worksheet("说明")
    for row, line in enumerate(
        (
            "每行一笔缴费。公民身份号码，或“姓名”加“所在党组织编码”，用于找到党员。",
            "所属月份：202601、2026-01，或一段月份如 202601-202603（一笔可交多个月）。",
            "金额单位为元，最多两位小数；缴纳日期如 2026-03-20。",
            "缴纳方式：现金、微信、支付宝、银行转账、工资代扣、其他（可不填）。",
            "只要有一行出错，整个文件都不会写入；错误按“第N行 [列名] 原因”列出。",
            "金额与按规定应交不符时只提示，不阻止导入（自愿多交、补交少缴都允许）。",
        )
    ):
        notes.write_string(row, 0, line)
    notes.set_column(0, 0, 90)
    book.close()
    return buffer.getvalue()

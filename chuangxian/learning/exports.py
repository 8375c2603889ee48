"""The ledger as an Excel workbook (XlsxWriter)."""

import io
from collections.abc import Iterable

from chuangxian.learning.figures import MemberStudy
from chuangxian.learning.models import StudySource
from chuangxian.xlsx import text_workbook

HEADERS = (
    "姓名",
    "所在党组织",
    "党内职务",
    "组织生活学时",
    "网络课程学时",
    "线下培训学时",
    "合计学时",
    "年度要求",
    "完成率",
    "是否达标",
    "学习强国积分",
)


def ledger_workbook(title: str, rows: Iterable[MemberStudy], org_names: dict[int, str]) -> bytes:
    buffer = io.BytesIO()
    book = text_workbook(buffer)
    bold = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    hours = book.add_format({"num_format": "0.0"})
    percent = book.add_format({"num_format": "0%"})
    sheet = book.add_worksheet("学时台账")
    sheet.write(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
    for column, header in enumerate(HEADERS):
        sheet.write(1, column, header, bold)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 10, 12)
    for number, row in enumerate(rows, start=2):
        sheet.write_string(number, 0, row.name)
        sheet.write_string(number, 1, org_names.get(row.organization_id, ""))
        sheet.write_string(number, 2, row.party_post)
        for offset, source in enumerate(StudySource.values):
            sheet.write_number(number, 3 + offset, float(row.by_source.get(source, 0)), hours)
        sheet.write_number(number, 6, float(row.hours), hours)
        sheet.write_number(number, 7, row.requirement)
        sheet.write_number(number, 8, row.progress, percent)
        sheet.write_string(number, 9, "是" if row.met else "否")
        sheet.write_number(number, 10, row.points)
    sheet.freeze_panes(2, 1)
    book.close()
    return buffer.getvalue()

"""Regenerates members.xls (legacy Excel 97-2003) for test_reader; needs `pip install xlwt`,
which the project itself does not depend on: `python tests/roster_io/data/make_xls.py`."""

import datetime as dt
from pathlib import Path

import xlwt  # type: ignore[import-not-found]

HEADER = ["姓名", "性别", "民族", "身份证号", "联系电话", "入党日期", "转正日期", "人员类别"]
HEADER += ["所在党组织编码"]


def main() -> None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("党员")
    sheet.write_merge(0, 0, 0, 8, "某镇党员花名册")
    for col, title in enumerate(HEADER):
        sheet.write(1, col, title)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    rows = [
        ["王小明", "男", "汉族", "430102198503090015", "13800138000"],
        ["李小红", "女", "汉", 430102198503090000.0, "13800138001"],
    ]
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values):
            sheet.write(r, col, value)
        sheet.write(r, 5, dt.datetime(2010, 7, 1), date_style)
        sheet.write(r, 6, "2011年7月1日")
        sheet.write(r, 7, "正式党员")
        sheet.write(r, 8, "A1")
    book.save(str(Path(__file__).with_name("members.xls")))


if __name__ == "__main__":
    main()

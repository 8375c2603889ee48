"""Blank import templates: the headers each importer reads, with text-formatted code columns."""

import io

from chuangxian.xlsx import text_workbook

OFFLINE_HEADERS = ("公民身份号码", "姓名", "所在党组织编码", "培训名称", "日期", "学时")
XUEXI_HEADERS = ("公民身份号码", "姓名", "所在党组织编码", "学习积分", "年度")
QUESTION_HEADERS = (
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "选项E",
    "答案",
    "标签",
    "解析",
)
TEMPLATES = {
    "offline": (
        "线下培训学时",
        OFFLINE_HEADERS,
        "（公民身份号码，或姓名+所在党组织编码；学时可填 4、2.5、半天、全天）",
    ),
    "xuexi": ("学习强国积分", XUEXI_HEADERS, "（公民身份号码，或姓名+所在党组织编码；年度可不填）"),
    "questions": ("试题", QUESTION_HEADERS, "（题型：单选题/多选题/判断题；答案如 B、ACD、正确）"),
}


def template_workbook(kind: str) -> bytes:
    title, headers, note = TEMPLATES[kind]
    buffer = io.BytesIO()
    book = text_workbook(buffer)
    bold = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(title)
    sheet.write(0, 0, f"{title}导入模板{note}")
    for column, header in enumerate(headers):
        sheet.write(1, column, header, bold)
        sheet.set_column(
            column, column, 22 if header in ("公民身份号码", "题干", "培训名称") else 14, text
        )
    book.close()
    return buffer.getvalue()

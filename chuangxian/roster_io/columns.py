"""The roster template's columns: their canonical Chinese headers and the aliases people use.

The same definitions drive the template, the export and the reader, so a file the system writes
is always a file it reads back.
"""

import unicodedata
from dataclasses import dataclass

ORG_SHEET = "党组织"
MEMBER_SHEET = "党员"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 14
    # The column holds a date; the template formats it and the reader parses it.
    is_date: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


ORG_COLUMNS: tuple[Column, ...] = (
    Column("code", "组织编码", ("党组织编码", "编码", "组织代码"), required=True),
    Column("name", "组织名称", ("党组织名称", "名称"), required=True, width=30),
    Column("parent_code", "上级组织编码", ("上级党组织编码", "上级编码", "上级组织代码")),
    Column("kind", "组织类别", ("党组织类别", "类别", "组织类型"), required=True),
    Column("sector", "所属领域", ("领域", "行业领域"), required=True),
    Column("established_on", "成立日期", ("建立日期", "成立时间"), is_date=True),
    Column("term_started_on", "本届开始日期", ("换届日期", "本届起始日期"), is_date=True),
    Column("term_ends_on", "本届届满日期", ("届满日期", "任期届满日期"), is_date=True),
)

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("党员姓名",), required=True, width=10),
    Column("gender", "性别", (), required=True, width=6),
    Column("ethnicity", "民族", (), required=True, width=8),
    Column("birth_date", "出生日期", ("出生年月", "出生年月日"), is_date=True, width=12),
    Column(
        "id_number",
        "公民身份号码",
        ("身份证号", "身份证号码", "身份证", "公民身份证号码", "公民身份证号"),
        required=True,
        width=21,
    ),
    Column("phone", "手机号码", ("手机", "手机号", "联系电话", "联系方式", "电话"), width=13),
    Column("education", "学历", ("文化程度",), width=12),
    Column("joined_on", "入党日期", ("入党时间",), required=True, is_date=True, width=12),
    Column("confirmed_on", "转正日期", ("转正时间",), is_date=True, width=12),
    Column("category", "人员类别", ("党员类别", "党员类型"), required=True, width=10),
    Column(
        "org_code",
        "所在党组织编码",
        ("组织编码", "所在组织编码", "党组织编码", "所在党支部编码"),
        required=True,
        width=16,
    ),
    Column("party_post", "党内职务", (), width=12),
    Column("work_post", "工作单位及职务", ("工作单位", "单位及职务"), width=24),
    Column("in_hardship", "困难党员", ("是否困难党员", "困难党员(是/否)"), width=9),
    Column("is_mobile", "流动党员", ("是否流动党员", "流动党员(是/否)"), width=9),
    Column("status", "党籍状态", ("状态",), width=9),
)


def normalize_header(text: object) -> str:
    """Headers compare after NFKC (full-width → half-width) with every space removed."""
    value = unicodedata.normalize("NFKC", str(text))
    return "".join(value.split())


def _alias_index(columns: tuple[Column, ...]) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in columns:
        for name in column.names:
            index.setdefault(normalize_header(name), column)
    return index


ORG_HEADER_INDEX = _alias_index(ORG_COLUMNS)
MEMBER_HEADER_INDEX = _alias_index(MEMBER_COLUMNS)

import datetime as dt
from pathlib import Path

import pytest

from chuangxian.roster_io import cells
from chuangxian.roster_io.reader import RosterFileError, read_roster, sniff_format
from tests.roster_io import files

DATA = Path(__file__).with_name("data")


@pytest.mark.parametrize(
    "raw",
    [
        "2020-07-01",
        "2020/7/1",
        "2020.07.01",
        "2020年7月1日",
        "20200701",
        20200701,
        20200701.0,
        " ２０２０－０７－０１ ",
        dt.date(2020, 7, 1),
        dt.datetime(2020, 7, 1, 0, 0),
    ],
)
def test_dates_in_every_accepted_form(raw: cells.Cell) -> None:
    assert cells.date_value(raw) == dt.date(2020, 7, 1)


@pytest.mark.parametrize("raw", ["202007", 202007, "2020-07", "2020年7月"])
def test_year_month_means_first_of_month(raw: cells.Cell) -> None:
    assert cells.date_value(raw) == dt.date(2020, 7, 1)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2020-02-30", "不是真实存在的日期"),
        ("2020-13", "不是真实存在的日期"),
        ("去年", "不是可识别"),
    ],
)
def test_impossible_or_unreadable_dates(raw: str, reason: str) -> None:
    with pytest.raises(cells.CellError, match=reason):
        cells.date_value(raw)


def test_empty_date_is_none() -> None:
    assert cells.date_value("") is None
    assert cells.date_value(None) is None


@pytest.mark.parametrize("raw", [4.30102199001011e17, 430102199001011234, "4.30102199001011E+17"])
def test_id_number_turned_into_a_number_is_refused(raw: cells.Cell) -> None:
    with pytest.raises(cells.CellError, match="文本"):
        cells.id_number_text(raw)


def test_id_number_text_folds_full_width() -> None:
    assert cells.id_number_text("４３０１０２１９９００１０１１２３ｘ") == "43010219900101123x"


def test_free_text_keeps_full_width_brackets_but_strips_spaces() -> None:
    assert cells.free_text("\u3000某公司（总经理） ") == "某公司（总经理）"


def test_header_row_found_below_banner_rows_and_rows_numbered_as_in_excel() -> None:
    content = files.xlsx(
        orgs=[files.org("X1", "A")], members=[files.member(), files.member()], banner_rows=3
    )
    roster = read_roster(content)
    assert roster.orgs is not None and roster.members is not None
    assert roster.orgs.header_row == 4
    assert [number for number, _ in roster.orgs.rows] == [5]
    assert [number for number, _ in roster.members.rows] == [5, 6]


def test_leading_empty_rows_count_in_row_numbers() -> None:
    # No banner text at all: calamine would skip these rows unless told not to.
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "党员"
    grid = files.as_grid(files.MEMBER_HEADER, [files.member()])
    for r, values in enumerate(grid, start=3):
        for c, value in enumerate(values, start=2):
            sheet.cell(row=r, column=c, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    roster = read_roster(buffer.getvalue())
    assert roster.members is not None
    assert roster.members.header_row == 3
    assert [number for number, _ in roster.members.rows] == [4]


def test_aliases_full_width_headers_and_trailing_empty_rows() -> None:
    header = ["姓名", "性别", "民族", "身份证号", "手机", "入党时间", "人员类别", "组织编码"]
    header[0] = "　姓 名 "
    rows = [files.member(**{"身份证号": files.member()["公民身份号码"], "手机": "13800138000"})]
    rows[0]["　姓 名 "] = "张三"
    rows[0]["入党时间"] = "2010-07-01"
    rows[0]["组织编码"] = "A1"
    content = files.xlsx(members=[*rows, {}, {}], member_header=header)
    roster = read_roster(content)
    sheet = roster.members
    assert sheet is not None
    assert set(sheet.columns) == {
        "name",
        "gender",
        "ethnicity",
        "id_number",
        "phone",
        "joined_on",
        "category",
        "org_code",
    }
    assert sheet.label("id_number") == "身份证号"
    assert len(sheet.rows) == 1


def test_missing_required_column_reported_at_header_row() -> None:
    header = [h for h in files.MEMBER_HEADER if h != "入党日期"]
    roster = read_roster(files.xlsx(members=[files.member()], member_header=header, banner_rows=1))
    assert [str(e) for e in roster.errors] == ["第2行 [入党日期] 缺少该列"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_encoding(encoding: str) -> None:
    content = files.csv_file([files.member(姓名="欧阳娜娜")], encoding=encoding)
    roster = read_roster(content)
    assert roster.file_format == "csv"
    assert roster.members is not None and roster.orgs is None
    number, row = roster.members.rows[0]
    assert number == 2
    assert row[0] == "欧阳娜娜"


def test_csv_with_organization_header_only_is_refused() -> None:
    content = "组织编码,组织名称,上级组织编码,组织类别\nX,某支部,A,党支部\n".encode()
    with pytest.raises(RosterFileError, match="党员"):
        read_roster(content)


def test_binary_garbage_is_refused() -> None:
    with pytest.raises(RosterFileError):
        sniff_format(b"\x00\x01\x02garbage")


def test_legacy_xls_is_read_with_banner_row() -> None:
    roster = read_roster((DATA / "members.xls").read_bytes())
    assert roster.file_format == "xls"
    assert roster.members is not None
    assert roster.members.header_row == 2
    assert [number for number, _ in roster.members.rows] == [3, 4]

"""Uploads that cannot hurt: the issue's two attacks (a 1.5 KB .xlsx with one cell at XFD1048576;
a 2 MB zip that expands to 2 GB) refused by every spreadsheet reader, with a Chinese message,
without this process growing."""

import datetime as dt
import io
import pickle
import resource
import struct
import subprocess
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chuangxian.dues.importing import plan_payments
from chuangxian.learning.services.imports import OFFLINE_COLUMNS
from chuangxian.learning.sheets import ImportFileError, read_table
from chuangxian.roster_io.parse_child import ParseFailed, _CellUnpickler, parse_workbook
from chuangxian.roster_io.reader import RosterFileError, read_roster, read_sheets
from chuangxian.roster_io.sheet_guard import (
    SpreadsheetRefused,
    check_xls,
    check_xlsx,
    column_number,
)
from tests.roster_io import files
from tests.roster_io.test_cells_and_reader import DATA

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/'
    'workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="党员" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
    'sheet1.xml"/></Relationships>'
)
GIB = 1024 * 1024 * 1024


def _package(sheet_xml: bytes | None, extra: tuple[str, int] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        if sheet_xml is not None:
            archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if extra is not None:
            name, size = extra
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            _write_zeros(archive, info, size)
    return out.getvalue()


def _write_zeros(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int) -> None:
    """A member of `size` zero bytes, deflated without deflating them all: after a full flush
    the compressor starts afresh, so each megabyte compresses to the same bytes, computed once
    and repeated (the CRC is computed over all of them, as a reader checks it)."""
    block = b"\0" * (1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated_block = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()
    count = size // len(block)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    info.CRC = crc
    info.file_size = count * len(block)
    info.compress_size = count * len(deflated_block) + len(tail)
    # ZipFile.open(..., "w") would deflate the data itself; write the member's parts by hand.
    archive.fp.seek(archive.start_dir)  # type: ignore[union-attr]
    info.header_offset = archive.start_dir
    info.flag_bits = 0
    archive.fp.write(info.FileHeader(zip64=False))  # type: ignore[union-attr]
    for _ in range(count):
        archive.fp.write(deflated_block)  # type: ignore[union-attr]
    archive.fp.write(tail)  # type: ignore[union-attr]
    archive.start_dir = archive.fp.tell()  # type: ignore[union-attr]
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info


def far_cell_xlsx(*, declare: bool) -> bytes:
    """The issue's first attack: a valid workbook with a cell at A1 and one at XFD1048576,
    with (declare=True) or without a <dimension> saying so."""
    dimension = '<dimension ref="A1:XFD1048576"/>' if declare else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        f'.org/spreadsheetml/2006/main">{dimension}<sheetData><row r="1"><c r="A1" t="inlineStr">'
        '<is><t>姓名</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x'
        "</t></is></c></row></sheetData></worksheet>"
    )
    return _package(sheet.encode())


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """The issue's second attack: about 2 MB that expand to 2 GB."""
    return _package(None, extra=("xl/worksheets/sheet1.xml", 2 * GIB))


def _grown_by(before: int) -> int:
    """How much this process's peak resident size grew, in bytes."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_a_declared_far_cell_is_refused_before_parsing() -> None:
    content = far_cell_xlsx(declare=True)
    assert len(content) < 2000
    with pytest.raises(SpreadsheetRefused, match="XFD1048576") as refused:
        check_xlsx(content)
    assert "1048576行×16384列" in str(refused.value)


@pytest.mark.django_db
def test_an_undeclared_far_cell_is_stopped_by_the_memory_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MEMORY_LIMIT_MB = 512
    content = far_cell_xlsx(declare=False)
    check_xlsx(content)  # it declares nothing: only parsing finds the far cell
    before = _peak()
    with pytest.raises(ParseFailed, match="内存上限（512MB）"):
        parse_workbook(content)
    assert _grown_by(before) < 100 * 1024 * 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert child_peak < 600 * 1024 * 1024


def test_the_zip_bomb_is_refused_by_its_declared_sizes(zip_bomb: bytes) -> None:
    assert len(zip_bomb) < 3 * 1024 * 1024
    before = _peak()
    with pytest.raises(SpreadsheetRefused, match="压缩"):
        check_xlsx(zip_bomb)
    assert _grown_by(before) < 50 * 1024 * 1024


def test_a_compression_ratio_alone_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    """A member within the size limits that compresses 1,000 times is refused too."""
    content = _package(None, extra=("xl/media/padding.bin", 8 * 1024 * 1024))
    with pytest.raises(SpreadsheetRefused, match="压缩比异常"):
        check_xlsx(content)


def test_size_limits_follow_the_upload_cap(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROSTER_UPLOAD_MAX_BYTES = 100 * 1024
    sheet = b"<worksheet><sheetData>" + b"<row/>" * 400_000 + b"</sheetData></worksheet>"
    with pytest.raises(SpreadsheetRefused, match="超过上限"):
        check_xlsx(_package(sheet))


@pytest.mark.django_db
@pytest.mark.parametrize("declare", [True, False])
def test_every_reader_refuses_both_attacks(settings, declare: bool, zip_bomb: bytes) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MEMORY_LIMIT_MB = 512
    for content in (far_cell_xlsx(declare=declare), zip_bomb):
        with pytest.raises(RosterFileError) as roster_refusal:
            read_roster(content)
        assert any(word in str(roster_refusal.value) for word in ("上限", "压缩"))
        with pytest.raises(RosterFileError):
            plan_payments(content, user=None, today=dt.date(2026, 1, 1))
        with pytest.raises(ImportFileError):
            read_table(content, OFFLINE_COLUMNS)


@pytest.mark.django_db
def test_an_honest_workbook_reads_the_same_through_the_child() -> None:
    content = files.xlsx(members=[files.member("A1"), files.member("A1", 姓名="李四")])
    file_format, sheets = read_sheets(content)
    assert file_format == "xlsx"
    names = [row[0] for name, grid in sheets if name == "党员" for row in grid[1:]]
    assert names == ["测试党员", "李四"]


def test_column_letters() -> None:
    assert [column_number(c) for c in ("A", "Z", "AA", "XFD")] == [1, 26, 27, 16384]


def _xls_declaring(rows: int, columns: int) -> bytes:
    """members.xls with its sheet's DIMENSIONS record rewritten in place."""
    content = bytearray((DATA / "members.xls").read_bytes())
    record = bytes(content).find(b"\x00\x02\x0e\x00" + struct.pack("<IIHH", 0, 4, 0, 9))
    assert record > 0
    struct.pack_into("<IIHH", content, record + 4, 0, rows, 0, columns)
    return bytes(content)


def test_an_xls_declaring_a_huge_sheet_is_refused_before_parsing() -> None:
    check_xls((DATA / "members.xls").read_bytes())
    check_xls(_xls_declaring(65536, 256))  # the most BIFF8 Excel writes: 16.8 million cells
    with pytest.raises(SpreadsheetRefused, match="1048576行×16384列"):
        check_xls(_xls_declaring(1048576, 16384))
    with pytest.raises(RosterFileError, match="超过可导入的上限"):
        read_roster(_xls_declaring(4_000_000_000, 256))


@pytest.mark.django_db
def test_a_broken_xls_is_reported_not_crashed_on() -> None:
    content = (DATA / "members.xls").read_bytes()[:1500]
    check_xls(content)  # cannot follow the structure: left to the parser
    with pytest.raises(RosterFileError, match="无法打开Excel文件"):
        read_roster(content)


def test_the_parent_unpickles_cells_and_nothing_else() -> None:
    """A child taken over by a file could send a pickle naming any callable; only data and
    the date and time types are accepted."""
    cells = ("rows", [["姓名", 1, 2.5, True, None, dt.date(2020, 7, 1), dt.timedelta(hours=1)]])
    assert _CellUnpickler(io.BytesIO(pickle.dumps(cells))).load() == cells
    with pytest.raises(pickle.UnpicklingError, match="unexpected class"):
        _CellUnpickler(io.BytesIO(pickle.dumps(("rows", [subprocess.call])))).load()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("dues:import", {}),
        ("learning:import_offline", {}),
        ("learning:import_xuexi", {"year": "2026"}),
        ("learning:questions", {"action": "import", "organization": "branch_a1"}),
    ],
)
def test_every_upload_page_refuses_the_attack_in_chinese(client, tree, url_name, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(tree.town_admin)
    upload = SimpleUploadedFile("attack.xlsx", far_cell_xlsx(declare=True))
    if "organization" in data:
        data = {**data, "organization": getattr(tree, data["organization"]).pk}
    response = client.post(reverse(url_name), {**data, "file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "声明的范围为A1:XFD1048576" in body


@pytest.mark.django_db
def test_the_roster_import_job_refuses_the_attack(tree) -> None:  # type: ignore[no-untyped-def]
    from chuangxian.audit.services import Actor
    from chuangxian.roster_io.models import ImportStatus
    from chuangxian.roster_io.services.jobs import import_job_create, import_job_run

    job = import_job_create(
        actor=Actor(user=tree.town_admin),
        user=tree.town_admin,
        file_name="attack.xlsx",
        content=far_cell_xlsx(declare=True),
        dry_run=False,
    )
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and bytes(job.content) == b""
    assert "声明的范围为A1:XFD1048576" in job.errors[0]["reason"]

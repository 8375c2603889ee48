"""What a spreadsheet upload declares about itself, checked before anything parses it.

An .xlsx is a zip of XML parts. Two cheap looks, neither of which decompresses more than the
start of a part, refuse the files that would make a parser allocate far more than the upload
weighs:

- every zip member's declared expanded size, alone and in total, against a multiple of the
  upload cap, and its compression ratio (a zip bomb: a few MB that expand to GB);
- every worksheet's `<dimension ref="A1:P100001"/>`: a declared range of billions of cells (one
  cell at XFD1048576 makes a dense parser allocate 16,384 × 1,048,576 cells).

An .xls is an OLE compound file whose "Workbook" stream holds BIFF8 records; each sheet starts
with a DIMENSIONS record (its first and last row and column), checked the same way
(`check_xls`, which reads the compound file's allocation table and directory and walks the
stream's record headers, not the cells). What a file does not declare truthfully — a zip member
larger than it says, a cell beyond the declared range — is bounded by the memory limit of the
process that parses it (parse_child.py). These checks exist so that the common hostile files
are refused at once with a clear message, and honest large files are not parsed only to fail."""

import io
import re
import struct
import zipfile

from django.conf import settings

# Declared cells (rows × columns) a sheet may span: a 600,000-member roster of the template's
# 16 columns spans 9.6 million; the parser needs about 32 bytes a declared cell.
MAX_DECLARED_CELLS = 20_000_000
# A zip member may expand to at most this many times the upload cap, all members together to
# EXPANDED_TOTAL_FACTOR times. A 100,000-member roster of 8.6 MB expands to 64 MB (7.5 times).
EXPANDED_MEMBER_FACTOR = 16
EXPANDED_TOTAL_FACTOR = 20
# Spreadsheet XML compresses 4–10 times, a sheet of empty styled cells up to about 50 times;
# zip bombs compress 1,000 times and more. Members under a megabyte are not judged by ratio.
MAX_COMPRESSION_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 2000
# How much of a worksheet's XML is read to find its <dimension> (it comes before <sheetData>).
DIMENSION_PROBE_BYTES = 64 * 1024

_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?\""
)
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData[\s>/]")


class SpreadsheetRefused(ValueError):
    """The upload is refused before parsing; the message says why, in Chinese."""


def check_xlsx(content: bytes) -> None:
    """Refuse (SpreadsheetRefused) an .xlsx whose members or declared sheet ranges are out of
    bounds. Reads the zip's directory and the first bytes of each worksheet, nothing more."""
    cap = settings.ROSTER_UPLOAD_MAX_BYTES
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError) as error:
        raise SpreadsheetRefused("Excel文件已损坏，无法打开（不是有效的.xlsx文件）") from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise SpreadsheetRefused("Excel文件内部的部件过多，可能是损坏或恶意构造的文件")
        total = 0
        for member in members:
            _check_member(member, cap)
            total += member.file_size
        if total > EXPANDED_TOTAL_FACTOR * cap:
            raise SpreadsheetRefused(
                f"Excel文件解压后共{_mb(total)}MB，超过上限{_mb(EXPANDED_TOTAL_FACTOR * cap)}MB，"
                "可能是恶意构造的压缩文件，未导入任何数据"
            )
        sheet_number = 0
        for member in members:
            if _WORKSHEET.match(member.filename):
                sheet_number += 1
                _check_dimension(archive, member, sheet_number)


def _check_member(member: zipfile.ZipInfo, cap: int) -> None:
    if member.file_size > EXPANDED_MEMBER_FACTOR * cap:
        raise SpreadsheetRefused(
            f"Excel文件中的部件“{member.filename}”解压后{_mb(member.file_size)}MB，"
            f"超过上限{_mb(EXPANDED_MEMBER_FACTOR * cap)}MB，"
            "可能是恶意构造的压缩文件，未导入任何数据"
        )
    if member.file_size > RATIO_FROM_BYTES:
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_COMPRESSION_RATIO:
            raise SpreadsheetRefused(
                f"Excel文件中的部件“{member.filename}”压缩比异常（{ratio:.0f}倍），"
                "可能是恶意构造的压缩文件（“压缩炸弹”），未导入任何数据"
            )


def _check_dimension(archive: zipfile.ZipFile, member: zipfile.ZipInfo, number: int) -> None:
    try:
        with archive.open(member) as stream:
            head = stream.read(DIMENSION_PROBE_BYTES)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise SpreadsheetRefused("Excel文件已损坏，无法读取其中的工作表") from error
    data_at = _SHEET_DATA.search(head)
    match = _DIMENSION.search(head, 0, data_at.start() if data_at else len(head))
    if match is None:
        return  # not declared: the parsing process's memory limit bounds it
    first_col, first_row = match.group(1).decode(), match.group(2).decode()
    last_col = (match.group(3) or match.group(1)).decode()
    last_row = (match.group(4) or match.group(2)).decode()
    rows = abs(int(last_row) - int(first_row)) + 1
    columns = abs(column_number(last_col) - column_number(first_col)) + 1
    if rows * columns > MAX_DECLARED_CELLS:
        declared = f"{first_col}{first_row}:{last_col}{last_row}".upper()
        raise SpreadsheetRefused(
            f"第{number}张工作表声明的范围为{declared}（{rows}行×{columns}列），"
            f"超过可导入的上限（{MAX_DECLARED_CELLS // 10000}万个单元格）。"
            "请删除表格右侧和下方多余的行列（或把数据复制到新的工作簿）后重新上传"
        )


def column_number(letters: str) -> int:
    """A1-style column letters → 1-based number (A → 1, XFD → 16384)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _mb(size: int) -> int:
    return max(1, round(size / (1024 * 1024)))


# OLE compound file (MS-CFB) and BIFF8 (MS-XLS) constants.
_CFB_END_OF_CHAIN = 0xFFFFFFFE
_CFB_HEADER = struct.Struct("<8s16sHHHHH6xIIIIIIIII")
_BIFF_BOF = 0x0809
_BIFF_DIMENSIONS = 0x0200
_BIFF_EOF = 0x000A


def check_xls(content: bytes) -> None:
    """Refuse (SpreadsheetRefused) an .xls whose sheets declare more than MAX_DECLARED_CELLS.
    A file whose compound structure cannot be followed is left to the parser (which reports
    it as broken, under the memory limit)."""
    stream = _workbook_stream(content)
    if stream is None:
        return
    position, sheet_number, in_sheet = 0, 0, False
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + size]
        position += 4 + size
        if kind == _BIFF_BOF and len(body) >= 4:
            in_sheet = struct.unpack_from("<H", body, 2)[0] == 0x0010  # a worksheet
            sheet_number += in_sheet
        elif kind == _BIFF_DIMENSIONS and in_sheet and len(body) >= 12:
            first_row, last_row_plus_one, first_col, last_col_plus_one = struct.unpack_from(
                "<IIHH", body
            )
            rows = max(last_row_plus_one - first_row, 0)
            columns = max(last_col_plus_one - first_col, 0)
            if rows * columns > MAX_DECLARED_CELLS:
                raise SpreadsheetRefused(
                    f"第{sheet_number}张工作表声明的范围为{rows}行×{columns}列，"
                    f"超过可导入的上限（{MAX_DECLARED_CELLS // 10000}万个单元格）。"
                    "请删除表格右侧和下方多余的行列（或把数据复制到新的工作簿）后重新上传"
                )
        elif kind == _BIFF_EOF:
            in_sheet = False


def _workbook_stream(content: bytes) -> bytes | None:
    """The "Workbook" (or BIFF5 "Book") stream of a compound file, or None."""
    try:
        header = _CFB_HEADER.unpack_from(content)
        sector_size = 1 << header[5]
        mini_size = 1 << header[6]
        first_directory, mini_cutoff = header[9], header[11]
        first_mini_fat, first_difat, difat_count = header[12], header[14], header[15]
        if sector_size not in (512, 4096):
            return None
        fat_sectors = list(struct.unpack_from("<109I", content, 76))
        sector, per_difat = first_difat, sector_size // 4 - 1
        for _ in range(min(difat_count, len(content) // sector_size)):
            entries = struct.unpack_from(f"<{per_difat + 1}I", content, (sector + 1) * sector_size)
            fat_sectors += entries[:-1]
            sector = entries[-1]
        fat: list[int] = []
        for fat_sector in fat_sectors:
            if fat_sector >= _CFB_END_OF_CHAIN:
                continue
            offset = (fat_sector + 1) * sector_size
            fat += struct.unpack_from(f"<{sector_size // 4}I", content, offset)

        def chain(start: int, unit: int, table: list[int], data: bytes, base: int) -> bytes:
            parts, seen = [], set()
            while start < _CFB_END_OF_CHAIN and start < len(table) and start not in seen:
                seen.add(start)
                offset = base + start * unit
                parts.append(data[offset : offset + unit])
                start = table[start]
            return b"".join(parts)

        directory = chain(first_directory, sector_size, fat, content, sector_size)
        records = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
        if not records:
            return None
        root = records[0]
        for entry in records:
            name_length = struct.unpack_from("<H", entry, 64)[0]
            name = entry[: max(name_length - 2, 0)].decode("utf-16-le", "replace")
            if entry[66] != 2 or name not in ("Workbook", "Book"):
                continue
            start, size = struct.unpack_from("<II", entry, 116)
            if size >= mini_cutoff:
                return chain(start, sector_size, fat, content, sector_size)[:size]
            mini_fat_bytes = chain(first_mini_fat, sector_size, fat, content, sector_size)
            mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
            root_start = struct.unpack_from("<I", root, 116)[0]
            mini_stream = chain(root_start, sector_size, fat, content, sector_size)
            return chain(start, mini_size, mini_fat, mini_stream, 0)[:size]
    except (struct.error, IndexError, ValueError, MemoryError):
        return None
    return None

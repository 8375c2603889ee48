"""What an uploaded roster file must look like before anything tries to parse it."""

from pathlib import PurePath

from django.conf import settings

from chuangxian.roster_io.reader import OLE_MAGIC, ZIP_MAGIC, RosterFileError, decode_text

ALLOWED_SUFFIXES = (".xlsx", ".xls", ".csv")


def upload_problem(name: str, content: bytes) -> str | None:
    """None for an acceptable file, else the reason in Chinese. The content must match the
    extension: a workbook is a zip (.xlsx) or OLE (.xls) container, a CSV decodes as text."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return "只接受 .xlsx、.xls 或 .csv 文件"
    limit = settings.ROSTER_UPLOAD_MAX_BYTES
    if len(content) > limit:
        return f"文件超过{limit // (1024 * 1024)}MB上限"
    if not content:
        return "文件是空的"
    if suffix in (".xlsx", ".xls"):
        if not content.startswith((ZIP_MAGIC, OLE_MAGIC)):
            return "文件内容不是Excel工作簿（扩展名与内容不符）"
        return None
    if b"\x00" in content[:4096]:
        return "CSV文件应为文本，文件内容不是文本"
    try:
        decode_text(content)
    except RosterFileError as error:
        return str(error)
    return None

"""Checking an uploaded file before anything keeps it.

The type is decided by the content, never by the name or the browser's claim; images are
decoded and re-encoded, which drops EXIF (GPS position, camera serials) and anything appended
to the pixels; documents are accepted only in a short whitelist of formats."""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_LONG_EDGE = 2560

# Office Open XML types are zip files whose content list names their main part.
_OOXML_PARTS = {
    "word/document.xml": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xl/workbook.xml": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "ppt/presentation.xml": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}


class UploadRefused(ValueError):
    """The file was not accepted; the message says why, in Chinese."""


@dataclass(frozen=True)
class CleanFile:
    name: str
    content: bytes
    content_type: str
    is_image: bool


def _safe_name(raw: str, extension: str) -> str:
    stem = PurePath(raw.replace("\\", "/")).stem
    cleaned = "".join(ch for ch in stem if ch.isalnum() or ch in "-_ （）()")[:80].strip()
    return f"{cleaned or '附件'}.{extension}"


def _reencode_image(data: bytes, name: str) -> CleanFile:
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            # Apply the camera's rotation before the EXIF that carries it is dropped.
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((IMAGE_LONG_EDGE, IMAGE_LONG_EDGE))
            has_alpha = upright.mode in ("RGBA", "LA", "P")
            out = io.BytesIO()
            if has_alpha:
                upright.convert("RGBA").save(out, format="PNG", optimize=True)
                return CleanFile(_safe_name(name, "png"), out.getvalue(), "image/png", True)
            upright.convert("RGB").save(out, format="JPEG", quality=85)
            return CleanFile(_safe_name(name, "jpg"), out.getvalue(), "image/jpeg", True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise UploadRefused("图片无法识别或已损坏") from None


def _office_type(data: bytes) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    for part, kind in _OOXML_PARTS.items():
        if part in names:
            return kind
    return None


def check_upload(upload: UploadedFile, *, max_bytes: int = MAX_UPLOAD_BYTES) -> CleanFile:
    """The file, cleaned, or UploadRefused. Accepts JPEG, PNG, GIF, WebP (re-encoded), PDF,
    and Word / Excel / PowerPoint (.docx .xlsx .pptx)."""
    size = upload.size or 0
    if size > max_bytes:
        raise UploadRefused(f"文件过大（上限 {max_bytes // (1024 * 1024)} MB）")
    if size == 0:
        raise UploadRefused("文件是空的")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRefused(f"文件过大（上限 {max_bytes // (1024 * 1024)} MB）")
    name = upload.name or "附件"
    head = data[:16]
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return _reencode_image(data, name)
    if head.startswith(b"%PDF-"):
        return CleanFile(_safe_name(name, "pdf"), data, "application/pdf", False)
    if head.startswith(b"PK\x03\x04") and (office := _office_type(data)):
        extension, content_type = office
        return CleanFile(_safe_name(name, extension), data, content_type, False)
    raise UploadRefused("只接受图片（JPG、PNG、GIF、WebP）、PDF 和 Word/Excel/PowerPoint 文件")

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chuangxian.uploads.safety import UploadRefused, check_upload


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {2: (28.0, 12.0, 0.0), 4: (112.0, 58.0, 0.0)}  # GPSInfo
    exif[0x010F] = "CameraMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_images_are_reencoded_without_exif():
    raw = jpeg_with_gps()
    assert b"CameraMaker" in raw
    clean = check_upload(SimpleUploadedFile("../../现场照片.JPG", raw, "image/jpeg"))
    assert clean.is_image and clean.content_type == "image/jpeg"
    assert clean.name == "现场照片.jpg"
    assert b"CameraMaker" not in clean.content
    with Image.open(io.BytesIO(clean.content)) as image:
        assert not image.getexif()
        assert image.size == (40, 30)


def test_type_is_decided_by_content_not_name():
    with pytest.raises(UploadRefused, match="只接受"):
        check_upload(
            SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script>", "image/jpeg")
        )
    pdf = check_upload(
        SimpleUploadedFile("minutes.exe", b"%PDF-1.7\n...", "application/x-msdownload")
    )
    assert pdf.name == "minutes.pdf" and pdf.content_type == "application/pdf"


def test_office_documents_and_plain_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert check_upload(SimpleUploadedFile("记录.docx", out.getvalue())).name == "记录.docx"
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("evil.sh", "rm -rf /")
    with pytest.raises(UploadRefused):
        check_upload(SimpleUploadedFile("x.docx", plain.getvalue()))


def test_size_limits_and_broken_images():
    with pytest.raises(UploadRefused, match="文件过大"):
        check_upload(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2048), max_bytes=1024)
    with pytest.raises(UploadRefused, match="空的"):
        check_upload(SimpleUploadedFile("empty.pdf", b""))
    with pytest.raises(UploadRefused, match="图片无法识别"):
        check_upload(SimpleUploadedFile("broken.png", b"\x89PNG\r\n\x1a\n" + b"junk" * 10))

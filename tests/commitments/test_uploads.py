"""践诺 evidence: checked by the upload guard (images re-encoded, GPS gone), stored under a
random name, served only when the item is public or in the viewer's scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from chuangxian.campaigns.models import PhaseKind
from chuangxian.commitments.models import CommitmentItem, Evidence, ItemStatus, ProgressUpdate

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {2: (28.0, 12.0, 0.0), 4: (112.0, 58.0, 0.0)}
    exif[0x010F] = "CameraMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def published(make_item, set_phase):  # type: ignore[no-untyped-def]
    item = make_item(ItemStatus.PUBLISHED)
    set_phase(PhaseKind.CREATE)
    return item


def report(client, item, *files, text="上门服务3户"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/commitments/items/{item.pk}/progress/", {"text": text, "attachments": list(files)}
    )


def test_photo_is_reencoded_stored_randomly_and_served(published, client_as, tree):
    photo = SimpleUploadedFile("张三家门口.jpg", jpeg_with_gps(), "image/jpeg")
    response = report(client_as("member_user"), published, photo)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.is_image and evidence.original_name == "张三家门口.jpg"
    stored = evidence.file.name
    assert stored.startswith("commitments/") and "张三" not in stored and len(stored) > 40
    data = evidence.file.open("rb").read()
    assert b"CameraMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
    published.refresh_from_db()
    assert published.status == ItemStatus.IN_PROGRESS
    served = Client().get(evidence.get_absolute_url())
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == data


def test_refused_file_writes_nothing(published, client_as):
    bad = SimpleUploadedFile("报告.jpg", b"<html><script>alert(1)</script>", "image/jpeg")
    response = report(client_as("member_user"), published, bad)
    assert response.status_code == 400
    assert "只接受图片" in response.content.decode()
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()
    published.refresh_from_db()
    assert published.status == ItemStatus.PUBLISHED


def test_too_many_files_are_refused(published, client_as):
    photos = [SimpleUploadedFile(f"{i}.jpg", jpeg_with_gps(), "image/jpeg") for i in range(7)]
    response = report(client_as("member_user"), published, *photos)
    assert response.status_code == 400
    assert "最多上传6个附件" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_of_a_non_public_item_needs_scope(published, client_as, tree):
    report(client_as("member_user"), published, SimpleUploadedFile("a.jpg", jpeg_with_gps()))
    evidence = Evidence.objects.get()
    # Were the item ever withdrawn from the wall, its files follow it.
    CommitmentItem.objects.filter(pk=published.pk).update(status=ItemStatus.APPROVED)
    url = evidence.get_absolute_url()
    assert Client().get(url).status_code == 404
    outsider = Client()
    outsider.force_login(tree.outsider)
    assert outsider.get(url).status_code == 404
    secretary = Client()
    secretary.force_login(tree.secretary)
    assert secretary.get(url).status_code == 200


def test_unknown_token_is_404(client):
    assert (
        client.get("/public/commitments/files/6f1c1c2e-1111-4a4a-9a9a-000000000000/").status_code
        == 404
    )

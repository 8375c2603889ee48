"""The opinion pages: the public form by QR (no account), the 回音壁 (escaped, no phone), the
submitter's follow page, and the staff pages scoped by orgs.access."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chuangxian.audit.services import Actor
from chuangxian.openness.models import Opinion, OpinionStatus, Visibility
from chuangxian.openness.services import opinions

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_public_submit_without_account_then_follow(client, tree):
    url = f"/public/openness/{tree.branch_a1.code}/opinions/new/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "text": f"路灯不亮了，请修理。{PAYLOAD}",
            "phone": "13912345678",
            "photo": SimpleUploadedFile("lamp.png", _png(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    follow = response["Location"]
    assert follow.startswith(f"/public/openness/{tree.branch_a1.code}/follow/")
    opinion = Opinion.objects.get()
    assert opinion.photo and opinion.photo_type == "image/jpeg"  # re-encoded, EXIF dropped
    page = client.get(follow).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "待答复" in page
    # Pending moderation: not on the wall yet, nor its photo.
    wall = client.get(f"/public/openness/{tree.branch_a1.code}/").content.decode()
    assert "路灯不亮了" not in wall
    assert client.get(f"/public/openness/photos/{opinion.photo_token}/").status_code == 404


def test_upload_of_a_non_image_is_refused(client, tree):
    response = client.post(
        f"/public/openness/{tree.branch_a1.code}/opinions/new/",
        {
            "text": "路灯不亮了，请修理一下。",
            "photo": SimpleUploadedFile("a.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "只接受照片" in response.content.decode()
    assert not Opinion.objects.exists()


def test_wall_shows_published_opinions_escaped_and_never_the_phone(client, tree, submit, now):
    opinion, _ = submit(text=f"路灯不亮了，请修理。{PAYLOAD}", phone="13912345678")
    actor = Actor(user=tree.secretary)
    opinions.opinion_moderate(actor=actor, opinion=opinion, publish=True)
    opinions.opinion_answer(actor=actor, opinion=opinion, reply=f"已修好{PAYLOAD}", today=now)
    for url in (
        f"/public/openness/{tree.branch_a1.code}/",
        f"/public/orgs/{tree.branch_a1.code}/",
    ):
        body = client.get(url).content.decode()
        assert "路灯不亮了" in body, url
        assert "<script>alert" not in body and "<img src=x" not in body, url
        assert "13912345678" not in body, url
    wall = client.get(f"/public/openness/{tree.branch_a1.code}/").content.decode()
    assert "已修好" in wall
    # Another organization's wall does not show it.
    other = client.get(f"/public/openness/{tree.branch_a2.code}/").content.decode()
    assert "路灯不亮了" not in other


def test_rate_and_reopen_through_the_follow_page(client, tree, submit, now):
    opinion, token = submit()
    opinions.opinion_answer(
        actor=Actor(user=tree.secretary), opinion=opinion, reply="已报修。", today=now
    )
    base = f"/public/openness/{tree.branch_a1.code}/follow/{token}/"
    assert "您对答复满意吗" in client.get(base).content.decode()
    client.post(base + "rate/", {"satisfaction": "dissatisfied"})
    opinion.refresh_from_db()
    assert opinion.satisfaction == "dissatisfied"
    client.post(base + "reopen/", {"reason": "还是不亮"})
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.REOPENED
    # A wrong token is a 404, like a missing opinion.
    assert client.get(f"/public/openness/{tree.branch_a1.code}/follow/wrong/").status_code == 404


def test_report_from_the_wall_hides_after_three_devices(client, tree, submit, settings):
    opinion, _ = submit()
    opinions.opinion_moderate(actor=Actor(user=tree.secretary), opinion=opinion, publish=True)
    for _n in range(3):
        visitor = type(client)()
        visitor.get(f"/public/openness/{tree.branch_a1.code}/")  # gets its device cookie
        visitor.post(f"/public/openness/{tree.branch_a1.code}/opinions/{opinion.pk}/report/")
    opinion.refresh_from_db()
    assert opinion.visibility == Visibility.REPORTED
    assert "村口路灯" not in client.get(f"/public/openness/{tree.branch_a1.code}/").content.decode()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("county_admin", True),
        ("town_admin", True),
        ("secretary", True),
        ("worker", True),
        ("sibling_secretary", False),
        ("outsider", False),
        ("member_user", False),
    ],
)
def test_staff_pages_are_scoped(client, tree, submit, now, who, allowed):
    opinion, _ = submit()
    client.force_login(getattr(tree, who))
    detail = client.get(f"/openness/opinions/{opinion.pk}/")
    assert detail.status_code == (200 if allowed else 404)
    listing = client.get("/openness/?status=all").content.decode()
    assert (f"#{opinion.pk}<" in listing) is allowed
    answer = client.post(f"/openness/opinions/{opinion.pk}/answer/", {"reply": "已处理"})
    assert answer.status_code == (302 if allowed else 404)
    opinion.refresh_from_db()
    assert (opinion.status == OpinionStatus.ANSWERED) is allowed


def test_staff_see_the_phone_and_moderate_from_the_queue(client, tree, submit):
    opinion, _ = submit(phone="13912345678", text=f"垃圾站气味很大{PAYLOAD}")
    other, _ = submit(text="请回电话13800001111，楼道灯坏了好几天。")
    client.force_login(tree.secretary)
    queue = client.get("/openness/moderation/").content.decode()
    assert "垃圾站气味很大" in queue and "<script>alert" not in queue
    assert '<mark class="op-sensitive" title="手机号码">13800001111</mark>' in queue
    refused = client.post(
        f"/openness/opinions/{other.pk}/moderate/", {"decision": "publish"}, follow=True
    )
    assert "不能在回音壁公开" in refused.content.decode()
    assert "13912345678" in client.get(f"/openness/opinions/{opinion.pk}/").content.decode()
    client.post(
        f"/openness/opinions/{opinion.pk}/moderate/", {"decision": "publish", "back": "queue"}
    )
    opinion.refresh_from_db()
    assert opinion.visibility == Visibility.PUBLISHED


def test_public_pages_need_no_login(client, tree):
    for url in (
        f"/public/openness/{tree.branch_a1.code}/",
        f"/public/openness/{tree.branch_a1.code}/opinions/new/",
        f"/public/openness/{tree.branch_a1.code}/qr/",
        f"/public/orgs/{tree.branch_a1.code}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/public/openness/NOPE/").status_code == 404

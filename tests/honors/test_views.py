"""The honors pages: who sees a nomination (the permission matrix), the staff flow through
the pages, the public 公示 with an objection without an account, the honor roll, a member's
own points, the export."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from chuangxian.audit.services import SYSTEM
from chuangxian.honors.models import AwardRecord, BatchStatus, NominationStatus, Objection
from chuangxian.honors.services import awards, points
from tests.honors.conftest import published_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_batch(tree):  # type: ignore[no-untyped-def]
    """A batch open today, with one member category and a quota for 甲镇."""
    today = timezone.localdate()
    found = awards.batch_create(
        actor=SYSTEM,
        organization=tree.county,
        values=awards.BatchValues(
            name="七一表彰",
            year=today.year,
            nomination_opens=today - dt.timedelta(days=3),
            nomination_closes=today + dt.timedelta(days=3),
        ),
    )
    category = awards.category_add(
        actor=SYSTEM,
        batch=found,
        name="优秀共产党员",
        subject_kind="member",
        rules=["grade_excellent"],
    )
    awards.quota_set(actor=SYSTEM, category=category, organization=tree.town_a, count=2)
    published_result(today.year - 1, "优秀", member=tree.member_a1)
    return found


def _login(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def _nominate_through_pages(client, tree, batch):  # type: ignore[no-untyped-def]
    _login(client, tree.secretary)
    category = batch.categories.get()
    page = client.get(f"/honors/batches/{batch.pk}/nominate/")
    assert page.status_code == 200
    assert "张三" in page.content.decode()
    response = client.post(
        f"/honors/batches/{batch.pk}/nominate/?org={tree.branch_a1.pk}&category={category.pk}",
        {"category": category.pk, "nominee": f"m{tree.member_a1.pk}", "story": "修路架桥。"},
    )
    assert response.status_code == 302, response.content.decode()
    return batch.nominations.get()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("secretary", 200),
        ("town_admin", 200),
        ("county_admin", 200),
        ("sibling_secretary", 404),
        ("outsider", 404),
        ("member_user", 404),
    ],
)
def test_nomination_permission_matrix(client, tree, today_batch, who, status):
    nomination = _nominate_through_pages(Client(), tree, today_batch)
    _login(client, getattr(tree, who))
    assert client.get(f"/honors/nominations/{nomination.pk}/").status_code == status


def test_public_cannot_open_staff_pages(client, tree, today_batch):
    nomination = _nominate_through_pages(Client(), tree, today_batch)
    response = client.get(f"/honors/nominations/{nomination.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_the_reviewing_level_may_approve(client, tree, today_batch):
    nomination = _nominate_through_pages(Client(), tree, today_batch)
    _login(client, tree.secretary)
    assert client.post(f"/honors/nominations/{nomination.pk}/approve/").status_code == 404
    _login(client, tree.town_admin)
    page = client.get(f"/honors/nominations/{nomination.pk}/").content.decode()
    assert "同意，报上级" in page and "推荐时的记录" in page
    client.post(f"/honors/nominations/{nomination.pk}/approve/")
    nomination.refresh_from_db()
    assert nomination.reviewer == tree.county


def test_whole_flow_through_the_pages_and_public_objection(
    client, tree, today_batch, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    nomination = _nominate_through_pages(Client(), tree, today_batch)
    town = _login(Client(), tree.town_admin)
    town.post(f"/honors/nominations/{nomination.pk}/approve/")
    county = _login(Client(), tree.county_admin)
    county.post(f"/honors/nominations/{nomination.pk}/approve/")
    county.post(f"/honors/nominations/{nomination.pk}/discipline_agree/", {"reason": "无"})
    county.post(f"/honors/batches/{today_batch.pk}/close/")
    county.post(f"/honors/nominations/{nomination.pk}/shortlist/")
    county.post(f"/honors/batches/{today_batch.pk}/notice/")
    today_batch.refresh_from_db()
    assert today_batch.status == BatchStatus.NOTICE
    # The public page, read on the first day of the 公示, without an account.
    public = Client()
    listing = public.get("/public/honors/").content.decode()
    assert "七一表彰" in listing
    page = public.get(f"/public/honors/notices/{today_batch.pk}/").content.decode()
    assert "张三" in page and "修路架桥" in page
    assert f"{today_batch.notice_ends:%Y年}" in page
    assert "推荐时的记录" not in page  # the snapshot stays inside
    # Objecting is possible only inside the period: move the batch's dates to include today.
    type(today_batch).objects.filter(pk=today_batch.pk).update(
        notice_starts=timezone.localdate(), notice_ends=timezone.localdate()
    )
    response = public.post(
        f"/public/honors/notices/{today_batch.pk}/",
        {"nomination": nomination.pk, "text": "<b>反映</b>情况", "contact": ""},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    staff_page = county.get(f"/honors/nominations/{nomination.pk}/").content.decode()
    assert "&lt;b&gt;反映&lt;/b&gt;情况" in staff_page  # escaped
    county.post(
        f"/honors/nominations/{nomination.pk}/objections/{objection.pk}/",
        {"upheld": "0", "note": "不属实"},
    )
    type(today_batch).objects.filter(pk=today_batch.pk).update(
        notice_ends=timezone.localdate() - dt.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        county.post(f"/honors/batches/{today_batch.pk}/approve/")
    award = AwardRecord.objects.get()
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.AWARDED
    pdf = county.get(f"/honors/awards/{award.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    archive = county.get(f"/honors/batches/{today_batch.pk}/certificates.zip")
    assert archive.status_code == 200
    # The member sees their own certificate; the public sees the honor roll.
    member = _login(Client(), tree.member_user)
    assert member.get(f"/honors/awards/{award.pk}/certificate.pdf").status_code == 200
    assert (
        _login(Client(), tree.outsider)
        .get(f"/honors/awards/{award.pk}/certificate.pdf")
        .status_code
        == 404
    )
    roll = public.get(f"/public/honors/{tree.town_a.code}/").content.decode()
    assert "张三" in roll and "优秀共产党员" in roll
    assert public.get(f"/public/honors/{tree.town_b.code}/").content.decode().count("张三") == 0


def test_member_points_page_and_rankings(client, tree):
    points.rules_seed_defaults(actor=SYSTEM, organization=tree.county)
    from tests.learning.conftest import at, attend, held_meeting

    year = timezone.localdate().year
    attend(held_meeting(tree.branch_a1, "committee", at(year, 1, 5)), tree.member_a1)
    points.points_accrue(actor=SYSTEM, root=tree.county, year=year)
    _login(client, tree.member_user)
    page = client.get("/honors/points/").content.decode()
    assert "参加组织生活" in page and f"{year}年1月参加组织生活 1 次" in page
    assert 'id="standing"' not in page  # rankings are off by default
    points.setting_update(
        actor=SYSTEM, organization=tree.branch_a1, rankings_enabled=True, published=False
    )
    page = client.get("/honors/points/").content.decode()
    assert 'id="standing"' in page and "本支部积分排名" not in page
    assert client.get(f"/honors/points/members/{tree.member_a2.pk}/").status_code == 404


def test_org_totals_export_and_rules_page(client, tree):
    points.rules_seed_defaults(actor=SYSTEM, organization=tree.county)
    _login(client, tree.town_admin)
    response = client.get(f"/honors/points/orgs/{tree.town_a.pk}/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(f"/honors/points/orgs/{tree.town_b.pk}/").status_code == 404
    page = client.get(f"/honors/points/orgs/{tree.town_a.pk}/").content.decode()
    assert 'id="child-totals"' in page and "甲镇一村党支部" in page
    rules = client.get(f"/honors/points/orgs/{tree.town_a.pk}/rules/").content.decode()
    assert "一票否决" in rules and "某县委" in rules
    assert client.post(f"/honors/points/orgs/{tree.town_a.pk}/accrue/").status_code == 302


def test_overview_lists_tiers_and_awards(client, tree):
    year = timezone.localdate().year
    published_result(year, "好", organization=tree.town_a, tier="五星")
    published_result(year, "差", organization=tree.town_b, tier="二星")
    _login(client, tree.county_admin)
    page = client.get(f"/honors/overview/?org={tree.county.pk}").content.decode()
    assert "甲镇党委" in page and "五星" in page and "先进" in page and "后进" in page


def test_member_claims_with_evidence_and_the_branch_approves(client, tree):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from chuangxian.honors.catalogue import effective_rules
    from chuangxian.honors.models import ClaimStatus, PointClaim

    points.rules_seed_defaults(actor=SYSTEM, organization=tree.county)
    rule = effective_rules(tree.branch_a1)["volunteer"]
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="PNG")
    _login(client, tree.member_user)
    assert "志愿服务" in client.get("/honors/points/claims/new/").content.decode()
    response = client.post(
        "/honors/points/claims/new/",
        {
            "rule": rule.pk,
            "member": tree.member_a1.pk,
            "occurred_on": timezone.localdate().isoformat(),
            "description": "社区志愿服务",
            "points": "2",
            "evidence": SimpleUploadedFile("photo.png", buffer.getvalue(), "image/png"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    claim = PointClaim.objects.get()
    assert claim.evidence_name
    secretary = _login(Client(), tree.secretary)
    assert secretary.get(f"/honors/points/claims/{claim.pk}/evidence/").status_code == 200
    assert client.post(f"/honors/points/claims/{claim.pk}/approve/").status_code == 404
    secretary.post(f"/honors/points/claims/{claim.pk}/approve/")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    page = client.get("/honors/points/").content.decode()
    assert "社区志愿服务" in page


def test_notice_warns_when_the_year_is_not_in_the_calendar(client, tree, today_batch):
    type(today_batch).objects.filter(pk=today_batch.pk).update(
        status=BatchStatus.NOTICE,
        notice_starts=dt.date(2099, 3, 2),
        notice_ends=dt.date(2099, 3, 6),
    )
    page = client.get(f"/public/honors/notices/{today_batch.pk}/").content.decode()
    assert "2099 年节假日安排尚未录入，按周一至周五计算" in page
    assert "2099年3月6日" in page

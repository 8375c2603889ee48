"""The campaign pages: who may open and do what, bad input, query counts, export, evidence."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.campaigns.models import (
    Campaign,
    CampaignStatus,
    Evidence,
    LetterStatus,
    StandardItem,
    TargetItem,
)
from chuangxian.campaigns.services.targets import target_decompose, target_set
from tests.campaigns.conftest import DAY, number_target, phases_around

pytestmark = pytest.mark.django_db


def _client(client, user):  # type: ignore[no-untyped-def]
    if user is not None:
        client.force_login(user)
    return client


def _cascade(tree, campaign, today):  # type: ignore[no-untyped-def]
    town = target_set(
        actor=Actor(),
        campaign=campaign,
        superior=tree.county,
        organization=tree.town_a,
        values=number_target(today),
        today=today,
    )
    a1 = target_decompose(
        actor=Actor(),
        parent=town,
        organization=tree.branch_a1,
        values=number_target(today, target_value=Decimal(2)),
        today=today,
    )
    return town, a1


def test_list_shows_covering_campaigns_and_the_nav_link(client, tree, live_campaign):
    response = _client(client, tree.secretary).get(reverse("campaigns:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert live_campaign.name in body
    assert f'href="{reverse("campaigns:list")}"' in body  # the nav link
    assert "新建活动" not in body  # a secretary administers nothing


def test_list_query_count_does_not_grow_with_campaigns(
    client, tree, live_today, django_assert_max_num_queries
):
    from tests.campaigns.conftest import make_campaign

    for owner in (tree.county, tree.town_a, tree.branch_a1, tree.town_b):
        make_campaign(owner, tree.county_admin, live_today)
    _client(client, tree.county_admin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("campaigns:list"))
    assert response.content.decode().count("年度创先争优活动</a>") == 4


def test_campaign_page_shows_phases_and_what_is_allowed_today(client, tree, live_campaign):
    body = _client(client, tree.secretary).get(live_campaign.get_absolute_url()).content.decode()
    for label in ("部署", "创建争创", "点评评议", "评选表彰"):
        assert label in body
    assert "下达和分解目标" in body and "报告进展" in body
    assert "评议评分" not in body.split('id="allowed-today"')[1].split("</p>")[0]
    assert "启动活动" not in body and "结束活动" not in body  # not the owner's administrator


def _form_data(today, **changes):  # type: ignore[no-untyped-def]
    data = {
        "owner": "",
        "name": "2026年度创先争优活动",
        "year": today.year,
        "starts_on": (today - 60 * DAY).isoformat(),
        "ends_on": (today + 90 * DAY).isoformat(),
        "commitment_deadline": today.isoformat(),
        "description": "",
    }
    for kind, (start, end) in phases_around(today).items():
        data[f"{kind}_starts_on"] = start.isoformat()
        data[f"{kind}_ends_on"] = end.isoformat()
    return data | changes


def test_create_through_the_page_and_transitions(client, tree, live_today):
    _client(client, tree.town_admin)
    data = _form_data(live_today, owner=tree.town_a.pk)
    response = client.post(reverse("campaigns:create"), data)
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert campaign.owner == tree.town_a and campaign.created_by == tree.town_admin
    client.post(reverse("campaigns:activate", args=[campaign.pk]))
    assert Campaign.objects.get().status == CampaignStatus.ACTIVE
    # Activating twice: refused with a message, nothing changes.
    response = client.post(reverse("campaigns:activate", args=[campaign.pk]), follow=True)
    assert "只有筹备中的活动才能启动" in response.content.decode()


def test_create_refuses_overlapping_phases_with_a_chinese_message(client, tree, live_today):
    _client(client, tree.town_admin)
    data = _form_data(
        live_today,
        owner=tree.town_a.pk,
        review_starts_on=(live_today + 10 * DAY).isoformat(),
    )
    response = client.post(reverse("campaigns:create"), data)
    assert response.status_code == 200
    assert "应在“创建争创”阶段结束之后开始" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_town_admin_cannot_create_for_the_county(client, tree, live_today):
    _client(client, tree.town_admin)
    response = client.post(
        reverse("campaigns:create"), _form_data(live_today, owner=tree.county.pk)
    )
    assert response.status_code == 200  # the county is not a choice
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("county_admin", 200), ("town_admin", 404), ("secretary", 404), (None, 302)],
)
def test_only_the_owners_administrators_edit_or_move_the_campaign(
    client, tree, live_campaign, viewer, status
):
    user = getattr(tree, viewer) if viewer else None
    _client(client, user)
    assert client.get(reverse("campaigns:edit", args=[live_campaign.pk])).status_code == status
    response = client.post(reverse("campaigns:close", args=[live_campaign.pk]))
    expected = Campaign.objects.get().status
    assert (expected == CampaignStatus.CLOSED) is (viewer == "county_admin")
    assert response.status_code in (302, 404)


TARGETS_PAGE_MATRIX = [
    # viewer, organization, status
    ("county_admin", "town_a", 200),  # superior
    ("town_admin", "town_a", 200),  # owner
    ("town_admin", "county", 404),  # above the grant
    ("secretary", "branch_a1", 200),  # owner
    ("secretary", "branch_a2", 404),  # sibling
    ("outsider", "town_a", 404),  # outsider
    ("member_user", "branch_a1", 404),  # a 党员 sees their own items on the campaign page
]


@pytest.mark.parametrize(("viewer", "org", "status"), TARGETS_PAGE_MATRIX)
def test_targets_page_matrix(client, tree, live_campaign, viewer, org, status):
    _client(client, getattr(tree, viewer))
    url = reverse("campaigns:targets", args=[live_campaign.pk, getattr(tree, org).pk])
    assert client.get(url).status_code == status


def test_targets_page_anonymous_is_sent_to_login(client, tree, live_campaign):
    url = reverse("campaigns:targets", args=[live_campaign.pk, tree.town_a.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_targets_page_query_count_is_bounded(
    client, tree, live_campaign, live_today, django_assert_max_num_queries
):
    _town, a1 = _cascade(tree, live_campaign, live_today)
    for n in range(6):
        target_decompose(
            actor=Actor(),
            parent=a1,
            member=tree.member_a1,
            values=number_target(live_today, title=f"分解{n}", target_value=Decimal(1)),
            today=live_today,
        )
    _client(client, tree.county_admin)
    url = reverse("campaigns:targets", args=[live_campaign.pk, tree.county.pk])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert "甲镇党委" in response.content.decode()


def test_set_decompose_and_report_through_the_pages(client, tree, live_campaign, live_today):
    _client(client, tree.county_admin)
    data = {
        "organization": tree.town_a.pk,
        "title": "新发展党员",
        "description": "",
        "weight": "10",
        "measure": "number",
        "unit": "名",
        "baseline": "0",
        "target_value": "4",
        "deadline": (live_today + 20 * DAY).isoformat(),
        "dimension": "membership",
    }
    url = reverse("campaigns:target_set", args=[live_campaign.pk, tree.county.pk])
    assert client.post(url, data).status_code == 302
    town = TargetItem.objects.get()
    client.force_login(tree.town_admin)
    decompose = data | {"holder": f"org:{tree.branch_a1.pk}", "target_value": "2"}
    del decompose["organization"]
    response = client.post(reverse("campaigns:decompose", args=[town.pk]), decompose)
    assert response.status_code == 302
    a1 = TargetItem.objects.get(parent=town)
    client.force_login(tree.secretary)
    out = io.BytesIO()
    Image.new("RGB", (6, 6), "blue").save(out, format="JPEG")
    out.name = "photo.jpg"
    out.seek(0)
    response = client.post(
        reverse("campaigns:progress", args=[a1.pk]),
        {"value": "1", "note": "已发展1名", "evidence": [out]},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    # The file is served to those who see the target, 404 to anyone else.
    assert client.get(evidence.get_absolute_url()).status_code == 200
    client.force_login(tree.sibling_secretary)
    assert client.get(evidence.get_absolute_url()).status_code == 404
    client.force_login(tree.county_admin)
    page = client.get(reverse("campaigns:targets", args=[live_campaign.pk, tree.county.pk]))
    assert "50%" in page.content.decode()


def test_progress_refuses_a_disguised_file_and_writes_nothing(
    client, tree, live_campaign, live_today
):
    _town, a1 = _cascade(tree, live_campaign, live_today)
    _client(client, tree.secretary)
    fake = io.BytesIO(b"MZ\x90\x00 not an image")
    fake.name = "photo.jpg"
    response = client.post(
        reverse("campaigns:progress", args=[a1.pk]), {"value": "1", "note": "x", "evidence": [fake]}
    )
    assert response.status_code == 200
    assert "只接受图片" in response.content.decode()
    assert not Evidence.objects.exists()
    assert TargetItem.objects.get(pk=a1.pk).current_value is None


@pytest.mark.parametrize("viewer", ["sibling_secretary", "outsider", "member_user"])
def test_others_cannot_report_or_decompose(client, tree, live_campaign, live_today, viewer):
    _town, a1 = _cascade(tree, live_campaign, live_today)
    _client(client, getattr(tree, viewer))
    response = client.post(reverse("campaigns:progress", args=[a1.pk]), {"value": "1", "note": "x"})
    assert response.status_code == 404
    assert client.get(reverse("campaigns:decompose", args=[a1.pk])).status_code == 404
    assert TargetItem.objects.get(pk=a1.pk).current_value is None


def test_letter_signing_through_the_page(client, tree, live_campaign, live_today):
    _town, a1 = _cascade(tree, live_campaign, live_today)
    letter_url = reverse("campaigns:letter", args=[a1.letter_id])
    _client(client, tree.secretary)
    body = client.get(letter_url).content.decode()
    assert "以乙方第一责任人身份签字" in body and "以甲方第一责任人身份签字" not in body
    # Pressing the other side's button is refused by the service.
    response = client.post(reverse("campaigns:sign", args=[a1.letter_id, "superior"]), follow=True)
    assert "第一责任人" in response.content.decode()
    client.post(reverse("campaigns:sign", args=[a1.letter_id, "holder"]))
    client.force_login(tree.town_admin)
    client.post(reverse("campaigns:sign", args=[a1.letter_id, "superior"]))
    a1.letter.refresh_from_db()
    assert a1.letter.status == LetterStatus.SIGNED
    body = client.get(letter_url).content.decode()
    assert "已签字" in body and "secretary_a1" in body


def test_export_is_scoped_and_audited(client, tree, live_campaign, live_today):
    _cascade(tree, live_campaign, live_today)
    target_set(
        actor=Actor(),
        campaign=live_campaign,
        superior=tree.county,
        organization=tree.town_b,
        values=number_target(live_today, title="乙镇目标"),
        today=live_today,
    )
    _client(client, tree.town_admin)
    response = client.get(reverse("campaigns:export", args=[live_campaign.pk, tree.town_a.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["目标"].iter_rows(min_row=3, values_only=True))
    assert {r[0] for r in rows} == {"甲镇党委", "甲镇一村党支部"}
    assert "乙镇目标" not in {r[5] for r in rows}
    letters = list(book["责任书"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in letters} == {"甲镇党委", "甲镇一村党支部"}
    event = AuditEvent.objects.get(action="export")
    assert event.actor == tree.town_admin and event.org_path == tree.town_a.path
    client.force_login(tree.outsider)
    url = reverse("campaigns:export", args=[live_campaign.pk, tree.town_a.pk])
    assert client.get(url).status_code == 404


def test_standards_pages_and_who_edits_which_layer(client, tree, live_campaign):
    general_item = StandardItem.objects.filter(campaign=live_campaign, sector="").first()
    _client(client, tree.secretary)
    page = client.get(
        reverse("campaigns:standards_org", args=[live_campaign.pk, tree.branch_a1.pk])
    )
    assert page.status_code == 200 and "通用标准" in page.content.decode()
    # A branch adds its own item but cannot touch the inherited one.
    response = client.post(
        reverse("campaigns:standards_org", args=[live_campaign.pk, tree.branch_a1.pk]),
        {"dimension": "org:mechanism", "text": "每月10日固定活动日", "measure": "全年12次"},
    )
    assert response.status_code == 302
    own = StandardItem.objects.get(organization=tree.branch_a1)
    assert client.get(reverse("campaigns:standard_edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("campaigns:standard_edit", args=[general_item.pk])).status_code == 404
    response = client.post(
        reverse("campaigns:standard_edit", args=[general_item.pk]), {"text": "改掉", "measure": ""}
    )
    assert response.status_code == 404
    assert StandardItem.objects.get(pk=general_item.pk).text != "改掉"
    # The sibling branch neither sees nor edits it.
    client.force_login(tree.sibling_secretary)
    assert client.get(reverse("campaigns:standard_edit", args=[own.pk])).status_code == 404
    # The county administrator refines the 农村 sector.
    client.force_login(tree.county_admin)
    response = client.post(
        reverse("campaigns:standards_refine", args=[live_campaign.pk]), {"sector": "农村"}
    )
    assert response.status_code == 302
    page = client.get(reverse("campaigns:standards_sector", args=[live_campaign.pk, "农村"]))
    assert "农村领域标准" in page.content.decode()
    bad = client.post(
        reverse("campaigns:standards_sector", args=[live_campaign.pk, "农村"]),
        {"dimension": "org:leadership", "text": ""},
    )
    assert bad.status_code == 200 and "这个字段是必填项" in bad.content.decode()

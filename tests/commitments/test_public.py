"""The public wall: only published items, only the organization named in the URL, search,
the QR code with the absolute URL, printable cards, a bounded number of queries."""

import datetime as dt

import pytest
from django.test import Client

from chuangxian.audit.services import Actor
from chuangxian.campaigns.models import Phase, PhaseKind
from chuangxian.commitments import services
from chuangxian.commitments.models import ItemStatus
from tests.commitments.conftest import values

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(make_item):  # type: ignore[no-untyped-def]
    return {status: make_item(status) for status in ItemStatus.values}


@pytest.fixture
def other_branch_item(tree, campaign, now):  # type: ignore[no-untyped-def]
    """A published item of 赵六 in another township's branch."""
    actor = Actor(user=tree.county_admin)
    sheet = services.sheet_open(actor=actor, campaign=campaign, member=tree.member_b1, today=now)
    item = services.item_add(
        actor=actor, sheet=sheet, values=values(text="乙镇修路承诺"), today=now
    )
    services.item_submit(actor=actor, item=item, today=now)
    services.item_approve(actor=actor, item=item, today=now)
    services.item_publish(actor=actor, item=item, today=now)
    return item


def test_wall_shows_only_published_items(items, tree):
    for status, item in items.items():
        item.text = f"承诺-{status}"
        item.save(update_fields=["text"])
    body = Client().get(f"/public/commitments/{tree.branch_a1.code}/").content.decode()
    for status in ItemStatus.values:
        shown = f"承诺-{status}" in body
        assert shown == (status in {"published", "in_progress", "fulfilled", "unmet", "rated"}), (
            status
        )
    assert "张三" in body


def test_no_other_organizations_data_by_url(items, other_branch_item, tree):
    client = Client()
    wall_a1 = client.get(f"/public/commitments/{tree.branch_a1.code}/").content.decode()
    assert "乙镇修路承诺" not in wall_a1 and "赵六" not in wall_a1
    # Another organization's item under this organization's code: 404.
    response = client.get(
        f"/public/commitments/{tree.branch_a1.code}/items/{other_branch_item.pk}/"
    )
    assert response.status_code == 404
    response = client.post(
        f"/public/commitments/{tree.branch_a1.code}/items/{other_branch_item.pk}/rate/",
        {"score": "100"},
    )
    assert response.status_code == 404
    # Unpublished items are not reachable by their id either.
    for status in ("draft", "submitted", "approved", "returned"):
        url = f"/public/commitments/{tree.branch_a1.code}/items/{items[status].pk}/"
        assert client.get(url).status_code == 404, status
    # An organization without a wall, and an unknown code.
    assert client.get(f"/public/commitments/{tree.branch_a2.code}/").status_code == 404
    assert client.get("/public/commitments/NOPE/").status_code == 404


def test_party_group_members_show_on_the_branch_wall(tree, campaign, now):
    actor = Actor(user=tree.secretary)
    sheet = services.sheet_open(actor=actor, campaign=campaign, member=tree.member_a1g, today=now)
    item = services.item_add(actor=actor, sheet=sheet, values=values(text="小组承诺"), today=now)
    services.item_submit(actor=actor, item=item, today=now)
    services.item_approve(actor=actor, item=item, today=now)
    services.item_publish(actor=actor, item=item, today=now)
    body = Client().get(f"/public/commitments/{tree.branch_a1.code}/").content.decode()
    assert "李四" in body and "小组承诺" in body


def test_search_by_name_and_text(items, tree):
    client = Client()
    url = f"/public/commitments/{tree.branch_a1.code}/"
    assert "张三" in client.get(url, {"q": "张三"}).content.decode()
    assert "张三" in client.get(url, {"q": "孤寡老人"}).content.decode()
    assert "没有找到符合条件的公开承诺" in client.get(url, {"q": "不存在"}).content.decode()


def test_index_finds_only_organizations_with_walls(items, tree):
    body = Client().get("/public/commitments/", {"q": "一村"}).content.decode()
    assert tree.branch_a1.name in body and tree.branch_b1.name not in body


def test_qr_code_holds_the_absolute_wall_url(items, tree):
    body = Client().get(f"/public/commitments/{tree.branch_a1.code}/").content.decode()
    assert "<svg" in body
    assert f"<title>http://testserver/public/commitments/{tree.branch_a1.code}/</title>" in body


def test_printable_cards(items, tree):
    response = Client().get(f"/public/commitments/{tree.branch_a1.code}/cards/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "commitment-card" in body and "cards.css" in body and "<svg" in body
    assert tree.branch_a1.name in body and "张三" in body
    assert "承诺-draft" not in body


def test_public_item_page_has_timeline_without_names_of_staff(
    items, tree, make_item, set_phase, now
):
    item = items["in_progress"]
    set_phase(PhaseKind.CREATE)
    services.comment_add(
        actor=Actor(user=tree.town_admin), item=item, organization=tree.town_a, text="抓得实"
    )
    body = (
        Client().get(f"/public/commitments/{tree.branch_a1.code}/items/{item.pk}/").content.decode()
    )
    assert "已上门4次" in body and "抓得实" in body and tree.town_a.name in body
    assert "town_admin" not in body and "secretary_a1" not in body


def test_user_text_is_escaped(tree, campaign, now):
    actor = Actor(user=tree.secretary)
    sheet = services.sheet_open(actor=actor, campaign=campaign, member=tree.member_a1, today=now)
    item = services.item_add(
        actor=actor, sheet=sheet, values=values(text="<script>alert(1)</script>"), today=now
    )
    services.item_submit(actor=actor, item=item, today=now)
    services.item_approve(actor=Actor(user=tree.town_admin), item=item, today=now)
    services.item_publish(actor=Actor(user=tree.town_admin), item=item, today=now)
    body = Client().get(f"/public/commitments/{tree.branch_a1.code}/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_wall_query_count_does_not_grow_with_items(make_item, tree, django_assert_max_num_queries):
    for _ in range(12):
        make_item(ItemStatus.IN_PROGRESS)
    with django_assert_max_num_queries(12):
        response = Client().get(f"/public/commitments/{tree.branch_a1.code}/")
    assert response.content.decode().count('class="cm-item"') == 12


def test_the_wall_says_when_public_rating_opens_and_closes(items, tree, campaign, now):
    url = f"/public/commitments/{tree.branch_a1.code}/"
    assert not campaign.phases.filter(kind=PhaseKind.REVIEW).exists()
    Phase.objects.create(
        campaign=campaign,
        kind=PhaseKind.REVIEW,
        starts_on=now + dt.timedelta(days=31),
        ends_on=now + dt.timedelta(days=60),
    )
    start, end = now + dt.timedelta(days=31), now + dt.timedelta(days=60)
    body = Client().get(url).content.decode()
    assert f"群众评价将于 {start:%Y-%m-%d} 开始，{end:%Y-%m-%d} 截止" in body
    Phase.objects.filter(campaign=campaign, kind=PhaseKind.REVIEW).update(
        starts_on=now - dt.timedelta(days=1)
    )
    # Whatever phase the items were made in ends before today.
    Phase.objects.filter(campaign=campaign).exclude(kind=PhaseKind.REVIEW).update(
        ends_on=now - dt.timedelta(days=2)
    )
    body = Client().get(url).content.decode()
    assert "评诺进行中" in body and f"（{end:%Y-%m-%d} 截止）" in body
    Phase.objects.filter(campaign=campaign, kind=PhaseKind.REVIEW).update(
        starts_on=now - dt.timedelta(days=20), ends_on=now - dt.timedelta(days=10)
    )
    body = Client().get(url).content.decode()
    assert f"群众评价已于 {now - dt.timedelta(days=10):%Y-%m-%d} 结束" in body

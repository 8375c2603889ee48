"""亮身份 post cards: made by the member or the branch, printed with a QR code, rated by the
public once per device per day; the yearly satisfaction is an appraisal metric."""

import datetime as dt

import pytest

from chuangxian.appraisal.metrics import Period, compute_metric
from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.openness import metrics
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import PostCard, PostRating, PostType, ServiceScore
from chuangxian.openness.services import cards

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>"


@pytest.fixture
def card(tree):  # type: ignore[no-untyped-def]
    return cards.card_save(
        actor=Actor(user=tree.member_user),
        member=tree.member_a1,
        post_type=PostType.WINDOW,
        post_name="村便民服务中心社保窗口",
        pledge="微笑服务，一次讲清，限时办结。",
    )


def test_rating_once_per_device_per_day(card, now):
    cards.card_rate(card=card, score=ServiceScore.SATISFIED, device_id="d1", today=now)
    with pytest.raises(OpennessError, match="今天已评价"):
        cards.card_rate(card=card, score=ServiceScore.BASIC, device_id="d1", today=now)
    cards.card_rate(
        card=card, score=ServiceScore.BASIC, device_id="d1", today=now + dt.timedelta(days=1)
    )
    cards.card_rate(card=card, score=ServiceScore.DISSATISFIED, device_id="d2", today=now)
    assert PostRating.objects.count() == 3
    with pytest.raises(OpennessError):
        cards.card_rate(card=card, score=50, device_id="d3", today=now)
    assert AuditEvent.objects.filter(object_type="postrating").count() == 3


def test_address_limit_and_deactivated_card(card, now, settings, tree):
    settings.OPENNESS_CARD_RATINGS_PER_ADDRESS_PER_HOUR = 1
    cards.card_rate(card=card, score=100, device_id="a", today=now, address="10.1.1.1")
    with pytest.raises(OpennessError, match="频繁"):
        cards.card_rate(card=card, score=100, device_id="b", today=now, address="10.1.1.1")
    cards.card_deactivate(actor=Actor(user=tree.secretary), card=card)
    card.refresh_from_db()
    with pytest.raises(OpennessError, match="停用"):
        cards.card_rate(card=card, score=100, device_id="c", today=now)


def test_yearly_service_satisfaction_metric(card, tree, now):
    cards.card_rate(card=card, score=100, device_id="a", today=now)
    cards.card_rate(card=card, score=60, device_id="b", today=now)
    values = compute_metric(
        metrics.SERVICE, [tree.member_a1.pk, tree.member_a2.pk], Period.of_year(now.year)
    )
    assert values == {tree.member_a1.pk: 0.8, tree.member_a2.pk: None}


def test_public_card_page_rates_in_one_tap_escaped(client, card, tree):
    cards.card_save(
        actor=Actor(user=tree.member_user),
        member=tree.member_a1,
        post_type=PostType.WINDOW,
        post_name=f"窗口{PAYLOAD}",
        pledge=f"承诺{PAYLOAD}",
    )
    url = f"/public/openness/cards/{card.token}/"
    page = client.get(url).content.decode()
    assert "张三" in page and PAYLOAD not in page and "&lt;script&gt;" in page
    assert tree.member_a1.phone not in page
    response = client.post(url + "rate/", {"score": "60", "comment": f"态度好{PAYLOAD}"})
    assert response.status_code == 302
    rating = PostRating.objects.get()
    assert rating.score == 60 and rating.comment.startswith("态度好")
    again = client.post(url + "rate/", {"score": "100"}, follow=True).content.decode()
    assert "今天已评价" in again
    assert PostRating.objects.count() == 1
    # The member sees the rating and its comment, escaped.
    client.force_login(tree.member_user)
    mine = client.get(f"/openness/cards/{card.pk}/").content.decode()
    assert "态度好" in mine and PAYLOAD not in mine
    printed = client.get(f"/openness/cards/{card.pk}/print/").content.decode()
    assert "<svg" in printed and "请扫码评价我的服务" in printed


@pytest.mark.parametrize(
    ("who", "sees", "edits"),
    [
        ("member_user", True, True),
        ("secretary", True, True),
        ("county_admin", True, True),
        ("sibling_secretary", False, False),
        ("outsider", False, False),
    ],
)
def test_card_pages_are_scoped(client, card, tree, who, sees, edits):
    client.force_login(getattr(tree, who))
    assert client.get(f"/openness/cards/{card.pk}/").status_code == (200 if sees else 404)
    edit = client.get(f"/openness/cards/member/{tree.member_a1.pk}/")
    assert edit.status_code == (200 if edits else 404)


def test_branch_makes_a_card_for_a_member(client, tree):
    client.force_login(tree.secretary)
    listing = client.get("/openness/cards/").content.decode()
    assert "王五" not in listing  # another branch's member
    response = client.post(
        f"/openness/cards/member/{tree.member_a1.pk}/",
        {"post_type": PostType.ZONE, "post_name": "三组责任区", "pledge": "每周走访责任区农户"},
    )
    assert response.status_code == 302
    assert PostCard.objects.get().organization == tree.branch_a1


def test_inactive_card_is_gone_from_public(client, card, tree):
    cards.card_deactivate(actor=Actor(user=tree.secretary), card=card)
    assert client.get(f"/public/openness/cards/{card.token}/").status_code == 404

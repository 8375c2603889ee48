"""评诺: only in the rating phase, once per device (keyed hash, signed HttpOnly cookie) or per
account, rate-limited per address, stored with the rater group."""

import pytest
from django.test import Client

from chuangxian.audit.services import Actor
from chuangxian.campaigns.models import PhaseKind
from chuangxian.commitments import services
from chuangxian.commitments.models import ItemStatus, RaterGroup, Rating
from chuangxian.commitments.views.public import DEVICE_COOKIE
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PUBLIC = Actor(label="群众")


@pytest.fixture
def published(make_item, set_phase):  # type: ignore[no-untyped-def]
    item = make_item(ItemStatus.IN_PROGRESS)
    set_phase(PhaseKind.REVIEW)
    return item


def rate(item, now, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("group", RaterGroup.PUBLIC)
    kwargs.setdefault("score", 100)
    return services.rating_record(actor=PUBLIC, item=item, today=now, **kwargs)


@pytest.mark.parametrize("kind", [PhaseKind.DEPLOY, PhaseKind.CREATE, PhaseKind.AWARD])
def test_no_rating_outside_the_rating_phase(kind, published, set_phase, now):
    set_phase(kind)
    with pytest.raises(services.CommitmentError, match="不在评诺阶段"):
        rate(published, now, device_id="d1")
    assert not Rating.objects.exists()


@pytest.mark.parametrize("status", [ItemStatus.DRAFT, ItemStatus.SUBMITTED, ItemStatus.APPROVED])
def test_unpublished_items_cannot_be_rated(status, make_item, set_phase, now):
    item = make_item(status)
    set_phase(PhaseKind.REVIEW)
    with pytest.raises(services.CommitmentError, match="不能评价"):
        rate(item, now, device_id="d1")


def test_one_rating_per_device_stored_as_a_keyed_hash(published, now):
    rating = rate(published, now, device_id="device-secret-1", score=60)
    assert rating.device_hash and "device-secret-1" not in rating.device_hash
    assert rating.device_hash == services.device_hash("device-secret-1")
    with pytest.raises(services.CommitmentError, match="本设备已评价过该承诺"):
        rate(published, now, device_id="device-secret-1", score=0)
    rate(published, now, device_id="device-secret-2", score=0)
    assert sorted(Rating.objects.values_list("score", flat=True)) == [0, 60]


def test_public_rating_needs_a_device(published, now):
    with pytest.raises(services.CommitmentError, match="Cookie"):
        rate(published, now, device_id="")


def test_rate_limit_per_address(published, make_item, settings, now, set_phase):
    settings.COMMITMENT_PUBLIC_RATINGS_PER_HOUR = 3
    others = [make_item(ItemStatus.PUBLISHED) for _ in range(3)]
    set_phase(PhaseKind.REVIEW)
    for index, item in enumerate([published, *others[:2]]):
        rate(item, now, device_id=f"dev{index}", address="10.0.0.8")
    with pytest.raises(services.CommitmentError, match="评价过于频繁"):
        rate(others[2], now, device_id="dev9", address="10.0.0.8")
    rate(others[2], now, device_id="dev9", address="10.0.0.9")  # another address is fine
    assert Rating.objects.count() == 4
    assert "10.0.0.8" not in set(Rating.objects.values_list("address_hash", flat=True))


def test_accounts_rate_once_in_their_group(published, tree, now):
    rate(published, now, group=RaterGroup.SUPERIOR, rater=tree.town_admin, score=100)
    with pytest.raises(services.CommitmentError, match="您已评价过该承诺"):
        rate(published, now, group=RaterGroup.SUPERIOR, rater=tree.town_admin, score=0)
    with pytest.raises(services.CommitmentError, match="请先登录"):
        rate(published, now, group=RaterGroup.MEMBER)
    assert list(Rating.objects.values_list("group", "rater__username")) == [
        (RaterGroup.SUPERIOR, "town_admin")
    ]


def wall_url(tree) -> str:  # type: ignore[no-untyped-def]
    return f"/public/commitments/{tree.branch_a1.code}/"


def test_wall_sets_a_signed_httponly_device_cookie_and_rates_once(published, tree):
    client = Client()
    response = client.get(wall_url(tree))
    assert response.status_code == 200
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and ":" in cookie.value  # signed value
    assert "提交评价" in response.content.decode()
    url = f"{wall_url(tree)}items/{published.pk}/rate/"
    first = client.post(url, {"score": "100"}, follow=True)
    assert "感谢您的评价" in first.content.decode()
    second = client.post(url, {"score": "0"}, follow=True)
    assert "本设备已评价过该承诺" in second.content.decode()
    rating = Rating.objects.get()
    assert (rating.group, rating.score, rating.rater) == (RaterGroup.PUBLIC, 100, None)
    raw = client.cookies[DEVICE_COOKIE].value
    assert raw not in rating.device_hash


def test_a_forged_device_cookie_is_ignored(published, tree):
    client = Client()
    client.cookies[DEVICE_COOKIE] = "forged-value"
    response = client.post(
        f"{wall_url(tree)}items/{published.pk}/rate/", {"score": "100"}, follow=True
    )
    assert "Cookie" in response.content.decode()
    assert not Rating.objects.exists()


def test_logged_in_fellow_member_rates_on_the_wall_as_member(published, tree, client):
    fellow = make_user("li_si", member=tree.member_a1g)
    client.force_login(fellow)
    client.post(f"{wall_url(tree)}items/{published.pk}/rate/", {"score": "60"})
    rating = Rating.objects.get()
    assert (rating.group, rating.rater, rating.device_hash) == (RaterGroup.MEMBER, fellow, "")


def test_subject_cannot_rate_their_own_item(published, tree, client):
    client.force_login(tree.member_user)
    response = client.post(
        f"{wall_url(tree)}items/{published.pk}/rate/", {"score": "100"}, follow=True
    )
    assert "不能评价自己的承诺" in response.content.decode()
    assert not Rating.objects.exists()


def test_superior_rates_on_the_staff_page(published, client_as):
    client = client_as("town_admin")
    page = client.get(f"/commitments/items/{published.pk}/")
    assert "评诺（组织评）" in page.content.decode()
    client.post(f"/commitments/items/{published.pk}/rate/", {"score": "100"})
    assert Rating.objects.get().group == RaterGroup.SUPERIOR


def test_outsider_cannot_rate_on_the_staff_page(published, client_as):
    response = client_as("outsider").post(
        f"/commitments/items/{published.pk}/rate/", {"score": "100"}
    )
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_dropping_the_cookie_gives_no_more_ratings(published, tree):
    """The issue's probe: a fresh cookie for each of 30 ratings of one item from one address
    and browser. Only the first counts."""
    url = f"{wall_url(tree)}items/{published.pk}/rate/"
    phone = {"REMOTE_ADDR": "10.3.3.3", "HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 14) X"}
    accepted = 0
    for _ in range(30):
        client = Client(**phone)  # a new browser profile: no cookie
        client.get(wall_url(tree))
        body = client.post(url, {"score": "100"}, follow=True).content.decode()
        accepted += "感谢您的评价" in body
    assert accepted == 1
    assert Rating.objects.count() == 1


def test_other_phones_on_one_network_may_rate_a_few_times(published, now, settings):
    settings.COMMITMENT_PUBLIC_RATINGS_PER_ITEM_PER_ADDRESS = 3
    for n in range(3):
        rate(published, now, device_id=f"d{n}", address="10.4.4.4", user_agent=f"phone {n}")
    # A changed User-Agent as well as a dropped cookie: still capped per item and address.
    with pytest.raises(services.CommitmentError, match="同一网络已多次评价"):
        rate(published, now, device_id="d9", address="10.4.4.4", user_agent="phone 9")
    rate(published, now, device_id="d9", address="10.4.4.5", user_agent="phone 9")
    # Same address and browser, new cookie: recognised as the same device.
    with pytest.raises(services.CommitmentError, match="本设备已评价过"):
        rate(published, now, device_id="d10", address="10.4.4.5", user_agent="phone 9")
    stored = set(Rating.objects.values_list("client_hash", flat=True))
    assert all(len(h) == 64 and "10.4.4" not in h for h in stored)

"""Login limits per resolved account and per address, counted before the password check."""

import threading

import pytest
from django.contrib.auth import authenticate
from django.db import connection, connections
from django.test import RequestFactory

from chuangxian.orgs.authentication import LoginLocked
from chuangxian.orgs.login_limits import unlock
from chuangxian.orgs.models import LoginThrottle, User

pytestmark = pytest.mark.django_db
PASSWORD = "Passw0rd-2026"


def _request(ip: str = "10.9.0.1"):  # type: ignore[no-untyped-def]
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)


def _try(username: str, password: str, ip: str = "10.9.0.1") -> str:
    try:
        user = authenticate(_request(ip), username=username, password=password)
    except LoginLocked:
        return "locked"
    return "ok" if user is not None else "wrong"


def test_username_and_phone_share_one_account_counter(tree, settings) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(pk=tree.secretary.pk).update(phone="13700001111")
    limit = settings.LOGIN_FAILURE_LIMIT
    for i in range(limit):
        name = "secretary_a1" if i % 2 else "13700001111"
        assert _try(name, "wrong", ip=f"10.9.1.{i}") == "wrong"
    # Neither spelling, from any address, gets another guess — not even the right one.
    assert _try("13700001111", PASSWORD, ip="10.9.2.1") == "locked"
    assert _try("SECRETARY_A1", PASSWORD, ip="10.9.2.2") == "locked"
    assert LoginThrottle.objects.get(key=f"account:{tree.secretary.pk}").locked_until
    unlock(user_id=tree.secretary.pk)
    assert _try("secretary_a1", PASSWORD, ip="10.9.2.3") == "ok"


def test_unknown_names_are_limited_too(tree, settings) -> None:  # type: ignore[no-untyped-def]
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        assert _try("nobody", "wrong", ip=f"10.9.3.{i}") == "wrong"
    assert _try("nobody", "wrong", ip="10.9.3.99") == "locked"


def test_address_limit_across_accounts(tree, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    names = ["secretary_a1", "worker_a1", "town_admin"]
    for i in range(6):
        assert _try(names[i % 3], "wrong", ip="10.9.4.4") == "wrong"
    # The address is locked for every account; the accounts themselves are not.
    assert _try("county_admin", PASSWORD, ip="10.9.4.4") == "locked"
    assert _try("county_admin", PASSWORD, ip="10.9.4.5") == "ok"


def test_success_resets_the_account_and_gives_back_only_its_own_attempt(tree, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    for _ in range(3):
        assert _try("secretary_a1", "wrong", ip="10.9.5.5") == "wrong"
    assert _try("worker_a1", PASSWORD, ip="10.9.5.5") == "ok"  # a valid account of one's own
    assert LoginThrottle.objects.get(key="address:10.9.5.5").failures == 3
    assert _try("secretary_a1", PASSWORD, ip="10.9.5.6") == "ok"
    assert LoginThrottle.objects.get(key=f"account:{tree.secretary.pk}").failures == 0
    assert _try("secretary_a1", "wrong", ip="10.9.5.5") == "wrong"  # the 4th at the address
    assert _try("worker_a1", PASSWORD, ip="10.9.5.5") == "locked"


def test_window_passes_and_the_counter_starts_again(tree, settings) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _try("secretary_a1", "wrong")
    assert _try("secretary_a1", PASSWORD) == "locked"
    long_ago = timezone.now() - dt.timedelta(hours=2)
    LoginThrottle.objects.update(window_start=long_ago, locked_until=long_ago)
    assert _try("secretary_a1", PASSWORD) == "ok"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs-postgres: SQLite serializes every writer, so requests cannot race there",
)
def test_concurrent_guesses_cannot_pass_the_limit(tree, settings) -> None:  # type: ignore[no-untyped-def]
    """30 simultaneous wrong passwords for one account, each on its own connection: only
    LOGIN_FAILURE_LIMIT reach the password check, and the right password is refused after."""
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(30)

    def guess(i: int) -> None:
        try:
            start.wait()
            result = _try("secretary_a1", f"wrong-{i}", ip=f"10.8.{i // 250}.{i % 250}")
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 30
    assert outcomes.count("wrong") == settings.LOGIN_FAILURE_LIMIT
    assert outcomes.count("locked") == 30 - settings.LOGIN_FAILURE_LIMIT
    assert _try("secretary_a1", PASSWORD, ip="10.7.7.7") == "locked"
    assert _try(str(tree.secretary.phone or "secretary_a1"), PASSWORD, ip="10.7.7.8") == "locked"


def test_expired_counters_are_purged(tree, settings) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from chuangxian.orgs.login_limits import purge_expired

    _try("nobody-1", "wrong")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _try("secretary_a1", "wrong")
    long_ago = timezone.now() - dt.timedelta(hours=2)
    LoginThrottle.objects.update(window_start=long_ago)
    # The locked account's counter stays until its lock ends; the others go.
    assert purge_expired() == 2  # the unknown name and the address
    assert list(LoginThrottle.objects.values_list("key", flat=True)) == [
        f"account:{tree.secretary.pk}"
    ]

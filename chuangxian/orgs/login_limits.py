"""Login limits that hold under concurrency: failures per account and per address.

Every attempt is counted *before* its password is checked, by one atomic statement per
counter (an upsert that increments and returns the new count), so thirty simultaneous
attempts get thirty different counts and only the first LOGIN_FAILURE_LIMIT reach the
password check; a success gives its count back. The account counter is keyed by the resolved
account, so a username and a phone number for the same account share it; a name that matches
no account has a counter of its own, so unknown names are limited alike. The address counter
is looser (LOGIN_ADDRESS_FAILURE_LIMIT): many people in one office share one NAT address.

A counter whose window (LOGIN_FAILURE_WINDOW_SECONDS, from its first failure) has passed and
which is not locked starts again at one. Reaching the limit with a failed check locks the
counter for LOGIN_LOCKOUT_SECONDS."""

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from chuangxian.orgs.models import LoginThrottle

# The upsert is plain SQL because it must be one statement; its text is constant.
_RESERVE = """
INSERT INTO orgs_loginthrottle (key, failures, window_start, locked_until)
VALUES (%(key)s, 1, %(now)s, NULL)
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN {expired} THEN 1 ELSE orgs_loginthrottle.failures + 1 END,
    window_start = CASE WHEN {expired} THEN %(now)s ELSE orgs_loginthrottle.window_start END,
    locked_until = CASE WHEN {expired} THEN NULL ELSE orgs_loginthrottle.locked_until END
RETURNING failures,
    CASE WHEN orgs_loginthrottle.locked_until > %(now)s THEN 1 ELSE 0 END
""".format(
    expired="(orgs_loginthrottle.window_start < %(since)s AND "
    "(orgs_loginthrottle.locked_until IS NULL OR orgs_loginthrottle.locked_until <= %(now)s))"
)


@dataclass(frozen=True)
class Attempt:
    """The counters one attempt was recorded on, and whether it may go on to the check."""

    keys: tuple[str, ...]
    allowed: bool


def account_key(user_id: int | None, typed: str) -> str:
    return f"account:{user_id}" if user_id is not None else f"name:{typed.strip().lower()[:150]}"


def address_key(ip: str) -> str:
    return f"address:{ip}"


def _db_time(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _limits() -> dict[str, int]:
    return {
        "account": settings.LOGIN_FAILURE_LIMIT,
        "name": settings.LOGIN_FAILURE_LIMIT,
        "address": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
    }


PURGE_EVERY_SECONDS = 3600
_last_purge = [0.0]  # per process; losing it only means purging once more


def purge_expired() -> int:
    """Delete counters whose window has passed and which are not locked: they would start
    again at one anyway. Keeps the table the size of recent activity (sprayed unknown names
    would otherwise add a row each for good)."""
    now = timezone.now()
    since = now - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    expired = LoginThrottle.objects.filter(window_start__lt=since).exclude(locked_until__gt=now)
    return int(expired.delete()[0])


def attempt_begin(*, user_id: int | None, typed: str, ip: str | None) -> Attempt:
    """Count the attempt on the account (or typed-name) counter and the address counter.
    Allowed only when neither is locked and neither count exceeds its limit; a refused attempt
    stays counted (a locked counter keeps growing while it is locked, harmlessly)."""
    if time.monotonic() - _last_purge[0] >= PURGE_EVERY_SECONDS:
        _last_purge[0] = time.monotonic()
        purge_expired()
    keys = [account_key(user_id, typed)]
    if ip:
        keys.append(address_key(ip))
    now = timezone.now()
    since = now - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    params = {"now": _db_time(now), "since": _db_time(since)}
    limits = _limits()
    allowed = True
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute(_RESERVE, params | {"key": key})
            failures, locked = cursor.fetchone()
            if locked or failures > limits[key.split(":", 1)[0]]:
                allowed = False
    return Attempt(keys=tuple(keys), allowed=allowed)


def attempt_failed(attempt: Attempt) -> None:
    """The password was wrong: the attempt stays counted; a counter at its limit locks."""
    now = timezone.now()
    limits = _limits()
    for key in attempt.keys:
        LoginThrottle.objects.filter(
            key=key, failures__gte=limits[key.split(":", 1)[0]], locked_until__isnull=True
        ).update(locked_until=now + dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS))


def attempt_succeeded(attempt: Attempt) -> None:
    """The password was right: the account starts again from nothing; the address gets this
    attempt back (not all of them: one valid account must not clear an address's guesses)."""
    account, *others = attempt.keys
    LoginThrottle.objects.filter(key=account).update(failures=0, locked_until=None)
    LoginThrottle.objects.filter(key__in=others, failures__gt=0).update(failures=F("failures") - 1)


def unlock(*, user_id: int) -> None:
    """Clear an account's counter (an administrator's reset)."""
    LoginThrottle.objects.filter(key=account_key(user_id, "")).delete()

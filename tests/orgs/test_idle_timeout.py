"""Idle sessions end: 30 minutes by default for staff, configurable; members keep theirs."""

import time

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _age_session(client, seconds: int) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    session["last_activity"] = int(time.time()) - seconds
    session.save()


def test_staff_idle_too_long_is_logged_out(client, tree, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.SESSION_IDLE_TIMEOUT_STAFF == 30 * 60
    # Through the login page: the clock starts at login.
    client.post(reverse("login"), {"username": "secretary_a1", "password": "Passw0rd-2026"})
    assert "last_activity" in client.session
    assert client.get(reverse("orgs:tree")).status_code == 200
    _age_session(client, 29 * 60)
    assert client.get(reverse("orgs:tree")).status_code == 200  # and the clock starts again
    _age_session(client, 31 * 60)
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_the_limit_is_a_setting(client, tree, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SESSION_IDLE_TIMEOUT_STAFF = 5 * 60
    client.force_login(tree.town_admin)
    client.get(reverse("home"))
    _age_session(client, 6 * 60)
    assert client.get(reverse("home")).status_code == 302


def test_members_keep_the_session_by_default_or_get_their_own_limit(client, tree, settings) -> None:  # type: ignore[no-untyped-def]
    client.force_login(tree.member_user)
    client.get(reverse("home"))
    _age_session(client, 3 * 60 * 60)
    assert client.get(reverse("home")).status_code == 200
    settings.SESSION_IDLE_TIMEOUT_MEMBERS = 2 * 60 * 60
    _age_session(client, 3 * 60 * 60)
    assert client.get(reverse("home")).status_code == 302

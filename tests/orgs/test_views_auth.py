"""Login by username or phone, the lockout, logout, password change, the login wall."""

import pytest
from django.urls import reverse

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.orgs.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "Passw0rd-2026"


def _login(client, username, password=PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_renders_in_chinese(client):  # type: ignore[no-untyped-def]
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "用户名或手机号码" in response.content.decode()


def test_login_by_username(client, tree):  # type: ignore[no-untyped-def]
    response = _login(client, "town_admin")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == tree.town_admin


def test_login_by_phone(client, tree):  # type: ignore[no-untyped-def]
    User.objects.filter(pk=tree.secretary.pk).update(phone="13912345678")
    response = _login(client, "13912345678")
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == tree.secretary


def test_login_follows_a_local_next_but_not_a_foreign_one(client, tree):  # type: ignore[no-untyped-def]
    data = {"username": "town_admin", "password": PASSWORD, "next": "/tree/"}
    assert client.post(reverse("login"), data)["Location"] == "/tree/"
    client.logout()
    data["next"] = "https://evil.example/"
    assert client.post(reverse("login"), data)["Location"] == reverse("home")


def test_wrong_password_shows_chinese_message(client, tree):  # type: ignore[no-untyped-def]
    response = _login(client, "town_admin", "wrong-Passw0rd")
    assert response.status_code == 200
    assert "用户名（或手机号码）或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_after_repeated_failures_even_with_right_password(client, tree, settings):  # type: ignore[no-untyped-def]
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _login(client, "town_admin", "wrong-Passw0rd")
    response = _login(client, "town_admin")
    body = response.content.decode()
    assert response.status_code == 200
    assert "锁定15分钟" in body
    assert "_auth_user_id" not in client.session
    _login(client, "town_admin")  # a second locked attempt is not audited again
    events = AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED)
    assert events.count() == 1
    assert events.get().org_path == tree.town_a.path


def test_anonymous_is_sent_to_login(client, tree):  # type: ignore[no-untyped-def]
    url = reverse("orgs:organization", args=[tree.branch_a1.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_logout_needs_post(client, tree):  # type: ignore[no-untyped-def]
    client.force_login(tree.town_admin)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, tree):  # type: ignore[no-untyped-def]
    client.force_login(tree.secretary)
    url = reverse("orgs:password_change")
    weak = {"old_password": PASSWORD, "password": "12345678", "password_again": "12345678"}
    response = client.post(url, weak)
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    good = {
        "old_password": PASSWORD,
        "password": "Xin-mima-2027",
        "password_again": "Xin-mima-2027",
    }
    assert client.post(url, good).status_code == 302
    tree.secretary.refresh_from_db()
    assert tree.secretary.check_password("Xin-mima-2027")
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="user").exists()
    # Still logged in after the change.
    assert client.get(reverse("home")).status_code == 200


def test_password_change_refuses_wrong_old_password(client, tree):  # type: ignore[no-untyped-def]
    client.force_login(tree.secretary)
    data = {"old_password": "nope", "password": "Xin-mima-2027", "password_again": "Xin-mima-2027"}
    response = client.post(reverse("orgs:password_change"), data)
    assert "当前密码不正确" in response.content.decode()
    tree.secretary.refresh_from_db()
    assert tree.secretary.check_password(PASSWORD)


def test_error_pages_in_chinese(client, tree, settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    client.force_login(tree.secretary)
    response = client.get(reverse("orgs:organization", args=[tree.branch_b1.pk]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_server_error_page_renders_without_a_request():  # type: ignore[no-untyped-def]
    from django.template.loader import render_to_string

    assert "系统出错" in render_to_string("500.html")


@pytest.mark.django_db
def test_member_home_lists_self_service_links(client, tree):
    client.force_login(tree.member_user)
    body = client.get("/").content.decode()
    assert f"/members/{tree.member_a1.pk}/" in body
    assert "/reminders/" in body
    assert "我管理的党组织" not in body


def test_logins_failures_and_logouts_are_audited(client, tree):  # type: ignore[no-untyped-def]
    _login(client, "town_admin", "wrong-Passw0rd")
    _login(client, "no-such-user", "wrong-Passw0rd")
    _login(client, "town_admin")
    client.post(reverse("logout"))
    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.action for e in events] == [
        AuditAction.LOGIN_FAILED,
        AuditAction.LOGIN_FAILED,
        AuditAction.LOGIN,
        AuditAction.LOGOUT,
    ]
    failed, unknown, success, logout = events
    assert failed.object_id == str(tree.town_admin.pk) and failed.org_path == tree.town_a.path
    assert failed.ip_address == "127.0.0.1"
    assert unknown.object_id == "" and unknown.object_label == "no-such-user"
    assert success.actor == tree.town_admin and success.org_path == tree.town_a.path
    assert logout.actor == tree.town_admin

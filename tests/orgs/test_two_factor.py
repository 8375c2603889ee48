"""Two-factor authentication: enrolment with a QR code, the code step of the login,
recovery codes, the requirement for administrators, a superior's reset, and their audit."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.orgs.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "Passw0rd-2026"


@pytest.fixture(autouse=True)
def _required(settings):  # type: ignore[no-untyped-def]
    settings.CHUANGXIAN_REQUIRE_ADMIN_2FA = True
    # django-otp's own per-device back-off (1 s, doubling) would make a right code right after
    # a wrong one wait; the login limits are what these tests count.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _code(user: User) -> str:
    """The app's current code (the device's replay guard reset, so a test may use the same
    time step twice)."""
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _login(client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password})


def _enrol(client, user: User) -> list[str]:  # type: ignore[no-untyped-def]
    url = reverse("orgs:two_factor")
    page = client.post(url, {"action": "start"})
    body = page.content.decode()
    assert "<svg" in body and "密钥" in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    shown = client.post(url, {"action": "confirm", "code": code})
    assert shown.status_code == 200
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown.content.decode())


def test_administrator_must_enrol_then_logs_in_with_a_code(client, tree) -> None:  # type: ignore[no-untyped-def]
    response = _login(client, "town_admin")
    assert response["Location"] == reverse("orgs:two_factor")
    # Until enrolled, every page leads back to enrolment.
    assert client.get(reverse("orgs:tree"))["Location"] == reverse("orgs:two_factor")
    wrong = client.post(reverse("orgs:two_factor"), {"action": "confirm", "code": "000000"})
    assert "不正确" in wrong.content.decode() or "重新开始" in wrong.content.decode()
    codes = _enrol(client, tree.town_admin)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Recovery codes are kept only as keyed hashes.
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert not stored & {c.replace("-", "") for c in codes} and len(stored) == 10
    assert client.get(reverse("orgs:tree")).status_code == 200
    client.post(reverse("logout"))

    # The password alone no longer logs in: the code step follows.
    response = _login(client, "town_admin")
    assert response["Location"] == reverse("login_verify")
    assert "_auth_user_id" not in client.session
    bad = client.post(reverse("login_verify"), {"code": "123456"})
    assert "验证码不正确" in bad.content.decode() and "_auth_user_id" not in client.session
    good = client.post(reverse("login_verify"), {"code": _code(tree.town_admin)})
    assert good["Location"] == reverse("home")
    assert client.get(reverse("orgs:tree")).status_code == 200
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions.count(AuditAction.TWO_FACTOR_ON) == 1
    assert actions[-2:] == [AuditAction.LOGIN_FAILED, AuditAction.LOGIN]


def test_recovery_code_works_once(client, tree) -> None:  # type: ignore[no-untyped-def]
    _login(client, "town_admin")
    codes = _enrol(client, tree.town_admin)
    client.post(reverse("logout"))
    _login(client, "town_admin")
    used = client.post(reverse("login_verify"), {"code": codes[0].upper()})
    assert used.status_code == 302 and used["Location"] == reverse("home")
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_USED).count() == 1
    client.post(reverse("logout"))
    _login(client, "town_admin")
    again = client.post(reverse("login_verify"), {"code": codes[0]})
    assert again.status_code == 200 and "_auth_user_id" not in client.session


def test_code_step_counts_toward_the_login_limit(client, tree, settings) -> None:  # type: ignore[no-untyped-def]
    _login(client, "town_admin")
    _enrol(client, tree.town_admin)
    client.post(reverse("logout"))
    _login(client, "town_admin")
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login_verify"), {"code": f"{i:06d}"})
    locked = client.post(reverse("login_verify"), {"code": _code(tree.town_admin)})
    assert locked["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_optional_for_members_and_they_may_turn_it_off(client, tree) -> None:  # type: ignore[no-untyped-def]
    response = _login(client, "secretary_a1")
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    _enrol(client, tree.secretary)
    off = client.post(
        reverse("orgs:two_factor"), {"action": "disable", "code": _code(tree.secretary)}
    )
    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=tree.secretary).exists()
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert event.reason == "本人停用"


def test_administrator_cannot_turn_it_off(client, tree) -> None:  # type: ignore[no-untyped-def]
    _login(client, "town_admin")
    _enrol(client, tree.town_admin)
    page = client.post(
        reverse("orgs:two_factor"), {"action": "disable", "code": _code(tree.town_admin)}
    )
    assert "不能停用" in page.content.decode()
    assert TOTPDevice.objects.filter(user=tree.town_admin, confirmed=True).exists()


def test_superior_resets_a_subordinates_two_factor(client, tree) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    subordinate = Client()
    _login(subordinate, "town_admin")
    _enrol(subordinate, tree.town_admin)
    assert subordinate.get(reverse("orgs:tree")).status_code == 200

    # A peer or lower administrator may not; the superior may, with a reason, audited.
    _login(client, "admin_b")
    _enrol(client, tree.outsider)
    url = reverse("orgs:account_two_factor_reset", args=[tree.town_admin.pk])
    assert client.post(url, {"reason": "手机丢失"}).status_code == 404
    client.post(reverse("logout"))
    superior = Client()
    _login(superior, "county_admin")
    _enrol(superior, tree.county_admin)
    page = superior.get(reverse("orgs:account", args=[tree.town_admin.pk]))
    assert "重置双因素认证" in page.content.decode()
    assert superior.post(url, {"reason": "手机丢失"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=tree.town_admin).exists()
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert event.actor == tree.county_admin and event.reason == "手机丢失"
    assert event.org_path == tree.town_a.path
    # The subordinate's verified session ends; the next login asks for enrolment again.
    assert subordinate.get(reverse("orgs:tree"))["Location"].startswith(reverse("login"))
    assert _login(subordinate, "town_admin")["Location"] == reverse("orgs:two_factor")


def test_sub_administrator_cannot_reset_a_superior(client, tree) -> None:  # type: ignore[no-untyped-def]
    from chuangxian.orgs.models import Role, RoleGrant

    RoleGrant.objects.create(user=tree.county_admin, organization=tree.town_a, role=Role.WORKER)
    TOTPDevice.objects.create(user=tree.county_admin, name="x", confirmed=True)
    _login(client, "town_admin")
    _enrol(client, tree.town_admin)
    url = reverse("orgs:account_two_factor_reset", args=[tree.county_admin.pk])
    assert client.post(url, {"reason": "试图越权"}).status_code == 404
    assert TOTPDevice.objects.filter(user=tree.county_admin).exists()


def test_session_of_a_user_with_a_device_but_no_code_is_ended(client, tree) -> None:  # type: ignore[no-untyped-def]
    TOTPDevice.objects.create(user=tree.town_admin, name="x", confirmed=True)
    client.force_login(tree.town_admin)  # e.g. a session from before 2FA was required
    assert client.get(reverse("orgs:tree"))["Location"].startswith(reverse("login"))


def test_django_otp_back_off_is_explained(client, tree, settings) -> None:  # type: ignore[no-untyped-def]
    _login(client, "town_admin")
    _enrol(client, tree.town_admin)
    client.post(reverse("logout"))
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a wrong code holds the device for a minute
    _login(client, "town_admin")
    client.post(reverse("login_verify"), {"code": "000000"})
    page = client.post(reverse("login_verify"), {"code": _code(tree.town_admin)})
    assert "请稍等几秒" in page.content.decode()
    assert "_auth_user_id" not in client.session

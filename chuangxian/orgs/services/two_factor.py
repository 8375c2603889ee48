"""Two-factor authentication (TOTP, with one-time recovery codes) on django-otp's devices.

Required for administrators (any 管理员 grant) when CHUANGXIAN_REQUIRE_ADMIN_2FA is on (the
default), optional for everyone else. A user's confirmed TOTPDevice is their authenticator
app; their StaticDevice holds RECOVERY_CODES one-time codes, stored only as keyed hashes and
shown once, when made. Every change is audited under the account's organization."""

import secrets

from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.access import is_administrator
from chuangxian.orgs.models import User
from chuangxian.orgs.services.errors import RosterError
from chuangxian.orgs.services.sessions import account_org_path

RECOVERY_CODES = 10
# Recovery codes: 10 characters from an alphabet without look-alikes, shown as xxxxx-xxxxx.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def required_for(user: User) -> bool:
    """Whether the user must use a second factor to work here."""
    return bool(settings.CHUANGXIAN_REQUIRE_ADMIN_2FA) and bool(is_administrator(user))


def enabled_for(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def _audit(actor: Actor, action: AuditAction, user: User, reason: str = "") -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="user",
        object_id=str(user.pk),
        object_label=str(user)[:200],
        org_path=account_org_path(user),
        reason=reason,
    )


def _recovery_hash(code: str) -> str:
    """What is stored for a recovery code (StaticToken.token holds at most 16 characters)."""
    normalized = code.strip().lower().replace("-", "").replace(" ", "")
    return fieldcrypto.keyed_hash("recovery-code:" + normalized)[:16]


def _new_recovery_codes(user: User) -> list[str]:
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=_recovery_hash(code)) for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def two_factor_begin(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device the enrolment page shows as a QR code (a new secret each
    time enrolment starts over; a confirmed device is left alone)."""
    if enabled_for(user):
        raise RosterError({"__all__": ["已启用双因素认证"]})
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def two_factor_confirm(*, actor: Actor, user: User, code: str) -> list[str]:
    """Confirm the pending TOTP device with a code from the app; returns the new recovery
    codes (plaintext: shown this once). Refuses a wrong or expired code."""
    device = (
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk")
    ).first()
    if device is None:
        raise RosterError({"__all__": ["请重新开始启用双因素认证"]})
    if not device.verify_token(code.strip()):
        raise RosterError({"code": ["验证码不正确或已过期，请输入手机应用中当前显示的6位数字"]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _audit(actor, AuditAction.TWO_FACTOR_ON, user)
    return codes


@transaction.atomic
def recovery_codes_renew(*, actor: Actor, user: User) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working); returns the new ones."""
    if not enabled_for(user):
        raise RosterError({"__all__": ["尚未启用双因素认证"]})
    codes = _new_recovery_codes(user)
    _audit(actor, AuditAction.RECOVERY_CODES, user)
    return codes


@transaction.atomic
def two_factor_reset(*, actor: Actor, user: User, reason: str) -> None:
    """Remove the user's devices and recovery codes: a superior administrator's reset for a
    lost phone (the caller checks the scope), or the user turning optional 2FA off. An
    administrator who must use 2FA enrols again at the next login."""
    if not reason.strip():
        raise RosterError({"reason": ["请写明原因"]})
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _audit(actor, AuditAction.TWO_FACTOR_RESET, user, reason=reason.strip()[:200])


def two_factor_waiting(*, user: User) -> bool:
    """Whether django-otp's back-off (1 s after a wrong code, doubling) is holding the user's
    devices, so that even a right code is refused for a moment."""
    devices = [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]
    return any(not device.verify_is_allowed()[0] for device in devices)


def two_factor_check(*, user: User, code: str) -> Device | None:
    """The device that accepts `code`: the authenticator app's current code, or an unused
    recovery code (used up by this). None when neither does; django-otp's per-device
    throttling slows repeated failures."""
    code = code.strip()
    digits = code.replace(" ", "")
    if digits.isdigit():
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            with transaction.atomic():
                locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
                if locked.verify_is_allowed()[0] and locked.verify_token(digits):
                    return locked
        return None
    for static in StaticDevice.objects.filter(user=user, confirmed=True):
        with transaction.atomic():
            locked_static = StaticDevice.objects.select_for_update().get(pk=static.pk)
            if locked_static.verify_is_allowed()[0] and locked_static.verify_token(
                _recovery_hash(code)
            ):
                return locked_static
    return None

"""The visitor's device id: a signed, HttpOnly cookie that tells anonymous visitors apart for
the per-device limits. Only keyed hashes of it are stored."""

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE = "cx_visitor"
SALT = "chuangxian.openness.visitor"
MAX_AGE = 2 * 365 * 24 * 3600


def device_id(request: HttpRequest) -> str:
    value = request.get_signed_cookie(COOKIE, default="", salt=SALT)
    return value if isinstance(value, str) else ""


def ensure_device(request: HttpRequest) -> str:
    """The id, creating one for this request if the browser has none yet."""
    existing = device_id(request) or getattr(request, "_openness_new_device", "")
    if existing:
        return str(existing)
    new = secrets.token_urlsafe(24)
    request._openness_new_device = new  # type: ignore[attr-defined]
    return new


def remember_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give the browser its device id if it has none (signed, HttpOnly)."""
    if not device_id(request):
        response.set_signed_cookie(
            COOKIE,
            ensure_device(request),
            salt=SALT,
            max_age=MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response

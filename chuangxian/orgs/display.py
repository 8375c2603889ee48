"""适老化 (large text, high contrast): one switch on every page, remembered per device by a
cookie and per user by `User.large_display`, so an elderly member who turned it on once finds
it on again on another phone after logging in. Public pages (no account) use the cookie only."""

from django.http import HttpRequest, HttpResponse

COOKIE = "cx_large"
COOKIE_AGE = 3 * 365 * 24 * 3600


def large_display_for(request: HttpRequest) -> bool:
    """The user's own choice once they made one; otherwise the device's."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.large_display is not None:
        return bool(user.large_display)
    return request.COOKIES.get(COOKIE) == "1"


def remember_on_device(response: HttpResponse, large: bool) -> None:
    response.set_cookie(COOKIE, "1" if large else "0", max_age=COOKIE_AGE, samesite="Lax")

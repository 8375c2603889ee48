"""Everything requires a login except the public portal (and `/`, which shows it to a visitor),
the login page and static files."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

PUBLIC_PREFIXES = (
    "/public/",
    "/accounts/login/",
    "/static/",
    "/i18n/",
    "/favicon.ico",
    "/display/",
)


class LoginRequiredExceptPublicMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not request.user.is_authenticated
            and request.path != "/"  # the public portal for a visitor (chuangxian.home)
            and not request.path.startswith(PUBLIC_PREFIXES)
        ):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


# Pages a signed-in user may reach while their second factor is still missing.
TWO_FACTOR_EXEMPT = (
    "/accounts/two-factor/",
    "/accounts/logout/",
    "/accounts/login/",
    "/static/",
    "/i18n/",
    "/public/",
    "/favicon.ico",
)


class TwoFactorMiddleware:
    """A session that passed the code step carries its device (django-otp's session key):
    if that device has since been removed (a superior's reset), the session ends. An
    administrator who must use 2FA (CHUANGXIAN_REQUIRE_ADMIN_2FA) and has no verified device
    in the session is sent to enrol, or — if they have a device, e.g. a session from before
    it was required — to log in again. Nothing is read for anyone else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.contrib.auth import logout
        from django.shortcuts import redirect
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.models import Device

        from chuangxian.orgs.services import two_factor

        user = request.user
        if not user.is_authenticated or request.path.startswith(TWO_FACTOR_EXEMPT):
            return self.get_response(request)
        device_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if device_id:
            device = Device.from_persistent_id(device_id)
            if device is None or device.user_id != user.pk:
                logout(request)
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        elif settings.CHUANGXIAN_REQUIRE_ADMIN_2FA and two_factor.required_for(user):
            if two_factor.enabled_for(user):
                logout(request)
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            return redirect("orgs:two_factor")
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Ends a session left idle too long: SESSION_IDLE_TIMEOUT_STAFF seconds (default 30
    minutes) for anyone holding a role beyond 党员, SESSION_IDLE_TIMEOUT_MEMBERS for members
    (default: only the absolute SESSION_COOKIE_AGE). The clock starts at login (mark_active,
    called by the login views) and the last activity is written at most once a minute, so a
    busy user's requests do not each write the session. A session without the mark (one
    opened before this was deployed) gets it the next time its session is written anyway."""

    KEY = "last_activity"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        from django.contrib import messages
        from django.contrib.auth import logout
        from django.utils.translation import gettext as _

        from chuangxian.orgs.access import is_staff_in_tree

        user = request.user
        if user.is_authenticated:
            limit = (
                settings.SESSION_IDLE_TIMEOUT_STAFF
                if is_staff_in_tree(user)
                else settings.SESSION_IDLE_TIMEOUT_MEMBERS
            )
            now = int(time.time())
            last = request.session.get(self.KEY)
            if limit and last is not None and now - int(last) > limit:
                logout(request)
                messages.info(request, _("您长时间未操作，已自动退出，请重新登录。"))
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if last is not None and now - int(last) >= 60:
                request.session[self.KEY] = now
            response = self.get_response(request)
            if last is None and request.session.modified and request.user.is_authenticated:
                request.session[self.KEY] = now
            return response
        return self.get_response(request)


def mark_active(request: HttpRequest) -> None:
    """Start the idle clock of a session that has just logged in."""
    import time

    request.session[IdleTimeoutMiddleware.KEY] = int(time.time())

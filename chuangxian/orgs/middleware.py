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

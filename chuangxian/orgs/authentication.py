"""Login with a username or a mobile number, limited after repeated failures (login_limits)."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from chuangxian.orgs.login_limits import attempt_begin, attempt_failed, attempt_succeeded
from chuangxian.orgs.models import User


class LoginLocked(Exception):
    """Too many recent failures for this account or address."""


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind a reverse proxy the deployment sets REMOTE_ADDR correctly (see docs/operations.md);
    # X-Forwarded-For is not trusted here because any client can send it.
    return request.META.get("REMOTE_ADDR") or None


def account_for(typed: str) -> User | None:
    """The account a typed username (any case) or mobile number names."""
    typed = typed.strip()
    if not typed:
        return None
    return User.objects.filter(Q(username__iexact=typed) | Q(phone=typed)).first()


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = account_for(username)
        # Counted before the check, atomically: concurrent guesses cannot all get through.
        attempt = attempt_begin(
            user_id=user.pk if user is not None else None, typed=username, ip=client_ip(request)
        )
        if not attempt.allowed:
            raise LoginLocked
        if user is None:
            # Spend the same time as a real check so that timing tells nothing.
            User().set_password(password)
        elif user.check_password(password) and self.user_can_authenticate(user):
            attempt_succeeded(attempt)
            return user
        attempt_failed(attempt)
        return None

"""Login with a username or a mobile number, limited after repeated failures."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from chuangxian.orgs.models import LoginFailure, User


class LoginLocked(Exception):
    """Too many recent failures for this account name or address."""


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind a reverse proxy the deployment sets REMOTE_ADDR correctly (see docs/operations.md);
    # X-Forwarded-For is not trusted here because any client can send it.
    return request.META.get("REMOTE_ADDR") or None


def _recent_failures(username: str, ip: str | None) -> tuple[int, int]:
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    by_name = recent.filter(username=username.lower()).count()
    # The address limit is looser: many people in one office share one NAT address.
    by_ip = recent.filter(ip_address=ip).count() if ip else 0
    return by_name, by_ip


def is_locked(username: str, ip: str | None) -> bool:
    by_name, by_ip = _recent_failures(username, ip)
    limit = settings.LOGIN_FAILURE_LIMIT
    return by_name >= limit or by_ip >= limit * 4


def record_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip_address=ip)


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()


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
        ip = client_ip(request)
        if is_locked(username, ip):
            raise LoginLocked
        user = User.objects.filter(Q(username__iexact=username) | Q(phone=username)).first()
        if user is None:
            # Spend the same time as a real check so that timing tells nothing.
            User().set_password(password)
        elif user.check_password(password) and self.user_can_authenticate(user):
            clear_failures(username)
            return user
        record_failure(username, ip)
        return None

"""What every view needs from the request: who acts, from where, and how it was asked."""

from typing import Any

from django.http import HttpRequest

from chuangxian.audit.services import Actor
from chuangxian.orgs.authentication import client_ip

PAGE_SIZE = 50


def actor_of(request: HttpRequest) -> Actor:
    return Actor(user=request.user, ip_address=client_ip(request))


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def viewer(request: HttpRequest) -> Any:
    """The logged-in user (the middleware guarantees one) as the access layer takes it."""
    return request.user

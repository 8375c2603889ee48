from typing import Any

from django.http import HttpRequest

from chuangxian.orgs.access import is_administrator, is_staff_in_tree
from chuangxian.orgs.display import large_display_for


def roles(request: HttpRequest) -> dict[str, Any]:
    """What the navigation shows: decided by the same access layer as the views."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"perms_admin": False, "perms_staff": False}
    return {"perms_admin": is_administrator(user), "perms_staff": is_staff_in_tree(user)}


def display(request: HttpRequest) -> dict[str, Any]:
    """适老化: whether pages render in large text with high contrast (display.py decides)."""
    return {"large_display": large_display_for(request)}

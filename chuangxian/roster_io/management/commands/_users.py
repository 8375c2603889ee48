from typing import Any

from django.core.management.base import CommandError

from chuangxian.orgs.models import User


def user_or_system(username: str | None) -> Any:
    """The account named by --user, or None (the system, with full access)."""
    if not username:
        return None
    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise CommandError(f"没有找到账号“{username}”")

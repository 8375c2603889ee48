"""Accounts and the roles that give them a scope in the tree."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # Login works with the username or this number.
    phone = models.CharField(_("手机号码"), max_length=11, unique=True, null=True, blank=True)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    member = models.OneToOneField(
        "orgs.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
        verbose_name=_("对应党员"),
    )
    # 适老化: large text with high contrast, as the user last chose it on any device. None
    # until they choose; then the device's own choice (a cookie) applies.
    large_display = models.BooleanField(_("大字模式"), null=True, blank=True)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    SECRETARY = "secretary", _("书记")
    WORKER = "worker", _("党务干部")
    MEMBER = "member", _("党员")


class RoleGrant(models.Model):
    """A role on an organization. 管理员 covers the whole subtree; 书记 and 党务干部 the
    organization and its 党小组; 党员 only the user's own member record."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="unique_role_grant"
            )
        ]
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} @ {self.organization}"


class LoginThrottle(models.Model):
    """Login attempts counted per account and per client address (orgs/login_limits.py).

    `key` is "account:<user id>" (whatever name or phone number was typed for it),
    "name:<typed name>" for a name that matches no account, or "address:<ip>". An attempt is
    counted here, in one atomic statement, before its password is checked; a success gives it
    back. `locked_until` is set when the failures reach the limit."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key} {self.failures}"

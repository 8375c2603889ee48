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


class LoginFailure(models.Model):
    """One failed login; recent rows per account name or address decide a lockout."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} {self.at}"

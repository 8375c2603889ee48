"""The audit trail: one append-only row per change, with who, when, from where and what."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    MOVE = "move", _("调整上级")
    TRANSFER = "transfer", _("组织关系转接")
    GRANT = "grant", _("授予角色")
    REVOKE = "revoke", _("撤销角色")
    VIEW_SENSITIVE = "view_sensitive", _("查看敏感信息")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    LOGIN_LOCKED = "login_locked", _("登录锁定")
    TRANSITION = "transition", _("状态变更")
    SIGN = "sign", _("签字")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出登录")
    TWO_FACTOR_ON = "two_factor_on", _("启用双因素认证")
    TWO_FACTOR_RESET = "two_factor_reset", _("重置双因素认证")
    RECOVERY_CODES = "recovery_codes", _("重新生成恢复码")
    RECOVERY_USED = "recovery_used", _("使用恢复码")


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    # Set before the row is saved (not auto_now_add, which would overwrite it on save): the
    # hash chain covers it.
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too so that the record survives the account being removed.
    actor_label = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    # The tree path of the organization the change belongs to: scoping the trail to an
    # administrator's subtree is one prefix filter, like every other scoped query.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    # The hash chain (audit/chain.py): the event's place in it, and the SHA-256 of the previous
    # event's hash and this event's content. Assigned under the chain's lock, never by hand.
    seq = models.BigIntegerField(unique=True)
    row_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计记录只能追加，不能删除。")


class AuditCheckpoint(models.Model):
    """Where the chain stood when `audit_archive` moved its oldest events to a file: the last
    archived event's place and hash, from which the remaining events' chain goes on."""

    seq = models.BigIntegerField(unique=True)
    row_hash = models.CharField(max_length=64)
    archived_at = models.DateTimeField(default=timezone.now)
    before = models.DateField()
    first_seq = models.BigIntegerField()
    count = models.PositiveIntegerField()
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"{self.first_seq}–{self.seq} → {self.file_name}"

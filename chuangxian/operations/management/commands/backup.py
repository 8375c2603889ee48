from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.operations.backup import BackupError, backup_create
from chuangxian.operations.passphrase import read_passphrase


class Command(BaseCommand):
    help = (
        "备份：数据库的一致快照、密钥和上传文件，用口令加密写入一个文件"
        "（口令取自 CHUANGXIAN_BACKUP_PASSPHRASE，否则在终端输入）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="备份文件（新文件，不会覆盖）")

    def handle(self, *args: Any, **options: Any) -> None:
        passphrase = read_passphrase(confirm=True)
        try:
            summary = backup_create(path=options["file"], passphrase=passphrase)
        except BackupError as error:
            raise CommandError(str(error))
        audit_record(
            actor=Actor(label="命令行"),
            action=AuditAction.EXPORT,
            object_type="backup",
            object_label=f"备份到 {summary.path.name}",
            reason="数据库备份",
        )
        sources = "、".join(
            f"{name}（{'环境变量' if source == 'env' else '数据目录文件'}）"
            for name, source in summary.key_sources.items()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份（{summary.vendor}，{summary.size / 1e6:.1f} MB）到 {summary.path}；"
                f"其中包括密钥 {sources}。请把文件和口令分开保管：丢失口令则无法恢复。"
            )
        )

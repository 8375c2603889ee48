from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from chuangxian.operations.backup import (
    BackupError,
    backup_opened,
    restore_postgresql,
    restore_sqlite,
)
from chuangxian.operations.passphrase import read_passphrase


class Command(BaseCommand):
    help = (
        "从 chuangxian backup 的文件恢复到空的数据目录或数据库（非空时需 --force）。"
        "恢复前请停止网页和后台任务进程。"
    )
    # Runs where the start-up checks would refuse: no key yet, or the wrong one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="覆盖已有数据的数据库、上传文件和密钥文件"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        default = connections["default"]
        if default.vendor == "sqlite" and default.is_in_memory_db():  # type: ignore[attr-defined]
            raise CommandError("数据库在内存中（测试设置），无处恢复")
        passphrase = read_passphrase(confirm=False)
        database = connections["default"].settings_dict
        connections.close_all()
        try:
            with backup_opened(options["file"], passphrase) as unpacked:
                if connections["default"].vendor == "sqlite":
                    summary = restore_sqlite(
                        unpacked,
                        database=Path(database["NAME"]),
                        data_dir=Path(settings.DATA_DIR),
                        media_root=Path(settings.MEDIA_ROOT),
                        force=options["force"],
                    )
                else:
                    summary = restore_postgresql(
                        unpacked,
                        database=database,
                        data_dir=Path(settings.DATA_DIR),
                        media_root=Path(settings.MEDIA_ROOT),
                        force=options["force"],
                    )
        except BackupError as error:
            raise CommandError(str(error))
        for note in summary.notes:
            self.stdout.write(note)
        self.stdout.write(
            self.style.SUCCESS(
                f"已从 {options['file']} 恢复（{summary.vendor}，备份时间 {summary.created_at}）。"
                "请运行 chuangxian migrate 和 chuangxian audit_verify 后再启动服务。"
            )
        )

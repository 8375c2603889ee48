import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangxian.audit.archive import AuditArchiveError, audit_archive, retention_days
from chuangxian.audit.services import Actor


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期应写成 YYYY-MM-DD：{text}")


class Command(BaseCommand):
    help = (
        "把某日之前的审计记录导出到文件并从数据库删除（只能归档保留期之前的记录），"
        "留下检查点，哈希链仍可校验。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before", required=True, help="归档此日（不含）之前的记录，YYYY-MM-DD"
        )
        parser.add_argument("file", type=Path, help="归档文件（新文件，不会覆盖）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = audit_archive(
                before=_day(options["before"]),
                path=options["file"],
                actor=Actor(label="命令行"),
            )
        except AuditArchiveError as error:
            raise CommandError(f"{error}（保留期 {retention_days()} 天）")
        checkpoint = result.checkpoint
        self.stdout.write(
            self.style.SUCCESS(
                f"已归档序号 {checkpoint.first_seq}–{checkpoint.seq} 共 {checkpoint.count} 条到 "
                f"{result.path}（SHA-256 {checkpoint.file_sha256}），并已从数据库删除"
            )
        )

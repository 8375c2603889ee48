from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangxian.audit.services import SYSTEM, Actor
from chuangxian.roster_io.management.commands._users import user_or_system
from chuangxian.roster_io.services.imports import roster_import


class Command(BaseCommand):
    help = "导入花名册（.xlsx/.xls/.csv）：全部正确才写入，否则列出每一处错误并以非零状态退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--user", help="以该账号的管理范围导入（默认：系统，不限范围）")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        user = user_or_system(options["user"])
        actor = Actor(user=user, label="命令行") if user is not None else SYSTEM
        report = roster_import(actor=actor, source=path, user=user, dry_run=options["dry_run"])
        sheet = None
        for error in report.errors:
            if error.sheet != sheet and error.sheet:
                sheet = error.sheet
                self.stdout.write(f"工作表“{sheet}”：")
            self.stdout.write(str(error))
        if report.errors:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))

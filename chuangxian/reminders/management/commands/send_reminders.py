from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date

from chuangxian.reminders.services import reminders_sweep


class Command(BaseCommand):
    help = "按当天情况生成或关闭提醒（可每日定时运行；重复运行不会重复提醒）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="YYYY-MM-DD，默认今天")
        parser.add_argument("--source", action="append", help="只处理某一来源，可多次给出")

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_date(options["today"]) if options["today"] else timezone.localdate()
        if today is None:
            self.stderr.write("日期格式应为 YYYY-MM-DD")
            raise SystemExit(2)
        result = reminders_sweep(today=today, sources=options["source"])
        self.stdout.write(
            f"新增提醒 {result.opened} 条，保持 {result.kept} 条，关闭 {result.resolved} 条"
        )

"""`chuangxian orglife_tally [--year 2026 …]`: recount the meeting tally from the meetings."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from chuangxian.orglife.services.tally import tally_rebuild


class Command(BaseCommand):
    help = "按会议记录重新统计各组织每月已召开的会议（批量导入会议后运行；默认今年和去年）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", help="年份，可重复")

    def handle(self, *args: Any, **options: Any) -> None:
        this_year = timezone.localdate().year
        for year in options["year"] or [this_year - 1, this_year]:
            rows = tally_rebuild(year=year)
            self.stdout.write(f"{year}年：{rows} 条统计")

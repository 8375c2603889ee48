from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from chuangxian.reports.build import figures_rebuild, figures_refresh_changed


class Command(BaseCommand):
    help = "重新计算统计看板的数字（建议每晚运行；--changed 只更新有改动的组织）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, action="append", help="年度，可多次给出；默认今年和上年"
        )
        parser.add_argument("--changed", action="store_true", help="只按审计日志更新有改动的组织")

    def handle(self, *args: Any, **options: Any) -> None:
        this_year = timezone.localdate().year
        for year in options["year"] or [this_year, this_year - 1]:
            started = timezone.now()
            if options["changed"]:
                count = figures_refresh_changed(year=year)
                done = f"更新 {count} 个组织"
            else:
                count = figures_rebuild(year=year)
                done = f"写入 {count} 个数值"
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(f"{year} 年：{done}，用时 {seconds:.1f} 秒")

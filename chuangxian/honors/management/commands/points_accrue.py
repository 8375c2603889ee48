from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.honors.ledger import roots
from chuangxian.honors.services.points import points_accrue
from chuangxian.orgs.models import Organization


class Command(BaseCommand):
    help = "根据组织生活、学时、党费、承诺、目标和表彰记录计算积分（重复运行不会重复计分）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="年度，默认今年")
        parser.add_argument("--org", help="只计算该组织编码的下级范围")
        parser.add_argument(
            "--schedule", action="store_true", help="另外排入每日后台任务（由 db_worker 执行）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or timezone.localdate().year
        if options["org"]:
            org = Organization.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"没有编码为 {options['org']} 的党组织")
            trees = [org]
        else:
            trees = roots()
        actor = Actor(label="命令行 points_accrue")
        for root in trees:
            result = points_accrue(actor=actor, root=root, year=year)
            self.stdout.write(
                f"{root.name} {year}年：党员 {result.members} 名，新记 {result.posted} 笔，"
                f"冲销 {result.reversed} 笔"
            )
        if options["schedule"]:
            from chuangxian.honors.tasks import accrue_points_daily

            accrue_points_daily.enqueue()
            self.stdout.write("已排入每日积分计算任务")

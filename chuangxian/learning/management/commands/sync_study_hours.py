from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangxian.learning.services.hours import study_hours_sync
from chuangxian.orgs.models import Organization


class Command(BaseCommand):
    help = "按组织生活记录（党课、主题党日出席）同步学时台账；可重复运行，不会重复记录"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="只同步某一年度，默认全部年度")
        parser.add_argument("--org", help="只同步某党组织（按组织编码）及其下级")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = None
        if options["org"]:
            organization = Organization.objects.filter(code=options["org"]).first()
            if organization is None:
                raise CommandError(f"没有组织编码为 {options['org']} 的党组织")
        result = study_hours_sync(year=options["year"], organization=organization)
        self.stdout.write(
            f"新增 {result.created} 条，更新 {result.updated} 条，删除 {result.deleted} 条学时记录"
        )

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from chuangxian.audit.services import SYSTEM, Actor
from chuangxian.orgs.access import access_organization_by_code
from chuangxian.orgs.models import Organization
from chuangxian.roster_io.management.commands._users import user_or_system
from chuangxian.roster_io.services.exports import roster_export


class Command(BaseCommand):
    help = "把一个党组织及其全部下级导出为导入模板格式的 .xlsx。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", help="组织编码（默认：最顶层的组织）")
        parser.add_argument("--user", help="以该账号的可见范围导出（默认：系统）")

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_or_system(options["user"])
        org = self._organization(user, options["org"])
        actor = Actor(user=user, label="命令行") if user is not None else SYSTEM
        content = roster_export(actor=actor, user=user, org=org)
        options["file"].write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"已导出“{org.name}”及其下级到 {options['file']}"))

    def _organization(self, user: Any, code: str | None) -> Organization:
        if code:
            try:
                if user is None:
                    return Organization.objects.get(code=code)
                return access_organization_by_code(user, code)
            except (Organization.DoesNotExist, Http404):
                raise CommandError(f"没有找到组织编码“{code}”，或不在该账号的范围内")
        roots = list(Organization.objects.filter(parent=None).order_by("path")[:2])
        if user is not None or len(roots) != 1:
            raise CommandError("请用 --org 指定要导出的组织编码")
        return roots[0]

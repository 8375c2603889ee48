"""The first step of a real installation: the top organization and its first administrator.

    chuangxian create_admin --org-code 4301 --org-name 某县委组织部 --username admin

Without --password it asks for one (twice). Everything else — the tree below, the roster,
the other accounts — is then done in the web pages or by `import_roster`."""

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.orgs.models import Organization, OrgKind, Role, Sector
from chuangxian.orgs.services.accounts import account_create, role_grant
from chuangxian.orgs.services.errors import RosterError
from chuangxian.orgs.services.organizations import OrganizationValues, organization_create


def _messages(error: RosterError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(
            f"{field}：{'，'.join(msgs)}" for field, msgs in error.message_dict.items()
        )
    return "；".join(error.messages)


class Command(BaseCommand):
    help = "创建顶层党组织（若不存在）及其管理员账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org-code", required=True, help="顶层组织编码")
        parser.add_argument("--org-name", help="组织名称（组织已存在时可省略）")
        parser.add_argument("--kind", default=OrgKind.COMMITTEE, choices=OrgKind.values)
        parser.add_argument("--sector", default=Sector.ORGAN, choices=Sector.values)
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", help="省略时交互输入")
        parser.add_argument("--phone", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or self._ask_password()
        actor = Actor(label="create_admin")
        try:
            with transaction.atomic():
                org = Organization.objects.filter(code=options["org_code"]).first()
                if org is None:
                    if not options["org_name"]:
                        raise CommandError("组织不存在，请用 --org-name 给出名称以创建它")
                    org = organization_create(
                        actor=actor,
                        values=OrganizationValues(
                            code=options["org_code"],
                            name=options["org_name"],
                            kind=options["kind"],
                            sector=options["sector"],
                        ),
                        parent=None,
                        today=timezone.localdate(),
                    )
                user = account_create(
                    actor=actor,
                    username=options["username"],
                    password=password,
                    phone=options["phone"],
                    organization=org,
                )
                role_grant(actor=actor, user=user, organization=org, role=Role.ADMIN)
        except RosterError as error:
            raise CommandError(_messages(error)) from None
        self.stdout.write(
            f"已创建管理员 {user.username}，管理范围：{org.name}（{org.code}）及其全部下级"
        )

    def _ask_password(self) -> str:
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致")
        return first

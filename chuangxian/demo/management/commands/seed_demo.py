"""`chuangxian seed_demo`: load the demo township (or a scaled tree for benchmarks)."""

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chuangxian.demo.modules import MODULES_MEMBER_LIMIT, demo_seed_modules
from chuangxian.demo.services import (
    DEFAULT_MEMBERS,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoError,
    DemoLogin,
    demo_clear,
    demo_seed,
    organizations_exist,
)
from chuangxian.orgs.models import Organization, User


class Command(BaseCommand):
    help = (
        "载入演示数据：一个乡镇党委及约40个支部、约1500名党员和演示账号。"
        "--members 按人数扩展组织树（用于性能测试）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS, help="党员人数")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="随机种子：相同种子生成相同数据"
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="以哪一天为“今天”生成年龄和届期（YYYY-MM-DD，默认今天）",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--force",
            action="store_true",
            help="替换以前载入的演示数据（数据库中有非演示的党组织时拒绝）",
        )
        mode.add_argument("--if-empty", action="store_true", help="数据库中已有党组织时什么也不做")
        parser.add_argument(
            "--roster-only",
            action="store_true",
            help=f"只生成组织和党员（超过 {MODULES_MEMBER_LIMIT:,} 名党员时总是如此）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if organizations_exist():
            if options["if_empty"]:
                self.stdout.write("演示数据已存在（数据库中已有党组织），未重新载入。")
                self._print_existing_logins()
                return
            if not options["force"]:
                raise CommandError(
                    "数据库中已有党组织，未载入演示数据。要替换以前的演示数据请加 --force。"
                )
            try:
                removed = demo_clear()
            except DemoError as error:
                raise CommandError(str(error))
            self.stdout.write(f"已删除以前的演示数据：{removed:,} 个党组织及其党员和演示账号。")
        today = options["today"] or timezone.localdate()
        # The summary's time covers every step printed above it, the modules' records included.
        started = time.perf_counter()
        try:
            summary = demo_seed(
                members=options["members"],
                seed=options["seed"],
                today=today,
                progress=self.stdout.write,
            )
        except DemoError as error:
            raise CommandError(str(error))
        if not options["roster_only"] and options["members"] <= MODULES_MEMBER_LIMIT:
            self.stdout.write("正在生成各项工作的演示记录：")
            root = Organization.objects.filter(parent=None).order_by("pk").first()
            assert root is not None
            demo_seed_modules(
                root=root, today=today, seed=options["seed"], progress=self.stdout.write
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已载入：{summary.organizations:,} 个党组织，{summary.members:,} 名党员，"
                f"用时 {time.perf_counter() - started:.1f} 秒。"
            )
        )
        self._print_logins(summary.logins)

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        self.stdout.write("演示账号（用户名 / 密码 / 角色）：")
        for login in logins:
            who = f"，{login.member}" if login.member else ""
            self.stdout.write(
                f"  {login.username:<9} {login.password}  {login.role}：{login.organization}{who}"
            )

    def _print_existing_logins(self) -> None:
        users = User.objects.filter(username__in=DEMO_USERS).order_by("pk")
        if not users:
            return
        self.stdout.write(f"演示账号（密码未改时为 {DEMO_PASSWORD}）：")
        for user in users:
            self.stdout.write(f"  {user.username:<9} {DEMO_USERS[user.username][1]}")

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangxian.audit.services import Actor
from chuangxian.orgs.models import User
from chuangxian.workdays.calendar import add_working_days, calendar_warning, working_days_between
from chuangxian.workdays.models import CalendarYear
from chuangxian.workdays.schedule import ScheduleError, parse_schedule
from chuangxian.workdays.services import calendar_seed_from_package, calendar_year_replace


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}")


class Command(BaseCommand):
    help = "节假日安排：按中国法定节假日和调休计算工作日，查看和录入各年度安排"

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        add = commands.add_parser("add", help="某日之后第 N 个工作日")
        add.add_argument("start")
        add.add_argument("n", type=int)
        between = commands.add_parser("between", help="两日之间（不含起日，含止日）的工作日数")
        between.add_argument("start")
        between.add_argument("end")
        commands.add_parser("years", help="已录入节假日安排的年度及最后修改人")
        commands.add_parser("seed", help="补入随软件提供、表中还没有的年度（不覆盖已录入的）")
        load = commands.add_parser("load", help="从文本文件录入一年的安排（整年替换）")
        load.add_argument("year", type=int)
        load.add_argument("file")
        load.add_argument("--user", help="记入审计的用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            start = _date(options["start"])
            result = add_working_days(start, options["n"])
            self.stdout.write(f"{result:%Y-%m-%d}")
            self._warn(start, result)
        elif action == "between":
            start, end = _date(options["start"]), _date(options["end"])
            self.stdout.write(str(working_days_between(start, end)))
            self._warn(start, end)
        elif action == "years":
            for year in CalendarYear.objects.select_related("updated_by"):
                who = year.updated_by.get_username() if year.updated_by else "—"
                self.stdout.write(
                    f"{year.year}\t{year.get_source_display()}\t{who}\t"
                    f"{year.updated_at:%Y-%m-%d %H:%M}"
                )
        elif action == "seed":
            added = calendar_seed_from_package(actor=Actor(label="命令行"))
            self.stdout.write(f"补入 {len(added)} 个年度" + (f"：{added}" if added else ""))
        elif action == "load":
            self._load(options["year"], Path(options["file"]), options["user"])

    def _warn(self, *days: dt.date) -> None:
        warning = calendar_warning(*days)
        if warning:
            self.stderr.write(warning)

    def _load(self, year: int, path: Path, username: str | None) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"无法读取文件：{error}")
        try:
            days = parse_schedule(text, year=year)
        except ScheduleError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError("文件有错误，未作任何修改")
        user = None
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"没有用户 {username}")
        calendar_year_replace(
            year=year, days=days, actor=Actor(user=user, label="" if user else "命令行")
        )
        self.stdout.write(f"{year} 年：{len(days)} 个日期已录入")

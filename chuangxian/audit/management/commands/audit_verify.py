from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangxian.audit import chain
from chuangxian.audit.archive import AuditArchiveError, verify_archive
from chuangxian.audit.protection import missing_triggers, unlock_rows


def _anchor(text: str) -> chain.Link:
    seq, _, row_hash = text.partition(":")
    if not seq.isdigit() or len(row_hash) != 64:
        raise CommandError(f"--anchor 应写成 序号:哈希（audit_verify 先前打印的那一行）：{text}")
    return chain.Link(int(seq), row_hash.lower())


class Command(BaseCommand):
    help = "校验审计日志的哈希链：找出第一条被修改或删除的记录（有则以非零状态退出）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="先前记下的链末（序号:哈希），核对它仍在链上且未被重算",
        )
        parser.add_argument("--archive", type=Path, help="改为校验一个归档文件")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["archive"]:
            try:
                start, end, count = verify_archive(options["archive"])
            except (AuditArchiveError, OSError, ValueError, KeyError) as error:
                raise CommandError(f"归档文件校验失败：{error}")
            self.stdout.write(
                self.style.SUCCESS(
                    f"归档文件完整：序号 {start.seq + 1}–{end.seq} 共 {count} 条，"
                    f"末条哈希 {end.row_hash}"
                )
            )
            return
        problems = []
        missing = missing_triggers()
        if missing:
            problems.append("数据库中缺少审计保护触发器：" + "、".join(missing))
        if unlock_rows():
            problems.append("审计保护被关闭（audit_unlock 表中有已提交的记录）")
        result = chain.verify(_anchor(text) for text in options["anchor"])
        if result.broken is not None:
            broken = result.broken
            where = f"序号 {broken.seq}" + (
                f"（记录 id {broken.event_id}）" if broken.event_id is not None else ""
            )
            problems.insert(
                0,
                f"审计链断裂：{where}：{broken.reason}；此前 {result.checked} 条完好，"
                f"最后一条完好记录的序号 {result.head.seq}",
            )
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(
            self.style.SUCCESS(
                f"审计链完整：自序号 {result.start.seq + 1} 起共 {result.checked} 条。"
                f"链末 {result.head.seq}:{result.head.row_hash}"
                "（可另行保存这一值，日后用 --anchor 核对）"
            )
        )

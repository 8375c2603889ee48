import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangxian.audit.services import Actor
from chuangxian.operations.rotation import RotationError, field_key_rotate, new_field_key
from chuangxian.orgs import fieldcrypto


def _write_synced(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
        handle.flush()
        os.fsync(handle.fileno())


class Command(BaseCommand):
    help = (
        "轮换字段加密密钥（或切换 aes / sm 算法）：用新密钥重新加密全部公民身份号码并重算查找哈希，"
        "全部成功或全部不变。运行前请停止网页和后台任务进程，并先 chuangxian backup。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--algorithm",
            choices=fieldcrypto.ALGORITHMS,
            help="换用的算法：aes（AES-256-GCM、HMAC-SHA256）或 sm（SM4-GCM、HMAC-SM3）；默认不变",
        )
        parser.add_argument("--keep-key", action="store_true", help="只换算法，不换密钥")

    def handle(self, *args: Any, **options: Any) -> None:
        algorithm = options["algorithm"] or fieldcrypto.current_algorithm()
        keep_key = options["keep_key"]
        new_key = settings.FIELD_ENCRYPTION_KEY if keep_key else new_field_key()
        data_dir = Path(settings.DATA_DIR)
        pending = data_dir / "field_key.new"
        if not keep_key:
            # The new key is on disk before any row is rewritten: whatever happens next, the
            # data is never under a key nobody has.
            _write_synced(pending, new_key)
        try:
            result = field_key_rotate(
                new_key=new_key, algorithm=algorithm, actor=Actor(label="命令行")
            )
        except RotationError as error:
            if not keep_key:
                pending.unlink(missing_ok=True)
            raise CommandError(f"{error}；没有做任何改动")
        done = [f"已重新加密 {result.members} 名党员的公民身份号码并重算查找哈希。"]
        if keep_key:
            pass
        elif os.environ.get("CHUANGXIAN_FIELD_KEY"):
            done.append(
                f"新密钥在 {pending}：请把环境变量 CHUANGXIAN_FIELD_KEY 改为其中的值，"
                "然后删除该文件。"
            )
        else:
            current = data_dir / "field_key"
            if current.exists():
                current.replace(data_dir / "field_key.old")
            pending.replace(current)
            done.append(f"新密钥已写入 {current}（旧密钥在 field_key.old，确认无误后请删除）。")
        if result.algorithm != result.old_algorithm:
            done.append(f"请把 CHUANGXIAN_FIELD_CRYPTO 设为 {result.algorithm} 后再启动服务。")
        self.stdout.write(self.style.SUCCESS("\n".join(done)))

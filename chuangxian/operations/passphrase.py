"""The backup passphrase: CHUANGXIAN_BACKUP_PASSPHRASE, else asked at the terminal."""

import getpass
import os
import sys

from django.core.management.base import CommandError

ENV = "CHUANGXIAN_BACKUP_PASSPHRASE"


def read_passphrase(*, confirm: bool) -> str:
    value = os.environ.get(ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CommandError(f"请在环境变量 {ENV} 中给出备份口令，或在终端中运行以便输入")
    first = getpass.getpass("备份口令：")
    if confirm and getpass.getpass("再输入一次：") != first:
        raise CommandError("两次输入的口令不一致")
    return first

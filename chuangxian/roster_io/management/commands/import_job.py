"""`chuangxian import_job ID`: run one claimed import job in this process, under the import
memory limit. Started by the worker's task (services/jobs.import_job_run_isolated), not by hand."""

import ctypes
import ctypes.util
import os
import signal
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chuangxian.roster_io.parse_child import limit_memory
from chuangxian.roster_io.services.jobs import import_job_process

PR_SET_PDEATHSIG = 1


class Command(BaseCommand):
    help = "运行一个导入任务（由后台任务进程启动，勿手工调用）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        _end_with_parent()
        limit_memory()
        import_job_process(job_id=options["job_id"])


def _end_with_parent() -> None:
    """Ask the kernel to kill this process when the worker that started it dies, so that a
    killed worker never leaves an import writing behind it (Linux; elsewhere the job's lease
    runs out and the import's transaction is rolled back when this process ends)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the worker died before the request took effect
        os._exit(1)

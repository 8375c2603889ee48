"""`chuangxian import_job ID`: run one claimed import job in this process, under the import
memory limit. Started by the worker's task (services/jobs.import_job_run_isolated), not by hand."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chuangxian.roster_io.parallel import end_with_parent
from chuangxian.roster_io.parse_child import limit_memory
from chuangxian.roster_io.services.jobs import WORKER_PID_VARIABLE, import_job_process


class Command(BaseCommand):
    help = "运行一个导入任务（由后台任务进程启动，勿手工调用）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        # Killed with the worker that started it, so that a killed worker never leaves an
        # import writing behind it (elsewhere than Linux the job's lease runs out, and the
        # import's transaction is rolled back when this process ends).
        end_with_parent(int(os.environ.get(WORKER_PID_VARIABLE) or os.getppid()))
        limit_memory()
        import_job_process(job_id=options["job_id"])

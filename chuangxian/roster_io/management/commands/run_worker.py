"""`chuangxian run_worker`: the background worker, supervised.

Starts `chuangxian db_worker` (with the same options) as a child process and starts it again
whenever it ends; every HEARTBEAT_SECONDS, while the child is alive, records a heartbeat
(WorkerHeartbeat, which the staff pages read) and fails the import jobs whose worker died
(services/jobs.import_jobs_recover). `make run` and `make worker` run this command."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from chuangxian.roster_io.services.jobs import import_jobs_recover
from chuangxian.roster_io.services.worker import worker_beat, worker_gone

HEARTBEAT_SECONDS = 5
# A worker that keeps dying is restarted at most this often.
RESTART_PAUSE_SECONDS = 2


class Command(BaseCommand):
    help = "启动后台任务进程（db_worker）并在其退出时自动重启，同时记录心跳。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="db_worker 轮询间隔（秒）")

    def handle(self, *args: Any, **options: Any) -> None:
        name = f"{socket.gethostname()}:{os.getpid()}"
        command = [sys.executable, "-m", "chuangxian", "db_worker"]
        command += ["--interval", str(options["interval"])]
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        child: subprocess.Popen[bytes] | None = None
        try:
            while not stopping:
                if child is None or child.poll() is not None:
                    if child is not None:
                        self.stderr.write(f"后台任务进程已退出（{child.returncode}），正在重启")
                        time.sleep(RESTART_PAUSE_SECONDS)
                    # Our own fixed command line, no shell.
                    child = subprocess.Popen(command)  # noqa: S603
                close_old_connections()
                worker_beat(name=name, worker_pid=child.pid)
                import_jobs_recover()
                _sleep_while_running(child, lambda: stopping, HEARTBEAT_SECONDS)
        finally:
            if child is not None and child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
            worker_gone(name=name)


def _sleep_while_running(
    child: "subprocess.Popen[bytes]", stopping: Callable[[], bool], seconds: float
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stopping() and child.poll() is None:
        time.sleep(0.2)

"""Fault tests of background imports, with the real processes: `chuangxian run_worker` (the
supervisor) runs `db_worker`, whose task runs each job in `chuangxian import_job`.

They run against a database of their own, which those processes can see (pytest's test
database is a transaction or an in-memory SQLite they cannot): a SQLite file in a temporary
directory, or, when the suite runs on PostgreSQL, a fresh PostgreSQL database dropped at the
end. The waits poll the database until a deadline; nothing depends on how fast it goes."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.roster_io.test_upload_safety import far_cell_xlsx

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 240
MEMBERS = 30_000


class LiveSite:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.env = dict(os.environ)
        self.env.update(
            CHUANGXIAN_DATA_DIR=str(tmp_path),
            PYTHONPATH=str(ROOT),
            DJANGO_SETTINGS_MODULE="chuangxian.settings",
            CHUANGXIAN_IMPORT_JOB_LEASE_SECONDS="10",
            CHUANGXIAN_IMPORT_MEMORY_MB="1024",
        )
        self.pg_url = ""
        self.pg_admin = ""
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            import psycopg

            parts = urlsplit(url)
            name = f"{parts.path.lstrip('/') or 'postgres'}_jobs_{os.getpid()}"
            self.pg_admin = urlunsplit(parts._replace(path="/postgres"))
            with psycopg.connect(self.pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
            self.pg_url = urlunsplit(parts._replace(path=f"/{name}"))
            self.env["DATABASE_URL"] = self.pg_url
        else:
            self.env.pop("DATABASE_URL", None)
        self.worker: subprocess.Popen[bytes] | None = None

    def python(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.pg_url:
            import psycopg

            with psycopg.connect(self.pg_url) as conn:
                return conn.execute(sql.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(self.tmp / "chuangxian.sqlite3", timeout=30) as conn:
            return conn.execute(sql, params).fetchall()

    def job(self, job_id: int) -> tuple[str, str, int, int]:
        ((status, message, stored, done),) = self.query(
            "SELECT status, message, length(content), done FROM roster_io_importjob WHERE id = ?",
            job_id,
        )
        return status, message, stored or 0, done

    def members(self) -> int:
        return int(self.query("SELECT count(*) FROM orgs_member")[0][0])

    def worker_pid(self) -> int | None:
        rows = self.query("SELECT worker_pid FROM roster_io_workerheartbeat")
        return rows[0][0] if rows else None

    def import_processes(self) -> list[int]:
        """The live (not zombie) `import_job` processes of this site, and their helpers."""
        found = []
        marker = f"CHUANGXIAN_DATA_DIR={self.tmp}".encode()
        for proc in Path("/proc").iterdir():
            try:
                command = (proc / "cmdline").read_bytes()
                environ = (proc / "environ").read_bytes()
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if b"import_job" in command and marker in environ.split(b"\0") and state != "Z":
                found.append(int(proc.name))
        return found

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "chuangxian", "run_worker", "--interval", "0.2"],
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
        )

    def close(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGTERM)
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait()
        if self.pg_url:
            import psycopg

            name = urlsplit(self.pg_url).path.lstrip("/")
            with psycopg.connect(self.pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(what: str, check: Any) -> Any:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[LiveSite]:
    live = LiveSite(tmp_path)
    try:
        live.python("chuangxian", "migrate", "--noinput", "-v0")
        live.user_id = int(live.python("tests.roster_io.live_jobs", "setup"))  # type: ignore[attr-defined]
        yield live
    finally:
        live.close()


def queue(site: LiveSite, path: Path) -> int:
    return int(site.python("tests.roster_io.live_jobs", "queue", str(site.user_id), str(path)))  # type: ignore[attr-defined]


def test_a_worker_killed_during_an_import_leaves_nothing_and_the_rerun_succeeds(
    site: LiveSite,
) -> None:
    roster = site.tmp / "roster.xlsx"
    site.python("tests.roster_io.live_jobs", "roster", str(MEMBERS), str(roster))
    site.start_worker()
    first_worker = wait_for("the worker's heartbeat", site.worker_pid)
    job_id = queue(site, roster)
    # While the job is queued or running its file is stored encrypted, never in clear.
    wait_for("the import to read rows", lambda: site.job(job_id)[3] > 0)
    os.kill(first_worker, signal.SIGKILL)

    _, message = wait_for(
        "the job to be reported failed",
        lambda: site.job(job_id)[:2] if site.job(job_id)[0] == "failed" else None,
    )
    assert "未写入任何数据" in message
    assert site.job(job_id)[2] == 0  # the stored file is gone
    assert site.members() == 0  # nothing half-written
    # The job's process and its reading helper ended with the worker.
    wait_for("the job's processes to end", lambda: not site.import_processes())
    # The supervisor started a new worker, which runs the rerun.
    wait_for("a new worker", lambda: site.worker_pid() not in (None, first_worker))
    rerun = queue(site, roster)
    wait_for("the rerun to finish", lambda: site.job(rerun)[0] in ("succeeded", "failed"))
    assert site.job(rerun)[0] == "succeeded", site.job(rerun)[1]
    assert site.job(rerun)[2] == 0
    assert site.members() == MEMBERS


def test_a_file_that_kills_its_import_process_fails_its_job_only(site: LiveSite) -> None:
    hostile = site.tmp / "far.xlsx"
    hostile.write_bytes(far_cell_xlsx(declare=False))
    good = site.tmp / "good.xlsx"
    site.python("tests.roster_io.live_jobs", "roster", "3", str(good))
    site.start_worker()
    worker = wait_for("the worker's heartbeat", site.worker_pid)

    job_id = queue(site, hostile)
    wait_for("the hostile job to end", lambda: site.job(job_id)[0] == "failed")
    _, message, stored, _ = site.job(job_id)
    assert "导入进程意外终止" in message or "内存上限" in message
    assert stored == 0
    assert site.worker_pid() == worker  # the worker itself lived on
    after = queue(site, good)
    wait_for("the next job", lambda: site.job(after)[0] in ("succeeded", "failed"))
    assert site.job(after)[0] == "succeeded", site.job(after)[1]
    assert site.members() == 3

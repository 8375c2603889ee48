"""Background imports: a job holds the uploaded file, the worker runs roster_import on it.

The life of a job, and what it guarantees:

- `import_job_create` keeps the uploaded file encrypted (AES-GCM under the field key,
  orgs/fieldcrypto) and queues the task; nothing else ever holds the file.
- The worker's task (`import_job_execute`) claims the job (queued → running, with a lease) and
  runs it in a process of its own (`chuangxian import_job <id>`), limited in memory
  (parse_child.limit_memory) and ended with the worker (it asks the kernel for SIGKILL when its
  parent dies). A hostile file, a crash or a kill ends that process only; the worker renews the
  lease while it waits and marks the job failed if the process did not finish it.
- Every end — success, failure, refusal, a process that died, a lease that ran out — empties
  the stored file in the same UPDATE that records the end.
- A worker that died (kill -9, power loss) stops renewing its jobs' leases; `import_jobs_recover`
  (run by the worker supervisor every few seconds and by the job page) marks them failed. The
  import itself runs in one transaction, so a job that died wrote nothing; the user reruns it
  by uploading the file again from the job's page.
"""

import base64
import datetime as dt
import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.services.errors import RosterError
from chuangxian.roster_io.models import ImportJob, ImportStatus
from chuangxian.roster_io.services.imports import roster_import
from chuangxian.roster_io.uploads import upload_problem

# Progress is written at most this often (rows), so a big file does not spend its time on it.
PROGRESS_STEP = 2000
# How often the worker renews the lease of the job it runs, in seconds (at most; a quarter of
# the lease when that is shorter).
LEASE_RENEW_SECONDS = 5.0
DIED_MESSAGE = (
    "导入进程意外终止（{how}），未写入任何数据。可能是文件过大或构造异常，"
    "也可能是服务器资源不足；请检查文件后重新导入"
)
LOST_MESSAGE = (
    "后台任务进程中断（超过{seconds}秒没有心跳），导入未完成，未写入任何数据。请重新上传文件导入"
)


# The worker's process id, for the job's process to check that it is still there.
WORKER_PID_VARIABLE = "CHUANGXIAN_IMPORT_WORKER_PID"


def seal_content(content: bytes) -> bytes:
    """The uploaded file as stored while its job waits: AES-GCM under the field key."""
    return fieldcrypto.encrypt(base64.b64encode(content).decode("ascii")).encode("ascii")


def open_content(sealed: bytes | memoryview) -> bytes:
    return base64.b64decode(fieldcrypto.decrypt(bytes(sealed).decode("ascii")))


def lease_seconds() -> int:
    return int(settings.IMPORT_JOB_LEASE_SECONDS)


def import_job_create(
    *, actor: Actor, user: Any, file_name: str, content: bytes, dry_run: bool
) -> ImportJob:
    """Keep the file (encrypted) and queue the import once this transaction commits. A file
    refused here is never stored."""
    if problem := upload_problem(file_name, content):
        raise RosterError({"file": problem})
    job = ImportJob.objects.create(
        content=seal_content(content),
        file_name=file_name[:255],
        dry_run=dry_run,
        created_by=user,
        ip_address=actor.ip_address,
    )
    from chuangxian.roster_io.tasks import run_import_job  # the task module imports this one

    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


def import_job_execute(*, job_id: int) -> None:
    """What the worker's task does: run the job in its own process when the setting
    IMPORT_JOBS_IN_CHILD_PROCESS is on (the default), else in this process."""
    if settings.IMPORT_JOBS_IN_CHILD_PROCESS:
        import_job_run_isolated(job_id=job_id)
    else:
        import_job_run(job_id=job_id)


def import_job_run(*, job_id: int) -> None:
    """Claim a queued job and run it in this process. Idempotent: a job already started or
    finished is left alone, so a task delivered twice imports once."""
    if import_job_claim(job_id=job_id):
        import_job_process(job_id=job_id)


def import_job_claim(*, job_id: int) -> bool:
    """Queued → running, with a fresh lease. False when the job is not queued."""
    now = timezone.now()
    return bool(
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.RUNNING, started_at=now, heartbeat_at=now
        )
    )


def import_job_run_isolated(*, job_id: int) -> None:
    """Claim the job and run it in a child process (`chuangxian import_job`), renewing its lease
    while the child runs. If the child ends without finishing the job (killed, out of memory,
    crashed), the job is marked failed here."""
    if not import_job_claim(job_id=job_id):
        return
    # Our own command and the job's id, no shell: nothing from the upload reaches the command.
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "chuangxian", "import_job", str(job_id)], env=_child_env()
    )
    renew_every = min(LEASE_RENEW_SECONDS, lease_seconds() / 4)
    while True:
        try:
            returncode = child.wait(timeout=renew_every)
            break
        except subprocess.TimeoutExpired:
            ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(
                heartbeat_at=timezone.now()
            )
    how = f"信号{signal.Signals(-returncode).name}" if returncode < 0 else f"退出码{returncode}"
    import_job_fail(job_id=job_id, message=DIED_MESSAGE.format(how=how))


def _child_env() -> dict[str, str]:
    """The worker's environment, with the settings module it runs under."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    env[WORKER_PID_VARIABLE] = str(os.getpid())
    return env


def import_job_process(*, job_id: int) -> None:
    """Run a claimed (running) job: decrypt the file, import it, record the outcome and empty
    the file in one UPDATE. An exception also ends the job (failed, file emptied)."""
    job = (
        ImportJob.objects.select_related("created_by")
        .filter(pk=job_id, status=ImportStatus.RUNNING)
        .first()
    )
    if job is None:
        return
    actor = Actor(user=job.created_by, ip_address=job.ip_address)
    last_written = -PROGRESS_STEP

    def progress(done: int, total: int) -> None:
        nonlocal last_written
        if done - last_written >= PROGRESS_STEP or done == total:
            last_written = done
            ImportJob.objects.filter(pk=job_id).update(
                done=done, total=total, heartbeat_at=timezone.now()
            )

    try:
        report = roster_import(
            actor=actor,
            source=open_content(job.content),
            user=job.created_by,
            dry_run=job.dry_run,
            progress=progress,
        )
    except Exception as error:
        import_job_fail(job_id=job_id, message=f"导入过程中出错，未写入任何数据：{error}")
        raise
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(
        status=ImportStatus.SUCCEEDED if report.ok else ImportStatus.FAILED,
        done=report.total_rows,
        total=report.total_rows,
        errors=[
            {"sheet": e.sheet, "row": e.row, "column": e.column, "reason": e.reason}
            for e in report.errors
        ],
        summary=report.counts.__dict__,
        message=report.summary()[:500],
        content=b"",
        finished_at=timezone.now(),
    )


def import_job_fail(*, job_id: int, message: str) -> bool:
    """Queued or running → failed, with the message; the stored file emptied. False when the
    job had already ended (its outcome stands)."""
    return bool(
        ImportJob.objects.filter(
            pk=job_id, status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)
        ).update(
            status=ImportStatus.FAILED,
            message=message[:500],
            content=b"",
            finished_at=timezone.now(),
        )
    )


def import_jobs_recover(*, now: dt.datetime | None = None) -> int:
    """Mark failed every running job whose lease ran out (its worker died); the stored files
    are emptied. Returns how many. Safe to run anywhere, any time: a live worker renews its
    job's lease four times or more while the lease lasts."""
    now = now or timezone.now()
    expired = now - dt.timedelta(seconds=lease_seconds())
    return ImportJob.objects.filter(
        Q(heartbeat_at__lt=expired) | Q(heartbeat_at__isnull=True, started_at__lt=expired),
        status=ImportStatus.RUNNING,
    ).update(
        status=ImportStatus.FAILED,
        message=LOST_MESSAGE.format(seconds=lease_seconds())[:500],
        content=b"",
        finished_at=now,
    )

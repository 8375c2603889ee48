"""Background imports: a job holds the uploaded file, the worker runs roster_import on it."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.orgs.services.errors import RosterError
from chuangxian.roster_io.models import ImportJob, ImportStatus
from chuangxian.roster_io.services.imports import roster_import
from chuangxian.roster_io.uploads import upload_problem

# Progress is written at most this often (rows), so a big file does not spend its time on it.
PROGRESS_STEP = 2000


def import_job_create(
    *, actor: Actor, user: Any, file_name: str, content: bytes, dry_run: bool
) -> ImportJob:
    """Keep the file and queue the import once this transaction commits."""
    if problem := upload_problem(file_name, content):
        raise RosterError({"file": problem})
    job = ImportJob.objects.create(
        content=content,
        file_name=file_name[:255],
        dry_run=dry_run,
        created_by=user,
        ip_address=actor.ip_address,
    )
    from chuangxian.roster_io.tasks import run_import_job  # the task module imports this one

    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


def import_job_run(*, job_id: int) -> None:
    """Run a queued job. Idempotent: a job already started or finished is left alone, so a
    task delivered twice imports once."""
    started = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if not started:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    actor = Actor(user=job.created_by, ip_address=job.ip_address)
    last_written = -PROGRESS_STEP

    def progress(done: int, total: int) -> None:
        nonlocal last_written
        if done - last_written >= PROGRESS_STEP or done == total:
            last_written = done
            ImportJob.objects.filter(pk=job_id).update(done=done, total=total)

    try:
        report = roster_import(
            actor=actor,
            source=bytes(job.content),
            user=job.created_by,
            dry_run=job.dry_run,
            progress=progress,
        )
    except Exception as error:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            message=f"导入过程中出错，未写入任何数据：{error}"[:500],
            content=b"",
            finished_at=timezone.now(),
        )
        raise
    ImportJob.objects.filter(pk=job_id).update(
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

"""The background task behind the import page; the worker is `chuangxian db_worker`."""

from django_tasks import task

from chuangxian.roster_io.services.jobs import import_job_execute


@task()
def run_import_job(job_id: int) -> None:
    import_job_execute(job_id=job_id)

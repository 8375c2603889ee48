"""Import jobs: the uploaded file encrypted while the job waits and emptied at every end; the
lease and the recovery of jobs whose worker died; the staff warning when no worker runs.
(test_job_recovery.py kills real worker processes.)"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.orgs.models import Member
from chuangxian.orgs.services.errors import RosterError
from chuangxian.roster_io.models import ImportJob, ImportStatus, WorkerHeartbeat
from chuangxian.roster_io.services import jobs
from chuangxian.roster_io.services.worker import worker_beat, worker_gone
from tests.roster_io import files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_in_this_process(settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_JOBS_IN_CHILD_PROCESS = False


def create(tree, content: bytes, name: str = "roster.csv") -> ImportJob:  # type: ignore[no-untyped-def]
    return jobs.import_job_create(
        actor=Actor(user=tree.town_admin),
        user=tree.town_admin,
        file_name=name,
        content=content,
        dry_run=False,
    )


def stored(job: ImportJob) -> bytes:
    return bytes(ImportJob.objects.values_list("content", flat=True).get(pk=job.pk))


def test_a_queued_file_is_stored_encrypted(tree) -> None:  # type: ignore[no-untyped-def]
    row = files.member("A1", 姓名="王保密")
    content = files.csv_file([row])
    job = create(tree, content)
    sealed = stored(job)
    assert sealed and content not in sealed
    assert row["公民身份号码"].encode() not in sealed
    assert "王保密".encode() not in sealed and "王保密".encode("gb18030") not in sealed
    assert jobs.open_content(sealed) == content


@pytest.mark.parametrize(
    ("rows", "status"),
    [
        ([files.member("A1")], ImportStatus.SUCCEEDED),
        ([files.member("A1", 性别="")], ImportStatus.FAILED),  # a bad row
        ([files.member("B1")], ImportStatus.FAILED),  # out of scope
    ],
)
def test_the_file_is_emptied_when_the_job_ends(tree, rows, status) -> None:  # type: ignore[no-untyped-def]
    job = create(tree, files.csv_file(rows))
    jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == status
    assert stored(job) == b""


def test_a_refused_file_is_emptied_too(tree) -> None:  # type: ignore[no-untyped-def]
    """A file that passes the upload check but not the reader (a CSV without a header)."""
    job = create(tree, "只是一行文字\n".encode())
    jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "表头" in job.errors[0]["reason"]
    assert stored(job) == b""


def test_a_crashing_import_fails_its_job_and_empties_the_file(tree, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    job = create(tree, files.csv_file([files.member("A1")]))

    def crash(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(jobs, "roster_import", crash)
    with pytest.raises(RuntimeError):
        jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "磁盘已满" in job.message
    assert stored(job) == b""


def test_a_file_refused_at_upload_is_never_stored(tree) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RosterError):
        create(tree, b"\x00\x01binary", name="roster.csv")
    assert not ImportJob.objects.exists()


def test_a_job_whose_lease_ran_out_is_failed_and_emptied(tree, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_JOB_LEASE_SECONDS = 60
    lost = create(tree, files.csv_file([files.member("A1")]))
    alive = create(tree, files.csv_file([files.member("A1")]))
    waiting = create(tree, files.csv_file([files.member("A1")]))
    assert jobs.import_job_claim(job_id=lost.pk) and jobs.import_job_claim(job_id=alive.pk)
    now = timezone.now()
    ImportJob.objects.filter(pk=lost.pk).update(heartbeat_at=now - dt.timedelta(seconds=61))
    ImportJob.objects.filter(pk=alive.pk).update(heartbeat_at=now - dt.timedelta(seconds=30))

    assert jobs.import_jobs_recover(now=now) == 1
    lost.refresh_from_db()
    assert lost.status == ImportStatus.FAILED and "后台任务进程中断" in lost.message
    assert "未写入任何数据" in lost.message and stored(lost) == b""
    assert ImportJob.objects.get(pk=alive.pk).status == ImportStatus.RUNNING
    assert ImportJob.objects.get(pk=waiting.pk).status == ImportStatus.QUEUED
    assert stored(waiting) != b""
    # A lost job is never picked up again.
    jobs.import_job_run(job_id=lost.pk)
    assert not Member.objects.filter(name="测试党员").exists()


def test_the_page_of_a_lost_job_reports_it_and_offers_a_rerun(client, tree, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_JOB_LEASE_SECONDS = 60
    job = create(tree, files.csv_file([files.member("A1")]))
    jobs.import_job_claim(job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    client.force_login(tree.town_admin)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "后台任务进程中断" in page and "未导入" in page
    assert f'action="{reverse("roster:import")}"' in page and 'type="file"' in page
    assert stored(job) == b""


def test_a_process_that_died_fails_its_job(tree, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The worker's side of a job process killed by a signal (test_job_recovery.py does it
    for real)."""
    job = create(tree, files.csv_file([files.member("A1")]))

    class Killed:
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            pass

        def wait(self, timeout: float) -> int:
            return -9

    monkeypatch.setattr(jobs.subprocess, "Popen", Killed)
    jobs.import_job_run_isolated(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "信号SIGKILL" in job.message
    assert stored(job) == b""


@pytest.mark.parametrize("who", ["town_admin", "secretary"])
def test_staff_see_a_warning_when_no_worker_was_seen(client, tree, who) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(tree, who))
    url = reverse("roster:worker_status")
    assert url in client.get(reverse("home")).content.decode()
    assert "后台任务进程已超过1分钟没有响应" in client.get(url).content.decode()
    worker_beat(name="host:1", worker_pid=2)
    assert "后台任务进程" not in client.get(url).content.decode()
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(seconds=61))
    assert "后台任务进程已超过1分钟没有响应" in client.get(url).content.decode()
    worker_beat(name="host:1", worker_pid=3)
    worker_gone(name="host:1")
    assert "后台任务进程已超过1分钟没有响应" in client.get(url).content.decode()


def test_members_neither_see_nor_load_the_warning(client, tree) -> None:  # type: ignore[no-untyped-def]
    client.force_login(tree.member_user)
    assert reverse("roster:worker_status") not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("roster:worker_status")).status_code == 404

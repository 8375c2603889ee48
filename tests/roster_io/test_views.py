import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.orgs.models import Member
from chuangxian.roster_io.models import ImportJob, ImportStatus
from tests.roster_io import files
from tests.roster_io.audit import creation_of

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # The job's own process could not see this test's transaction (test_job_recovery.py runs
    # jobs in child processes against a real database).
    settings.IMPORT_JOBS_IN_CHILD_PROCESS = False


def upload(client, content: bytes, name: str = "roster.xlsx", dry_run: bool = False):  # type: ignore[no-untyped-def]
    data = {"file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("roster:import"), data)


def test_template_download_opens_with_calamine(client, tree) -> None:  # type: ignore[no-untyped-def]
    client.force_login(tree.secretary)
    response = client.get(reverse("roster:template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names[:2] == ["党组织", "党员"]
    orgs = book.get_sheet_by_name("党组织").to_python()
    assert orgs[0][:6] == [
        "组织编码",
        "组织名称",
        "上级组织编码",
        "组织类别",
        "所属领域",
        "成立日期",
    ]
    members = book.get_sheet_by_name("党员").to_python()
    assert members[0] == files.MEMBER_HEADER


@pytest.mark.parametrize("who", ["secretary", "worker", "member_user", "outsider_anonymous"])
def test_only_administrators_reach_the_import_page(client, tree, who) -> None:  # type: ignore[no-untyped-def]
    if who != "outsider_anonymous":
        client.force_login(getattr(tree, who))
    response = client.get(reverse("roster:import"))
    assert response.status_code in (302, 404)
    assert response.status_code == (302 if who == "outsider_anonymous" else 404)


def test_upload_with_errors_shows_every_error_and_writes_nothing(
    client, tree, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(tree.town_admin)
    content = files.xlsx(members=[files.member("B1"), files.member("A1", 性别="")], banner_rows=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, content)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.content == b""
    assert Member.objects.count() == 4
    page = client.get(job.get_absolute_url()).content.decode()
    assert "党组织“B1”不在您的管理范围内" in page
    assert "第3行" in page and "第4行" in page
    assert "应为“男”或“女”" in page
    report = client.get(reverse("roster:job_errors", args=[job.pk]))
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(report.content)).get_sheet_by_index(0).to_python()
    )
    assert rows[1][4] == "第3行 [所在党组织编码] 党组织“B1”不在您的管理范围内"
    assert len(rows) == 3


def test_valid_upload_runs_in_the_background_and_reports_counts(
    client, tree, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(tree.town_admin)
    content = files.xlsx(members=[files.member("A1", 姓名="冯十二")])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, content)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.SUCCEEDED
    assert (job.done, job.total) == (1, 1)
    assert job.summary["members_created"] == 1
    member = Member.objects.get(name="冯十二")
    assert creation_of(member)[0].actor == tree.town_admin
    partial = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"job-status" in partial.content
    assert b"hx-trigger" not in partial.content  # finished: the polling stops


def test_dry_run_upload_writes_nothing(client, tree, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client.force_login(tree.town_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, files.xlsx(members=[files.member("A1", 姓名="陈十三")]), dry_run=True)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.SUCCEEDED and job.summary["members_created"] == 1
    assert not Member.objects.filter(name="陈十三").exists()


def test_queued_job_page_polls(client, tree) -> None:  # type: ignore[no-untyped-def]
    client.force_login(tree.town_admin)
    upload(client, files.xlsx(members=[files.member("A1")]))  # on_commit never runs here
    job = ImportJob.objects.get()
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page


def test_jobs_are_private_to_their_uploader(client, tree) -> None:  # type: ignore[no-untyped-def]
    client.force_login(tree.town_admin)
    upload(client, files.xlsx(members=[files.member("A1")]))
    job = ImportJob.objects.get()
    client.force_login(tree.outsider)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("roster:job_errors", args=[job.pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.pdf", b"%PDF-1.4", "只接受 .xlsx、.xls 或 .csv 文件"),
        ("roster.xlsx", "姓名,性别\n".encode(), "文件内容不是Excel工作簿（扩展名与内容不符）"),
        ("roster.csv", b"\x00\x01\x02\x03", "CSV文件应为文本，文件内容不是文本"),
        ("roster.csv", b"\xff\xfe\xfa\xfb" * 10, "CSV文件的编码无法识别"),
    ],
)
def test_wrong_file_types_are_refused(client, tree, name, content, message) -> None:  # type: ignore[no-untyped-def]
    client.force_login(tree.town_admin)
    response = upload(client, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_oversized_file_is_refused(client, tree, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROSTER_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(tree.town_admin)
    response = upload(client, b"PK\x03\x04" + b"0" * (1024 * 1024))
    assert "文件超过1MB上限" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_export_follows_the_access_layer_and_is_audited(client, tree) -> None:  # type: ignore[no-untyped-def]
    client.force_login(tree.secretary)
    response = client.get(reverse("roster:export"), {"org": tree.branch_a1.pk})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=tree.secretary).count() == 1
    assert client.get(reverse("roster:export"), {"org": tree.branch_a2.pk}).status_code == 404
    assert client.get(reverse("roster:export"), {"org": "x"}).status_code == 404

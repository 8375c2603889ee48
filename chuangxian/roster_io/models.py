"""A roster import run in the background, with its progress and its result."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    FAILED = "failed", "未导入"
    SUCCEEDED = "succeeded", "已完成"


class ImportJob(models.Model):
    # The uploaded file lives in the database, so that a worker on another machine can read it
    # and nothing is left behind on disk: encrypted (services/jobs.py, the field key) while the
    # job waits or runs, emptied as soon as the job ends in any state.
    content = models.BinaryField(editable=False)
    file_name = models.CharField("文件名", max_length=255)
    dry_run = models.BooleanField("仅检查，不写入", default=False)
    status = models.CharField(
        "状态", max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    done = models.PositiveIntegerField("已处理行数", default=0)
    total = models.PositiveIntegerField("总行数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    summary = models.JSONField("结果", default=dict, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The lease of a running job, renewed by the worker running it; a running job whose lease
    # has run out lost its worker (services/jobs.import_jobs_recover).
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "花名册导入任务"
        verbose_name_plural = "花名册导入任务"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("roster:job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.FAILED, ImportStatus.SUCCEEDED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class WorkerHeartbeat(models.Model):
    """One row per background-worker supervisor (`chuangxian run_worker`), updated every few
    seconds while its worker process is alive: the staff pages warn when no row is recent."""

    name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()
    worker_pid = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "后台任务进程"
        verbose_name_plural = "后台任务进程"

    def __str__(self) -> str:
        return self.name

"""Background tasks (the worker is `chuangxian db_worker`)."""

from django.utils import timezone
from django_tasks import task

from chuangxian.learning.services.exams import attempts_expire
from chuangxian.learning.services.hours import study_hours_sync


@task()
def sync_study_hours(year: int | None = None) -> int:
    """Bring the attendance-derived 学时 in step with orglife; returns the rows changed."""
    return study_hours_sync(year=year).changed


@task()
def expire_exam_attempts() -> int:
    """Grade attempts left open past their time limit."""
    return attempts_expire(now=timezone.now())

"""Background tasks (the worker is `chuangxian db_worker`)."""

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

from chuangxian.audit.services import SYSTEM
from chuangxian.honors.certificates import certificates_generate
from chuangxian.honors.ledger import roots
from chuangxian.honors.services.points import points_accrue

ACCRUAL_HOUR = 2  # local time of the daily run


@task()
def accrue_points_daily(year: int | None = None) -> int:
    """Accrue the year's points for every tree from the records (idempotent), then, where the
    backend can run tasks later, come back tomorrow at ACCRUAL_HOUR. Returns entries posted."""
    today = timezone.localdate()
    posted = 0
    for root in roots():
        posted += points_accrue(actor=SYSTEM, root=root, year=year or today.year).posted
    schedule_next(today)
    return posted


@task()
def generate_certificates(batch_id: int) -> int:
    """Every certificate of an approved batch, one PDF each, into the batch's zip."""
    return certificates_generate(batch_id)


def schedule_next(today: dt.date) -> None:
    if not default_task_backend.supports_defer:
        return
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(ACCRUAL_HOUR))
    accrue_points_daily.using(run_after=timezone.make_aware(tomorrow)).enqueue()

"""Background tasks (the worker is `chuangxian db_worker`)."""

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

from chuangxian.appraisal.models import Round, RoundStatus
from chuangxian.appraisal.services.folding import FOLD_BATCH, FOLD_EVERY_SECONDS, ballots_fold


@task()
def fold_round_ballots(round_id: int) -> int:
    """Fold the round's pending sheets into scores and tallies (in batches of FOLD_BATCH), then,
    while the round is still collecting, come back in FOLD_EVERY_SECONDS. Returns the number of
    sheets folded. Safe to run twice at once: see services/folding.py."""
    folded = 0
    while True:
        step = ballots_fold(round_id, limit=FOLD_BATCH)
        folded += step
        if step < FOLD_BATCH:
            break
    schedule_fold(round_id)
    return folded


def schedule_fold(round_id: int) -> None:
    """Enqueue the next fold of a collecting round (when the backend can run tasks later)."""
    status = Round.objects.filter(pk=round_id).values_list("status", flat=True).first()
    if status != RoundStatus.COLLECTING or not default_task_backend.supports_defer:
        return
    fold_round_ballots.using(
        run_after=timezone.now() + dt.timedelta(seconds=FOLD_EVERY_SECONDS)
    ).enqueue(round_id)

"""The background worker's heartbeat, written by its supervisor (`chuangxian run_worker`)."""

from django.utils import timezone

from chuangxian.roster_io.models import WorkerHeartbeat


def worker_beat(*, name: str, worker_pid: int | None) -> None:
    """Record that the supervisor `name` has a live worker now."""
    WorkerHeartbeat.objects.update_or_create(
        name=name[:200], defaults={"seen_at": timezone.now(), "worker_pid": worker_pid}
    )


def worker_gone(*, name: str) -> None:
    """The supervisor stopped on purpose: its row goes (the warning shows if it was the last)."""
    WorkerHeartbeat.objects.filter(name=name[:200]).delete()

"""Background tasks (the worker is `chuangxian db_worker`)."""

from django_tasks import task

from chuangxian.reports.build import figures_rebuild, figures_refresh_changed


@task()
def refresh_figures(year: int) -> int:
    """Bring `year`'s figures up to date with the changes since the last refresh."""
    return figures_refresh_changed(year=year)


@task()
def rebuild_figures(year: int) -> int:
    """Recompute every figure of `year` from the records (nightly)."""
    return figures_rebuild(year=year)

"""Keeping the pre-aggregated figures true.

- `figures_rebuild(year)` computes every figure of every tree from the records and replaces
  the year's rows: run nightly (the figures that depend on the day — 换届 overdue, arrears —
  move without any record changing) and by `chuangxian reports_rebuild`.
- `figures_refresh(org, year)` recomputes one subtree and moves each ancestor by the change,
  so a figure above it stays the sum of its children without recomputing the whole tree.
- `figures_refresh_changed(year)` refreshes the organizations named by the audit events since
  the last refresh: every module records its changes in the audit trail with the
  organization's path, so the trail is the change log and no module has to know about reports.

A test checks that rebuilding equals refreshing incrementally after changes.
"""

import datetime as dt
from collections import Counter

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from chuangxian.audit.models import AuditEvent
from chuangxian.orgs.models import Organization
from chuangxian.reports.models import BuildState, FigureValue
from chuangxian.reports.sources import Values, compute

_BATCH = 5000


def _rows(values: Values, year: int) -> list[FigureValue]:
    return [
        FigureValue(organization_id=org_id, year=year, key=key, value=value)
        for org_id, counter in values.items()
        for key, value in counter.items()
        if value
    ]


@transaction.atomic
def figures_rebuild(*, year: int, today: dt.date | None = None) -> int:
    """Replace every figure of `year` with values computed from the records. Returns the
    number of rows written."""
    today = today or timezone.localdate()
    watermark = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    FigureValue.objects.filter(year=year).delete()
    written = 0
    for root in Organization.objects.filter(parent=None).order_by("path"):
        rows = _rows(compute(root, year, today), year)
        FigureValue.objects.bulk_create(rows, batch_size=_BATCH)
        written += len(rows)
    now = timezone.now()
    BuildState.objects.update_or_create(
        year=year,
        defaults={"rebuilt_at": now, "refreshed_at": now, "audit_watermark": watermark},
    )
    return written


def _stored(org_ids: list[int], year: int) -> dict[int, Counter[str]]:
    stored: dict[int, Counter[str]] = {}
    for org_id, key, value in FigureValue.objects.filter(
        organization_id__in=org_ids, year=year
    ).values_list("organization_id", "key", "value"):
        stored.setdefault(org_id, Counter())[key] = value
    return stored


@transaction.atomic
def figures_refresh(*, org: Organization, year: int, today: dt.date | None = None) -> None:
    """Recompute `org`'s subtree and add the change of `org`'s totals to each ancestor."""
    today = today or timezone.localdate()
    fresh = compute(org, year, today)
    subtree_ids = list(fresh.keys() | _stored_subtree_ids(org, year))
    before = _stored([org.pk], year).get(org.pk, Counter())
    after = fresh.get(org.pk, Counter())
    FigureValue.objects.filter(organization_id__in=subtree_ids, year=year).delete()
    FigureValue.objects.bulk_create(_rows(fresh, year), batch_size=_BATCH)
    ancestors = [int(part) for part in org.path.strip("/").split("/")[:-1]]
    if not ancestors:
        return
    delta = Counter(after)
    delta.subtract(before)
    stored = _stored(ancestors, year)
    changed: list[FigureValue] = []
    for ancestor in ancestors:
        values = stored.get(ancestor, Counter())
        for key, change in delta.items():
            if change:
                values[key] = values.get(key, 0) + change
        changed.extend(
            FigureValue(organization_id=ancestor, year=year, key=key, value=value)
            for key, value in values.items()
            if value
        )
    FigureValue.objects.filter(organization_id__in=ancestors, year=year).delete()
    FigureValue.objects.bulk_create(changed, batch_size=_BATCH)


def _stored_subtree_ids(org: Organization, year: int) -> set[int]:
    return set(
        FigureValue.objects.filter(year=year, organization__path__startswith=org.path).values_list(
            "organization_id", flat=True
        )
    )


def _minimal_paths(paths: set[str]) -> list[str]:
    """The paths not below another one of the set (refreshing those covers the rest)."""
    kept: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


@transaction.atomic
def figures_refresh_changed(*, year: int, today: dt.date | None = None) -> int:
    """Refresh the organizations changed since the last refresh (by the audit trail); the
    first call for a year rebuilds it. Returns the number of subtrees refreshed."""
    state = BuildState.objects.select_for_update().filter(year=year).first()
    if state is None:
        figures_rebuild(year=year, today=today)
        return 0
    events = AuditEvent.objects.filter(pk__gt=state.audit_watermark).exclude(org_path="")
    last = events.aggregate(last=Max("id"))["last"]
    if last is None:
        return 0
    paths = set(events.values_list("org_path", flat=True).distinct())
    refreshed = 0
    for path in _minimal_paths(paths):
        org = Organization.objects.filter(path=path).first()
        if org is None:  # removed since: its parent's figures changed
            parent_path = path.rsplit("/", 2)[0] + "/"
            org = Organization.objects.filter(path=parent_path).first()
        if org is not None:
            figures_refresh(org=org, year=year, today=today)
            refreshed += 1
    state.audit_watermark = last
    state.refreshed_at = timezone.now()
    state.save(update_fields=["audit_watermark", "refreshed_at"])
    return refreshed

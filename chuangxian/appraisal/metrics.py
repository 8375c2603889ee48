"""The metric registry: named figures other modules provide, read by automatic leaves.

A metric computes its values for many subjects at once — `fn(subject_ids, period)` returns
`{subject_id: value or None}` — so closing a round asks each metric once, not once per subject.
Subject ids are organization ids for `organization` metrics and member ids for `member`
metrics. `metric_sources` registers the figures of the modules that are installed; tests and
other modules may register their own.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chuangxian.appraisal.models import Direction


@dataclass(frozen=True)
class Period:
    year: int
    start: dt.date
    end: dt.date

    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls(year, dt.date(year, 1, 1), dt.date(year, 12, 31))


MetricFn = Callable[[Sequence[int], Period], dict[int, float | None]]
# The records behind one subject's value, in one Chinese phrase ("应到12次，出席10次").
ExplainFn = Callable[[int, Period], str]


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    subject_type: str  # "organization" or "member"
    direction: str
    fn: MetricFn
    # Which records the figure is computed from, for the explanation and the scheme editor.
    source: str = ""
    explain: ExplainFn | None = None
    # "rate": a share 0–1 (shown as a percentage); "number": shown as it is.
    unit: str = "rate"


_REGISTRY: dict[str, Metric] = {}


def register_metric(
    name: str,
    label: str,
    subject_type: str,
    direction: str,
    fn: MetricFn,
    *,
    source: str = "",
    explain: ExplainFn | None = None,
    unit: str = "rate",
) -> Metric:
    """Add (or replace) a metric. `direction` is Direction.HIGHER or Direction.LOWER."""
    if direction not in Direction.values:
        raise ValueError(f"direction must be one of {Direction.values}")
    if subject_type not in ("organization", "member"):
        raise ValueError("subject_type must be organization or member")
    metric = Metric(name, label, subject_type, direction, fn, source, explain, unit)
    _REGISTRY[name] = metric
    return metric


def unregister_metric(name: str) -> None:
    _REGISTRY.pop(name, None)


def get_metric(name: str) -> Metric | None:
    _load_sources()
    return _REGISTRY.get(name)


def all_metrics() -> list[Metric]:
    _load_sources()
    return sorted(_REGISTRY.values(), key=lambda m: m.name)


_loaded = False


def _load_sources() -> None:
    """Import metric_sources once, lazily (no import-time side effects in models)."""
    global _loaded
    if not _loaded:
        _loaded = True
        from chuangxian.appraisal import metric_sources

        metric_sources.register_all()


def explain_metric(name: str, subject_id: int, period: Period) -> str:
    """The records behind one subject's value ("" when the metric cannot say)."""
    metric = get_metric(name)
    if metric is None or metric.explain is None:
        return ""
    return metric.explain(subject_id, period)


def compute_metric(
    name: str, subject_ids: Sequence[int], period: Period
) -> dict[int, float | None]:
    metric = get_metric(name)
    if metric is None:
        return dict.fromkeys(subject_ids)
    values = metric.fn(list(subject_ids), period)
    return {sid: values.get(sid) for sid in subject_ids}

"""Openness's figures in appraisal's metric registry (群众反映好).

The dependency points one way: openness registers its metrics with appraisal's registry
(`register_metric`), and appraisal never imports openness — a scheme's leaf names the metric
and the registry hands it the numbers."""

from collections.abc import Sequence

from django.utils import timezone

from chuangxian.appraisal.metrics import Period, register_metric
from chuangxian.openness import figures

ON_TIME = "openness.opinions_answered_on_time"
SATISFACTION = "openness.opinion_satisfaction"
SERVICE = "openness.post_service_satisfaction"


def _on_time(ids: Sequence[int], period: Period) -> dict[int, float | None]:
    today = min(period.end, timezone.localdate())
    found = figures.opinion_figures(ids, period.start, period.end, today=today)
    return {oid: f.on_time_rate for oid, f in found.items()}


def _satisfaction(ids: Sequence[int], period: Period) -> dict[int, float | None]:
    today = min(period.end, timezone.localdate())
    found = figures.opinion_figures(ids, period.start, period.end, today=today)
    return {oid: f.satisfaction_rate for oid, f in found.items()}


def _service(ids: Sequence[int], period: Period) -> dict[int, float | None]:
    return figures.service_satisfaction(ids, period.year)


def register_openness_metrics() -> None:
    register_metric(ON_TIME, "群众意见按期答复率", "organization", "higher", _on_time)
    register_metric(SATISFACTION, "群众对答复的满意率", "organization", "higher", _satisfaction)
    register_metric(SERVICE, "亮身份岗位服务满意度", "member", "higher", _service)

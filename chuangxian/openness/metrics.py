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


def _opinions_explain(pk: int, period: Period) -> str:
    today = min(period.end, timezone.localdate())
    found = figures.opinion_figures([pk], period.start, period.end, today=today).get(pk)
    if found is None or not found.received:
        return "期间内没有收到群众意见"
    return (
        f"收到群众意见{found.received}条，按期答复{found.on_time}条、逾期{found.late}条；"
        f"评价了答复的{found.rated}条，其中满意{found.satisfied}条"
    )


def _service_explain(pk: int, period: Period) -> str:
    value = figures.service_satisfaction([pk], period.year).get(pk)
    if value is None:
        return "本年度群众没有评价该党员的亮身份岗位"
    return f"群众对亮身份岗位的评价折合{value * 100:.1f}%（满意1、基本满意0.6、不满意0）"


def register_openness_metrics() -> None:
    register_metric(
        ON_TIME,
        "群众意见按期答复率",
        "organization",
        "higher",
        _on_time,
        source="党务公开与群众监督：群众意见在答复期限（工作日）内答复的比例",
        explain=_opinions_explain,
    )
    register_metric(
        SATISFACTION,
        "群众对答复的满意率",
        "organization",
        "higher",
        _satisfaction,
        source="党务公开与群众监督：提出意见的群众对答复评价“满意”的比例",
        explain=_opinions_explain,
    )
    register_metric(
        SERVICE,
        "亮身份岗位服务满意度",
        "member",
        "higher",
        _service,
        source="党务公开与群众监督：群众扫亮身份卡片对岗位服务的评价（本年度）",
        explain=_service_explain,
    )

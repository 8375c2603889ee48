"""The appraisal engine's metric adapters over campaign targets (metric_sources.py)."""

from decimal import Decimal

import pytest

from chuangxian.appraisal import metrics
from chuangxian.appraisal.metrics import Period
from chuangxian.audit.services import Actor
from chuangxian.campaigns.services.targets import target_report_progress
from tests.campaigns.test_targets import _cascade

pytestmark = pytest.mark.django_db


def values(name: str, ids: list[int], year: int) -> dict[int, float | None]:
    return metrics.compute_metric(name, ids, Period.of_year(year))


def test_target_progress(tree, county_campaign, today) -> None:  # type: ignore[no-untyped-def]
    _town, a1, _a2 = _cascade(tree, county_campaign, today)
    target_report_progress(
        actor=Actor(user=tree.secretary), item=a1, value=Decimal(1), note="发展1名", today=today
    )
    got = values(
        "campaigns.target_progress",
        [tree.branch_a1.pk, tree.town_a.pk, tree.town_b.pk],
        today.year,
    )
    assert got == {tree.branch_a1.pk: 0.5, tree.town_a.pk: 0.375, tree.town_b.pk: None}
    text = metrics.explain_metric(
        "campaigns.target_progress", tree.branch_a1.pk, Period.of_year(today.year)
    )
    assert "目标加权完成进度50.0%" in text
    member = values("campaigns.member_target_progress", [tree.member_a1.pk], today.year)
    assert member == {tree.member_a1.pk: None}  # no target assigned by name
    other_year = metrics.compute_metric(
        "campaigns.target_progress", [tree.branch_a1.pk], Period.of_year(2019)
    )
    assert other_year == {tree.branch_a1.pk: None}

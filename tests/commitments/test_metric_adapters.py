"""The appraisal engine's metric adapters over commitments (metric_sources.py)."""

import pytest

from chuangxian.appraisal import metrics
from chuangxian.appraisal.metrics import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(make_item):  # type: ignore[no-untyped-def]
    from chuangxian.commitments.models import ItemStatus

    return [
        make_item(ItemStatus.FULFILLED),
        make_item(ItemStatus.FULFILLED),
        make_item(ItemStatus.UNMET),
        make_item(ItemStatus.IN_PROGRESS),
    ]


def test_fulfilment_rates(tree, kept, now) -> None:  # type: ignore[no-untyped-def]
    period = Period.of_year(now.year)
    member = metrics.compute_metric(
        "commitments.member_fulfilment_rate", [tree.member_a1.pk, tree.member_a2.pk], period
    )
    assert member == {tree.member_a1.pk: pytest.approx(2 / 3), tree.member_a2.pk: None}
    org = metrics.compute_metric(
        "commitments.fulfilment_rate", [tree.branch_a1.pk, tree.branch_b1.pk], period
    )
    assert org == {tree.branch_a1.pk: pytest.approx(2 / 3), tree.branch_b1.pk: None}
    text = metrics.explain_metric("commitments.member_fulfilment_rate", tree.member_a1.pk, period)
    assert text.endswith("承诺4项，已兑现2项，未兑现1项")

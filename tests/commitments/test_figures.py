"""The stable interface for appraisal and points: fulfilment rate, rating averages by group,
per-organization aggregates in one query (direct and rolled up)."""

import pytest

from chuangxian.audit.services import Actor
from chuangxian.campaigns.models import PhaseKind
from chuangxian.commitments import services
from chuangxian.commitments.figures import (
    fulfilment_rate,
    organization_figures,
    rating_averages,
)
from chuangxian.commitments.models import ItemStatus, RaterGroup
from tests.commitments.conftest import values

pytestmark = pytest.mark.django_db


@pytest.fixture
def outcomes(make_item):  # type: ignore[no-untyped-def]
    """张三: two fulfilled (one rated and closed), one unmet, one still in progress."""
    return [
        make_item(ItemStatus.FULFILLED),
        make_item(ItemStatus.RATED),
        make_item(ItemStatus.UNMET),
        make_item(ItemStatus.IN_PROGRESS),
    ]


def test_fulfilment_rate(outcomes, tree, campaign):
    assert fulfilment_rate(tree.member_a1, campaign) == pytest.approx(2 / 3)
    assert fulfilment_rate(tree.branch_a1, campaign) == pytest.approx(2 / 3)
    assert fulfilment_rate(tree.county, campaign) == pytest.approx(2 / 3)
    assert fulfilment_rate(tree.member_a2, campaign) is None
    assert fulfilment_rate(tree.branch_b1, campaign) is None
    assert fulfilment_rate(outcomes[2], campaign) == 0.0


def test_rating_averages_by_group(outcomes, tree, set_phase, now, campaign):
    set_phase(PhaseKind.REVIEW)
    first, _rated, unmet, _open = outcomes
    public = Actor(label="群众")
    for device, score in (("a", 100), ("b", 60), ("c", 0)):
        services.rating_record(
            actor=public,
            item=first,
            group=RaterGroup.PUBLIC,
            score=score,
            device_id=device,
            today=now,
        )
    services.rating_record(
        actor=public,
        item=unmet,
        group=RaterGroup.SUPERIOR,
        score=60,
        rater=tree.town_admin,
        today=now,
    )
    assert rating_averages(first, campaign) == {RaterGroup.PUBLIC: (pytest.approx(160 / 3), 3)}
    assert rating_averages(tree.member_a1, campaign) == {
        RaterGroup.PUBLIC: (pytest.approx(160 / 3), 3),
        RaterGroup.SUPERIOR: (60.0, 1),
    }
    assert rating_averages(tree.member_b1, campaign) == {}


def test_organization_figures_in_one_query(
    outcomes, tree, campaign, set_phase, now, django_assert_num_queries
):
    actor = Actor(user=tree.county_admin)
    set_phase(PhaseKind.DEPLOY)
    org_sheet = services.sheet_open(
        actor=actor, campaign=campaign, organization=tree.town_a, today=now
    )
    services.item_add(
        actor=actor, sheet=org_sheet, values=values(dimension="performance"), today=now
    )
    set_phase(PhaseKind.REVIEW)
    services.rating_record(
        actor=actor, item=outcomes[0], group=RaterGroup.PUBLIC, score=100, device_id="x", today=now
    )
    services.rating_record(
        actor=actor, item=outcomes[0], group=RaterGroup.PUBLIC, score=0, device_id="y", today=now
    )
    with django_assert_num_queries(1):
        direct = organization_figures(tree.county, campaign)
    a1 = direct[tree.branch_a1.pk]
    assert (a1.items, a1.published, a1.fulfilled, a1.unmet) == (4, 4, 2, 1)
    assert a1.fulfilment_rate == pytest.approx(2 / 3)
    assert a1.rating_mean(RaterGroup.PUBLIC) == 50 and a1.rating_count[RaterGroup.PUBLIC] == 2
    assert a1.rating_mean(RaterGroup.MEMBER) is None
    assert direct[tree.town_a.pk].items == 1 and direct[tree.town_a.pk].published == 0
    assert tree.county.pk not in direct
    rolled = organization_figures(tree.county, campaign, rolled_up=True)
    assert rolled[tree.county.pk].items == 5 and rolled[tree.town_a.pk].items == 5
    assert rolled[tree.county.pk].fulfilled == 2
    assert tree.town_b.pk not in rolled
    below = organization_figures(tree.town_a, campaign, rolled_up=True)
    assert set(below) == {tree.town_a.pk, tree.branch_a1.pk}

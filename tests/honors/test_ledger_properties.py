"""Properties of the ledger: a year's total is the sum of its entries (without a standing
veto), and reversing an entry restores the total from before it."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuangxian.audit.services import SYSTEM
from chuangxian.honors import ledger
from chuangxian.honors.catalogue import effective_rules
from chuangxian.honors.models import PointEntry
from chuangxian.honors.services import points

pytestmark = pytest.mark.django_db

amounts = st.lists(
    st.decimals(min_value=-50, max_value=50, places=1, allow_nan=False), min_size=1, max_size=8
)


def _post(member, rule, amount: Decimal, n: int) -> PointEntry:  # type: ignore[no-untyped-def]
    return PointEntry.objects.create(
        member=member,
        organization=member.organization,
        year=2026,
        rule=rule,
        bucket=rule.bucket,
        record_key=f"manual:test-{n}",
        points=amount,
        detail="测试",
        actor_label="测试",
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=amounts, pick=st.integers(min_value=0, max_value=7))
def test_total_is_the_sum_and_reversal_restores(tree, values, pick):
    member = tree.member_a2
    if not effective_rules(member.organization):
        points.rules_seed_defaults(actor=SYSTEM, organization=tree.county)
    rule = effective_rules(member.organization)["volunteer"]
    before = ledger.member_year_total(member.pk, 2026)
    entries = [_post(member, rule, v, i) for i, v in enumerate(values)]
    after = ledger.member_year_total(member.pk, 2026)
    assert after == before + sum(values, Decimal(0))
    chosen = entries[pick % len(entries)]
    points.entry_reverse(actor=SYSTEM, entry=chosen, reason="更正")
    assert ledger.member_year_total(member.pk, 2026) == after - chosen.points
    # Undo everything this example posted: reversing restores the starting total.
    for entry in entries:
        if entry.pk != chosen.pk:
            points.entry_reverse(actor=SYSTEM, entry=entry, reason="更正")
    assert ledger.member_year_total(member.pk, 2026) == before
    assert ledger.member_totals([member.pk], 2026)[member.pk] == before

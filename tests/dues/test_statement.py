"""Monthly statements on a hand-built year, rolled up a subtree, and the figures interface."""

import datetime as dt
from decimal import Decimal

import pytest

from chuangxian.dues import figures
from chuangxian.dues.ledger import subtree_statement
from tests.dues.conftest import TODAY, assess, m, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(tree):  # type: ignore[no-untyped-def]
    """张三 (A1) 4000 → 40.00, pays every month; 李四 (A1G1) retiree 2000 → 10.00, pays Jan-Jun
    in one payment and 5.00 for July; 王五 (A2) 12000 → 240.00, pays 300 for March only;
    赵六 (B1) not assessed."""
    assess(tree.member_a1, "4000")
    assess(tree.member_a1g, "2000", category="retired")
    assess(tree.member_a2, "12000")
    for month in range(1, 11):
        pay(tree.member_a1, f"2026-{month:02d}", amount="40.00", paid_on=dt.date(2026, month, 10))
    pay(tree.member_a1g, "2026-01", "2026-06", amount="60.00", paid_on=dt.date(2026, 1, 8))
    pay(tree.member_a1g, "2026-07", amount="5.00", paid_on=dt.date(2026, 7, 8))
    pay(tree.member_a2, "2026-03", amount="300.00", paid_on=dt.date(2026, 3, 8))
    return tree


def test_march_rolled_up(year) -> None:
    totals = subtree_statement(year.county, m("2026-03"), today=TODAY).totals
    a1 = totals[year.branch_a1.pk]
    assert (a1.members, a1.owing, a1.paid_members, a1.unpaid_members) == (2, 2, 2, 0)
    assert a1.due == Decimal("50.00") and a1.paid == Decimal("50.00")
    a2 = totals[year.branch_a2.pk]
    assert a2.overpaid == Decimal("60.00") and a2.arrears == Decimal("0.00")
    town = totals[year.town_a.pk]
    assert (town.due, town.paid, town.arrears, town.overpaid) == (
        Decimal("290.00"),
        Decimal("350.00"),
        Decimal("0.00"),
        Decimal("60.00"),
    )
    county = totals[year.county.pk]
    assert (county.members, county.owing, county.unassessed) == (4, 3, 1)


def test_july_arrears_are_not_offset_by_overpayment(year) -> None:
    totals = subtree_statement(year.county, m("2026-07"), today=TODAY).totals
    town = totals[year.town_a.pk]
    assert town.due == Decimal("290.00")
    assert town.paid == Decimal("45.00")
    assert town.arrears == Decimal("245.00")  # 李四 5.00 short + 王五 240.00
    assert (town.paid_members, town.unpaid_members) == (1, 2)


def test_member_rows_for_a_branch_and_its_groups(year) -> None:
    statement = subtree_statement(
        year.branch_a1,
        m("2026-07"),
        today=TODAY,
        member_rows_for=[year.branch_a1.pk, year.group_a1.pk],
    )
    states = {row.name: (row.line.state, row.line.difference) for row in statement.rows}
    assert states == {"张三": ("paid", Decimal("0.00")), "李四": ("underpaid", Decimal("-5.00"))}


def test_current_month_is_open_not_unpaid(year) -> None:
    totals = subtree_statement(year.county, m("2026-11"), today=TODAY).totals
    town = totals[year.town_a.pk]
    assert town.owing == 3 and town.unpaid_members == 0 and town.paid_members == 0


def test_compliance_figures(year) -> None:
    whole_year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert figures.dues_compliance(year.member_a1, whole_year, today=TODAY) == 1.0
    assert figures.dues_compliance(year.member_a1g, whole_year, today=TODAY) == 0.7
    assert figures.dues_compliance(year.member_a2, whole_year, today=TODAY) == 0.1
    assert figures.dues_compliance(year.member_b1, whole_year, today=TODAY) is None
    assert (
        figures.dues_compliance(
            year.member_a1, (dt.date(2027, 1, 1), dt.date(2027, 12, 31)), today=TODAY
        )
        is None
    )
    assert figures.dues_arrears_months(year.member_a2, TODAY) == 7
    assert figures.dues_outstanding(year.member_a1g, TODAY) == Decimal("35.00")
    assert figures.organization_dues(year.town_a, dt.date(2026, 7, 19), today=TODAY)[
        year.town_a.pk
    ].arrears == Decimal("245.00")


def test_statement_queries_do_not_grow_with_members(year, django_assert_max_num_queries) -> None:
    from tests.factories import MemberFactory

    for _ in range(30):
        assess(MemberFactory(organization=year.branch_b1), "5000")
    with django_assert_max_num_queries(3):
        subtree_statement(year.county, m("2026-07"), today=TODAY)

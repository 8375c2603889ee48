"""The 2008 rate table: bands on the whole base, boundaries included in the lower band."""

from decimal import Decimal

import pytest

from chuangxian.dues.rates import DuesCategory, monthly_dues, rate_for


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("1000", "5.00"),
        ("2999.99", "15.00"),
        ("3000", "15.00"),  # 3000元以下（含3000元）: 0.5%
        ("3000.01", "30.00"),  # 3000元以上: 1% of the whole base
        ("4321.50", "43.22"),  # 43.215 rounds half-up to the fen
        ("5000", "50.00"),  # 含5000元: still 1%
        ("5000.01", "75.00"),
        ("8000", "120.00"),
        ("10000", "150.00"),  # 含10000元: 1.5%
        ("10000.01", "200.00"),
        ("23456.78", "469.14"),
        ("0.01", "0.00"),
    ],
)
def test_employed_bands(base: str, expected: str) -> None:
    amount = monthly_dues(DuesCategory.EMPLOYED, base=Decimal(base), fixed_amount=None)
    assert amount == Decimal(expected)
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("base", "expected"),
    [("2000", "10.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("6543.21", "65.43")],
)
def test_retiree_bands(base: str, expected: str) -> None:
    assert monthly_dues(DuesCategory.RETIRED, base=Decimal(base), fixed_amount=None) == Decimal(
        expected
    )


@pytest.mark.parametrize("category", ["farmer", "student", "unemployed", "other"])
@pytest.mark.parametrize("fixed", ["0.20", "0.5", "1.00"])
def test_fixed_amounts(category: str, fixed: str) -> None:
    assert monthly_dues(category, base=None, fixed_amount=Decimal(fixed)) == Decimal(fixed)


@pytest.mark.parametrize("fixed", ["0.19", "1.01", None])
def test_fixed_amount_outside_range_is_refused(fixed: str | None) -> None:
    with pytest.raises(ValueError):
        monthly_dues("farmer", base=None, fixed_amount=Decimal(fixed) if fixed else None)


def test_rate_is_not_marginal() -> None:
    # A progressive (marginal) reading would give 15 + 20 + 15 = 50 for 6000; the regulation's
    # 1.5% of the whole base gives 90.
    assert rate_for(DuesCategory.EMPLOYED, Decimal("6000")) == Decimal("0.015")
    assert monthly_dues("employed", base=Decimal("6000"), fixed_amount=None) == Decimal("90.00")

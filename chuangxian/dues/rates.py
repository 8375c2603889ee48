"""The dues rate table of 党费收缴、使用和管理的规定 (中组发〔2008〕3号).

The regulation states each band as a share of the whole monthly base, not as a marginal rate:
"每月工资收入（税后）在3000元以下（含3000元）者，交纳月工资收入的0.5%；3000元以上至5000元
（含5000元）者，交纳1%；5000元以上至10000元（含10000元）者，交纳1.5%；10000元以上者，交纳2%".
So a base of exactly 3000 pays 0.5% (15.00 元) and 3000.01 pays 1% (30.00 元): the jump at each
boundary is the regulation's, not a bug. Retirees: 5000元以下（含5000元） 0.5%, above 1%.
Farmers pay 0.2-1 元 a month; students, the unemployed and those living on relief 0.2 元.

Amounts are Decimal throughout and rounded half-up to the fen (分): the regulation names no
rounding; half-up to the fen is how the 组织部 ledger software and bank collection files round.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

FEN = Decimal("0.01")
MIN_FIXED = Decimal("0.20")
MAX_FIXED = Decimal("1.00")
MAX_BASE = Decimal("9999999.99")


class DuesCategory(models.TextChoices):
    EMPLOYED = "employed", _("在职")
    RETIRED = "retired", _("离退休")
    FARMER = "farmer", _("农民")
    STUDENT = "student", _("学生")
    UNEMPLOYED = "unemployed", _("下岗失业")
    OTHER = "other", _("其他（抚恤、救济、低保等）")


BASE_CATEGORIES = frozenset({DuesCategory.EMPLOYED, DuesCategory.RETIRED})
FIXED_CATEGORIES = frozenset(set(DuesCategory) - BASE_CATEGORIES)

# (upper bound included, rate); None = no upper bound.
EMPLOYED_BANDS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("3000"), Decimal("0.005")),
    (Decimal("5000"), Decimal("0.01")),
    (Decimal("10000"), Decimal("0.015")),
    (None, Decimal("0.02")),
)
RETIRED_BANDS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("5000"), Decimal("0.005")),
    (None, Decimal("0.01")),
)


def to_fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def rate_for(category: str, base: Decimal) -> Decimal:
    """The share of the base due each month for a base-paying category."""
    bands = EMPLOYED_BANDS if category == DuesCategory.EMPLOYED else RETIRED_BANDS
    for upper, rate in bands:
        if upper is None or base <= upper:
            return rate
    raise AssertionError("the last band has no upper bound")


def monthly_dues(category: str, *, base: Decimal | None, fixed_amount: Decimal | None) -> Decimal:
    """The computed monthly amount. Raises ValueError on inputs the forms refuse anyway."""
    if category in BASE_CATEGORIES:
        if base is None or base <= 0:
            raise ValueError("base-paying category without a positive base")
        return to_fen(base * rate_for(category, base))
    if fixed_amount is None or not MIN_FIXED <= fixed_amount <= MAX_FIXED:
        raise ValueError("fixed amount outside 0.20-1.00")
    return to_fen(fixed_amount)

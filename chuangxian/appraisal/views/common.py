"""Helpers shared by the appraisal views."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from chuangxian.appraisal.models import Indicator, LeafKind, Round


def messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def rated_leaves(round_: Round) -> QuerySet[Indicator]:
    return Indicator.objects.filter(scheme=round_.scheme_id, kind=LeafKind.RATED).order_by(
        "position"
    )

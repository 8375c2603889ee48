"""Helpers shared by the appraisal views."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from chuangxian.appraisal.models import Indicator, LeafKind, Round, RoundSubject
from chuangxian.appraisal.records import member_year_summaries


def messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def rated_leaves(round_: Round) -> QuerySet[Indicator]:
    return Indicator.objects.filter(scheme=round_.scheme_id, kind=LeafKind.RATED).order_by(
        "position"
    )


def sheet_notes(round_: Round, subjects: list[RoundSubject], *, public: bool) -> dict[int, str]:
    """subject id → the short summary of a member subject's year shown on the sheet."""
    members = {s.pk: s.member_id for s in subjects if s.member_id is not None}
    if not members:
        return {}
    summaries = member_year_summaries(sorted(set(members.values())), round_.year, public=public)
    return {
        pk: " · ".join(summaries[member_id].parts)
        for pk, member_id in members.items()
        if summaries[member_id].parts
    }

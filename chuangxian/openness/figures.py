"""The openness figures other modules read (appraisal, through its metric registry): how
promptly and how well each organization answers the public.

An opinion counts for the period it was submitted in. It was answered on time when its first
answer came on or before its first deadline; one still unanswered past that deadline counts as
late; one not yet due does not count either way. Satisfaction is the share of rated answers the
submitter called satisfied. Rejected opinions (不予受理) count for neither."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Q

from chuangxian.openness.models import Opinion, OpinionStatus, Satisfaction
from chuangxian.workdays import working_days_between


@dataclass(frozen=True)
class OpinionFigures:
    received: int
    on_time: int
    late: int
    rated: int
    satisfied: int

    @property
    def on_time_rate(self) -> float | None:
        judged = self.on_time + self.late
        return self.on_time / judged if judged else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


def opinion_figures(
    organization_ids: Sequence[int], start: dt.date, end: dt.date, *, today: dt.date
) -> dict[int, OpinionFigures]:
    """Per organization id (each organization's own opinions), one grouped query."""
    rows = (
        Opinion.objects.filter(
            organization_id__in=list(organization_ids),
            submitted_on__gte=start,
            submitted_on__lte=end,
        )
        .exclude(status=OpinionStatus.REJECTED)
        .values("organization_id")
        .annotate(
            received=Count("id"),
            on_time=Count(
                "id",
                filter=Q(first_answered_on__isnull=False, first_answered_on__lte=F("first_due_on")),
            ),
            late=Count(
                "id",
                filter=Q(first_answered_on__gt=F("first_due_on"))
                | Q(first_answered_on__isnull=True, first_due_on__lt=today),
            ),
            rated=Count("id", filter=~Q(satisfaction="")),
            satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        )
    )
    found = {
        row["organization_id"]: OpinionFigures(
            row["received"], row["on_time"], row["late"], row["rated"], row["satisfied"]
        )
        for row in rows
    }
    return {oid: found.get(oid, OpinionFigures(0, 0, 0, 0, 0)) for oid in organization_ids}


def average_answer_days(organization_id: int, start: dt.date, end: dt.date) -> float | None:
    """Mean working days from submission to first answer, over the period's answered ones."""
    pairs = Opinion.objects.filter(
        organization_id=organization_id,
        submitted_on__gte=start,
        submitted_on__lte=end,
        first_answered_on__isnull=False,
    ).values_list("submitted_on", "first_answered_on")
    days = [working_days_between(asked, answered) for asked, answered in pairs if answered]
    return sum(days) / len(days) if days else None


def service_satisfaction(member_ids: Sequence[int], year: int) -> dict[int, float | None]:
    """三为三树: the public's mean rating of each member's post card in the year, 0 to 1
    (满意 1, 基本满意 0.6, 不满意 0); None without ratings. One grouped query."""
    from django.db.models import Avg

    from chuangxian.openness.models import PostRating

    rows = (
        PostRating.objects.filter(card__member_id__in=list(member_ids), rated_on__year=year)
        .values("card__member_id")
        .annotate(mean=Avg("score"))
    )
    found = {row["card__member_id"]: row["mean"] / 100 for row in rows}
    return {mid: found.get(mid) for mid in member_ids}

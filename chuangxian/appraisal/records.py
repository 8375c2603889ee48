"""What a rater sees beside each member on a ballot sheet: a short summary of the member's year
from the records the branch already keeps (不以票取人 — the vote informed by the record).

Member and superior raters see meetings attended of those expected, study hours against the
requirement, dues months paid of those due and commitments kept; the public sees only what is
public anyway — the member's published commitments (公诺) and how many were kept. Read only:
nothing here touches the ballot, so its secrecy is unchanged.

Like metric_sources, each part is read only if its module is installed; a few grouped queries
per page (dues: two per member, the ledger has no grouped form yet).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from chuangxian.orgs.models import Member


@dataclass
class YearSummary:
    """One member's year, each part a short Chinese phrase (absent when not recorded)."""

    parts: list[str] = field(default_factory=list)


def member_year_summaries(
    member_ids: Sequence[int], year: int, *, public: bool = False
) -> dict[int, YearSummary]:
    """{member id: summary} for the members on a sheet; `public` keeps only public facts."""
    ids = list(member_ids)
    summaries = {pk: YearSummary() for pk in ids}
    if not ids:
        return summaries
    if not public:
        _meetings(ids, year, summaries)
        _study(ids, year, summaries)
        _dues(ids, year, summaries)
    _commitments(ids, year, summaries, public=public)
    return summaries


def _meetings(ids: list[int], year: int, summaries: dict[int, YearSummary]) -> None:
    try:
        from chuangxian.orglife.figures import attendance_counts
        from chuangxian.orglife.periods import Period
    except ImportError:
        return
    counts = attendance_counts(ids, Period(year, 1, 12))
    for pk in ids:
        c = counts.get(pk)
        text = f"会议出席{c.present}/{c.expected}" if c else "会议出席0/0"
        summaries[pk].parts.append(text + (f"（请假{c.leave}）" if c and c.leave else ""))


def _study(ids: list[int], year: int, summaries: dict[int, YearSummary]) -> None:
    try:
        from chuangxian.learning.figures import ZERO, study_hours_many
        from chuangxian.learning.rules import requirement_for_post
    except ImportError:
        return
    hours = study_hours_many(ids, year)
    posts = dict(Member.objects.filter(pk__in=ids).values_list("pk", "party_post"))
    for pk in ids:
        required = requirement_for_post(posts.get(pk, ""))
        summaries[pk].parts.append(f"学时{hours.get(pk, ZERO)}/{required}")


def _dues(ids: list[int], year: int, summaries: dict[int, YearSummary]) -> None:
    try:
        from chuangxian.dues import ledger
        from chuangxian.dues.months import last_complete_month, month_of
    except ImportError:
        return
    today = min(dt.date(year, 12, 31), timezone.localdate())
    first, last = month_of(dt.date(year, 1, 1)), last_complete_month(today)
    if last < first:
        return
    for member in Member.objects.filter(pk__in=ids):
        lines = [
            line
            for line in ledger.member_months(member, first=first, last=last, today=today)
            if line.state not in (ledger.MonthState.NOT_DUE, ledger.MonthState.OPEN)
        ]
        if lines:
            paid = sum(1 for line in lines if line.state != ledger.MonthState.UNPAID)
            summaries[member.pk].parts.append(f"党费{paid}/{len(lines)}个月")


def _commitments(
    ids: list[int], year: int, summaries: dict[int, YearSummary], *, public: bool
) -> None:
    try:
        from chuangxian.commitments.models import PUBLIC_STATUSES, CommitmentItem, Outcome
    except ImportError:
        return
    items = CommitmentItem.objects.filter(sheet__member_id__in=ids, sheet__campaign__year=year)
    if public:
        items = items.filter(status__in=list(PUBLIC_STATUSES))
    rows = (
        items.values_list("sheet__member_id")
        .annotate(
            total=Count("id"),
            kept=Count("id", filter=Q(outcome=Outcome.FULFILLED)),
            unmet=Count("id", filter=Q(outcome=Outcome.UNMET)),
        )
        .order_by()
    )
    found: dict[int, tuple[int, int, int]] = defaultdict(lambda: (0, 0, 0))
    for member_id, total, kept, unmet in rows:
        found[member_id] = (total, kept, unmet)
    label = "公开承诺" if public else "承诺"
    for pk in ids:
        total, kept, unmet = found[pk]
        if total or not public:
            text = f"{label}{total}项，已兑现{kept}"
            summaries[pk].parts.append(text + (f"，未兑现{unmet}" if unmet else ""))

"""Commitment figures for the appraisal engine and the points ledger: a stable interface.

- fulfilment_rate(subject, campaign): fulfilled / (fulfilled + unmet) over the items whose
  outcome is known (已兑现, 未兑现, or rated after either); None when there is none yet.
- rating_averages(subject, campaign): {rater group: (mean score, count)} for the groups that
  rated; scores are 满意 100, 基本满意 60, 不满意 0.
- organization_figures(root, campaign): per organization of the subtree, counts and rating
  sums, in one query; with rolled_up=True each organization also carries everything below it.

A subject is a Member (their own sheet), an Organization (every sheet of its subtree: its own
五好 sheet and its members') or a single CommitmentItem.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum

from chuangxian.campaigns.models import Campaign
from chuangxian.commitments.models import (
    PUBLIC_STATUSES,
    CommitmentItem,
    ItemStatus,
    Outcome,
    RaterGroup,
    Rating,
)
from chuangxian.orgs.models import Member, Organization

Subject = Member | Organization | CommitmentItem


def _items(subject: Subject, campaign: Campaign) -> QuerySet[CommitmentItem]:
    items = CommitmentItem.objects.filter(sheet__campaign=campaign)
    if isinstance(subject, CommitmentItem):
        return items.filter(pk=subject.pk)
    if isinstance(subject, Member):
        return items.filter(sheet__member=subject)
    return items.filter(sheet__organization__path__startswith=subject.path)


def _rate(fulfilled: int, unmet: int) -> float | None:
    total = fulfilled + unmet
    return fulfilled / total if total else None


def fulfilment_rate(subject: Subject, campaign: Campaign) -> float | None:
    """Share of kept commitments among those whose outcome is known, 0.0–1.0, or None."""
    counts = _items(subject, campaign).aggregate(
        fulfilled=Count("id", filter=Q(outcome=Outcome.FULFILLED)),
        unmet=Count("id", filter=Q(outcome=Outcome.UNMET)),
    )
    return _rate(counts["fulfilled"], counts["unmet"])


def rating_averages(subject: Subject, campaign: Campaign) -> dict[str, tuple[float, int]]:
    """{RaterGroup value: (mean 0–100, number of ratings)}; groups without ratings are absent."""
    ratings = Rating.objects.filter(item__in=_items(subject, campaign).values("pk"))
    rows = ratings.values_list("group").annotate(mean=Avg("score"), n=Count("id")).order_by()
    return {group: (float(mean), int(n)) for group, mean, n in rows}


@dataclass
class OrgCommitmentFigures:
    organization_id: int
    items: int = 0
    published: int = 0
    fulfilled: int = 0
    unmet: int = 0
    rating_sum: dict[str, int] = field(default_factory=dict)
    rating_count: dict[str, int] = field(default_factory=dict)

    @property
    def fulfilment_rate(self) -> float | None:
        return _rate(self.fulfilled, self.unmet)

    def rating_mean(self, group: str) -> float | None:
        count = self.rating_count.get(group, 0)
        return self.rating_sum.get(group, 0) / count if count else None

    def add(self, other: "OrgCommitmentFigures") -> None:
        self.items += other.items
        self.published += other.published
        self.fulfilled += other.fulfilled
        self.unmet += other.unmet
        for group in RaterGroup.values:
            self.rating_sum[group] = self.rating_sum.get(group, 0) + other.rating_sum.get(group, 0)
            self.rating_count[group] = self.rating_count.get(group, 0) + other.rating_count.get(
                group, 0
            )


def organization_figures(
    root: Organization, campaign: Campaign, *, rolled_up: bool = False
) -> dict[int, OrgCommitmentFigures]:
    """{organization id: figures} for the organizations of `root`'s subtree that have sheets
    in `campaign` (and, rolled up, their ancestors within the subtree). One grouped query:
    items are counted distinct, so joining the ratings does not inflate them."""
    annotations: dict[str, Any] = {
        "n_items": Count("id", distinct=True),
        "n_published": Count("id", distinct=True, filter=Q(status__in=PUBLIC_STATUSES)),
        "n_fulfilled": Count("id", distinct=True, filter=Q(outcome=Outcome.FULFILLED)),
        "n_unmet": Count("id", distinct=True, filter=Q(outcome=Outcome.UNMET)),
    }
    for group in RaterGroup.values:
        annotations[f"sum_{group}"] = Sum("ratings__score", filter=Q(ratings__group=group))
        annotations[f"count_{group}"] = Count("ratings", filter=Q(ratings__group=group))
    rows = (
        CommitmentItem.objects.filter(
            sheet__campaign=campaign, sheet__organization__path__startswith=root.path
        )
        .values("sheet__organization_id", "sheet__organization__path")
        .annotate(**annotations)
        .order_by()
    )
    direct: dict[int, OrgCommitmentFigures] = {}
    paths: dict[int, str] = {}
    for row in rows:
        org_id = row["sheet__organization_id"]
        paths[org_id] = row["sheet__organization__path"]
        direct[org_id] = OrgCommitmentFigures(
            organization_id=org_id,
            items=row["n_items"],
            published=row["n_published"],
            fulfilled=row["n_fulfilled"],
            unmet=row["n_unmet"],
            rating_sum={g: int(row[f"sum_{g}"] or 0) for g in RaterGroup.values},
            rating_count={g: int(row[f"count_{g}"]) for g in RaterGroup.values},
        )
    if not rolled_up:
        return direct
    root_depth = len(root.ancestor_ids)
    totals: dict[int, OrgCommitmentFigures] = defaultdict(lambda: OrgCommitmentFigures(0))
    for org_id, figures in direct.items():
        ancestors = [int(part) for part in paths[org_id].strip("/").split("/")]
        for ancestor in ancestors[root_depth:]:
            totals[ancestor].organization_id = ancestor
            totals[ancestor].add(figures)
    return dict(totals)


def fulfilled_and_rated_by_member(root: Organization, year: int) -> dict[int, int]:
    """{member id: items kept (已兑现) and closed after rating (评诺结束)} on the members' own
    sheets in the campaigns of `year`, for the members of `root`'s subtree: one grouped query,
    for the points ledger."""
    rows = (
        CommitmentItem.objects.filter(
            sheet__campaign__year=year,
            sheet__member__organization__path__startswith=root.path,
            outcome=Outcome.FULFILLED,
            status=ItemStatus.RATED,
        )
        .values_list("sheet__member_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)

"""Reads on commitments. Staff reads start from chuangxian.commitments.access; public reads
(the wall) return only items from 公诺 on, of the one organization asked for."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet

from chuangxian.campaigns.models import Campaign
from chuangxian.commitments.access import can_review, items_for, sheets_for
from chuangxian.commitments.models import (
    PUBLIC_STATUSES,
    CommitmentItem,
    CommitmentSheet,
    Evidence,
    ItemStatus,
    ItemTransition,
    LeaderComment,
    ProgressUpdate,
    Rating,
)
from chuangxian.orgs.models import Member, Organization, OrgKind
from chuangxian.textsimilarity import similar_pairs

REVIEW_QUEUE_LIMIT = 500


def applicable_campaigns(org: Organization) -> QuerySet[Campaign]:
    """Campaigns whose owner is `org` or one of its ancestors (a campaign covers a subtree)."""
    return Campaign.objects.filter(owner_id__in=[*org.ancestor_ids, org.pk]).prefetch_related(
        "phases"
    )


def my_sheets(user: Any) -> list[CommitmentSheet]:
    """The logged-in member's own sheets, newest campaign first, with their items."""
    member_id = getattr(user, "member_id", None)
    if member_id is None:
        return []
    return list(
        CommitmentSheet.objects.filter(member_id=member_id)
        .select_related("campaign", "organization", "member")
        .prefetch_related("items")
        .order_by("-campaign__year", "-id")
    )


def staff_items(
    user: Any,
    *,
    status: str = "",
    organization: Organization | None = None,
    campaign: Campaign | None = None,
    text: str = "",
) -> QuerySet[CommitmentItem]:
    """Items of the organizations in the user's scope, filtered, in tree then name order."""
    items = items_for(user)
    if status:
        items = items.filter(status=status)
    if organization is not None:
        items = items.filter(sheet__organization__path__startswith=organization.path)
    if campaign is not None:
        items = items.filter(sheet__campaign=campaign)
    text = text.strip()
    if text:
        items = items.filter(Q(text__contains=text) | Q(sheet__member__name__contains=text))
    return items.select_related("sheet__organization", "sheet__member", "sheet__campaign").order_by(
        "sheet__organization__path", "sheet__member__name", "sheet_id", "id"
    )


def review_queue(user: Any) -> list[CommitmentItem]:
    """Submitted items the user may review (never their own)."""
    candidates = (
        items_for(user)
        .filter(status=ItemStatus.SUBMITTED)
        .select_related("sheet__organization", "sheet__member", "sheet__campaign")
        .order_by("sheet__organization__path", "sheet_id", "id")[:REVIEW_QUEUE_LIMIT]
    )
    return [item for item in candidates if can_review(user, item.sheet)]


# 审诺's copy-paste check: two members' items at least this alike (character-bigram Jaccard,
# 0-1) are shown side by side. COMMITMENT_SIMILARITY_THRESHOLD overrides it.
DEFAULT_SIMILARITY_THRESHOLD = 0.6


@dataclass(frozen=True)
class SimilarItem:
    item: CommitmentItem
    score: float


def similar_items(items: list[CommitmentItem]) -> dict[int, list[SimilarItem]]:
    """For each item under review, the other members' items of the same campaign and
    organization that read nearly the same (boilerplate copied from one sheet to the next):
    {item id: [SimilarItem, …]}, most alike first. Items of the same sheet are not compared."""
    if not items:
        return {}
    threshold = float(
        getattr(settings, "COMMITMENT_SIMILARITY_THRESHOLD", DEFAULT_SIMILARITY_THRESHOLD)
    )
    reviewed = {item.pk for item in items}
    others = (
        CommitmentItem.objects.filter(
            sheet__campaign_id__in={item.sheet.campaign_id for item in items},
            sheet__organization_id__in={item.sheet.organization_id for item in items},
        )
        .exclude(pk__in=reviewed)
        .exclude(status=ItemStatus.DRAFT)
        .select_related("sheet")[:REVIEW_QUEUE_LIMIT]
    )
    pool = [*items, *others]
    found: dict[int, list[SimilarItem]] = {}
    for pair in similar_pairs([item.text for item in pool], threshold=threshold):
        first, second = pool[pair.first], pool[pair.second]
        if first.sheet_id == second.sheet_id:
            continue
        for this, other in ((first, second), (second, first)):
            if this.pk in reviewed:
                found.setdefault(this.pk, []).append(SimilarItem(other, pair.score))
    return found


def sheets_of_member(user: Any, member: Member) -> QuerySet[CommitmentSheet]:
    return sheets_for(user).filter(member=member)


def sheet_items(sheet: CommitmentSheet) -> list[CommitmentItem]:
    return list(
        sheet.items.annotate(
            update_count=Count("updates"), last_report=Max("updates__reported_on")
        ).order_by("id")
    )


@dataclass
class TimelineEntry:
    at: dt.datetime | dt.date
    kind: str  # "status", "progress", "comment"
    text: str = ""
    status: str = ""
    status_label: str = ""
    who: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    achieved: Any = None


# The state changes the public sees; drafts and reviews stay inside the branch.
PUBLIC_MILESTONES = frozenset(
    {ItemStatus.PUBLISHED, ItemStatus.FULFILLED, ItemStatus.UNMET, ItemStatus.RATED}
)


def item_timeline(item: CommitmentItem, *, public: bool) -> list[TimelineEntry]:
    """Status changes, progress updates with their evidence, and 领导点评, oldest first.
    The public version omits internal steps and names only organizations, not people."""
    transitions = ItemTransition.objects.filter(item=item)
    if public:
        transitions = transitions.filter(to_status__in=PUBLIC_MILESTONES)
    entries = [
        TimelineEntry(
            at=t.at,
            kind="status",
            status=t.to_status,
            status_label=str(ItemStatus(t.to_status).label),
            text=t.reason
            if (not public or t.to_status in (ItemStatus.UNMET, ItemStatus.FULFILLED))
            else "",
            who="" if public else t.actor_label,
        )
        for t in transitions
    ]
    for update in item.updates.prefetch_related("evidence").select_related("created_by"):
        entries.append(
            TimelineEntry(
                at=update.created_at,
                kind="progress",
                text=update.text,
                who="" if public or update.created_by is None else str(update.created_by),
                evidence=list(update.evidence.all()),
                achieved=update.achieved_value,
            )
        )
    for comment in item.comments.select_related("organization"):
        entries.append(
            TimelineEntry(
                at=comment.created_at,
                kind="comment",
                text=comment.text,
                who=comment.organization.name
                if public
                else f"{comment.organization.name} · {comment.author_label}",
            )
        )
    entries.sort(key=lambda entry: entry.at)
    return entries


# ---- the public wall ----------------------------------------------------------------------


def wall_q(org: Organization, prefix: str = "sheet__") -> Q:
    """The sheets shown on `org`'s wall: its own and those of its 党小组."""
    return Q(**{f"{prefix}organization": org}) | Q(
        **{f"{prefix}organization__parent": org, f"{prefix}organization__kind": OrgKind.GROUP}
    )


def public_items(org: Organization) -> QuerySet[CommitmentItem]:
    return CommitmentItem.objects.filter(wall_q(org), status__in=PUBLIC_STATUSES)


def wall_campaigns(org: Organization) -> list[Campaign]:
    ids = public_items(org).values("sheet__campaign_id")
    return list(Campaign.objects.filter(pk__in=ids).order_by("-year", "-starts_on"))


@dataclass
class WallSheet:
    sheet: CommitmentSheet
    items: list[CommitmentItem]


def wall_sheets(org: Organization, campaign: Campaign, text: str = "") -> list[WallSheet]:
    """The published items of `org`'s wall in one campaign, grouped per sheet, with progress,
    evidence and comments prefetched (a fixed number of queries however many items)."""
    items = public_items(org).filter(sheet__campaign=campaign)
    text = text.strip()
    if text:
        items = items.filter(Q(text__contains=text) | Q(sheet__member__name__contains=text))
    items = (
        items.select_related("sheet__organization", "sheet__member", "sheet__campaign")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.prefetch_related("evidence").order_by(
                    "reported_on", "id"
                ),
            ),
            Prefetch("comments", queryset=LeaderComment.objects.select_related("organization")),
        )
        .order_by("sheet__member__name", "sheet_id", "id")
    )
    grouped: dict[int, WallSheet] = {}
    for item in items:
        entry = grouped.setdefault(item.sheet_id, WallSheet(sheet=item.sheet, items=[]))
        entry.items.append(item)
    # The organization's own (五好) sheet first, then members by name.
    return sorted(grouped.values(), key=lambda w: (w.sheet.member_id is not None,))


def public_item(org: Organization, item_id: int) -> CommitmentItem | None:
    return (
        public_items(org)
        .select_related("sheet__organization", "sheet__member", "sheet__campaign")
        .filter(pk=item_id)
        .first()
    )


def ratings_by_device(device: str, items: list[CommitmentItem]) -> dict[int, int]:
    """{item id: score} of this device's ratings among `items` (device = its keyed hash)."""
    if not device or not items:
        return {}
    rows = Rating.objects.filter(device_hash=device, item__in=[i.pk for i in items])
    return dict(rows.values_list("item_id", "score"))


def ratings_by_user(user: Any, items: list[CommitmentItem]) -> dict[int, int]:
    if not getattr(user, "is_authenticated", False) or not items:
        return {}
    rows = Rating.objects.filter(rater=user, item__in=[i.pk for i in items])
    return dict(rows.values_list("item_id", "score"))


def evidence_by_token(token: str) -> Evidence | None:
    return (
        Evidence.objects.select_related("update__item__sheet__organization")
        .filter(token=token)
        .first()
    )

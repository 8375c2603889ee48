"""Reads on campaigns, standards and targets. Functions taking a viewer start from the access
layer; the others take objects the caller already fetched through it."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from chuangxian.campaigns.access import campaigns_for
from chuangxian.campaigns.models import (
    Campaign,
    CampaignStatus,
    Phase,
    StandardItem,
    TargetItem,
)
from chuangxian.campaigns.rollup import Node, progress_by_id, weighted_mean
from chuangxian.orgs.access import organizations_for
from chuangxian.orgs.models import Organization


def campaign_list(user: Any) -> QuerySet[Campaign]:
    """The campaigns a user sees, newest first, with their phases."""
    return campaigns_for(user).prefetch_related(
        Prefetch("phases", queryset=Phase.objects.order_by("starts_on"))
    )


def campaign_for_organization(org: Organization, day: dt.date) -> Campaign | None:
    """The active campaign covering `org` on `day`: run by the organization itself or an
    ancestor, the nearest owner first."""
    ids = [*org.ancestor_ids, org.pk]
    return (
        Campaign.objects.filter(
            status=CampaignStatus.ACTIVE, owner_id__in=ids, starts_on__lte=day, ends_on__gte=day
        )
        .select_related("owner")
        .order_by("-owner__depth", "-starts_on", "id")
        .first()
    )


# ---- standards --------------------------------------------------------------------------

GENERAL = "general"
SECTOR = "sector"
OWN = "own"
INHERITED_ORG = "ancestor"


@dataclass(frozen=True)
class EffectiveItem:
    item: StandardItem
    origin: str  # GENERAL, SECTOR, INHERITED_ORG or OWN
    origin_label: str

    @property
    def inherited(self) -> bool:
        return self.origin != OWN


def sectors_refined(campaign: Campaign) -> list[str]:
    return sorted(
        set(
            StandardItem.objects.filter(campaign=campaign, organization=None)
            .exclude(sector="")
            .values_list("sector", flat=True)
        )
    )


def standard_layer(
    campaign: Campaign, *, sector: str = "", organization: Organization | None = None
) -> list[StandardItem]:
    """One layer's own items: the general version, a sector's, or an organization's."""
    return list(
        StandardItem.objects.filter(
            campaign=campaign, sector="" if organization else sector, organization=organization
        )
    )


def effective_standard(
    campaign: Campaign, org: Organization, kind: str | None = None
) -> list[EffectiveItem]:
    """The standard that applies to `org`: its sector's version (or the general one when the
    sector has none), the additions of its ancestors within the campaign, and its own
    additions, each with where it comes from. Two queries."""
    sector_has_version = StandardItem.objects.filter(
        campaign=campaign, sector=org.sector, organization=None
    ).exists()
    layer_sector = org.sector if sector_has_version else ""
    chain = [i for i in [*org.ancestor_ids, org.pk] if i in _campaign_chain(campaign, org)]
    items = StandardItem.objects.filter(
        Q(organization=None, sector=layer_sector) | Q(organization_id__in=chain),
        campaign=campaign,
    ).select_related("organization")
    if kind:
        items = items.filter(kind=kind)
    base = [i for i in items if i.organization_id is None and i.sector == layer_sector]
    added = [i for i in items if i.organization_id in chain]
    result: list[EffectiveItem] = []
    for item in base:
        if layer_sector:
            result.append(EffectiveItem(item, SECTOR, f"{layer_sector}领域标准"))
        else:
            result.append(EffectiveItem(item, GENERAL, "通用标准"))
    for item in added:
        if item.organization_id == org.pk:
            result.append(EffectiveItem(item, OWN, "本组织增补"))
        else:
            result.append(EffectiveItem(item, INHERITED_ORG, f"{item.organization}增补"))
    depth = {org_id: position for position, org_id in enumerate(chain)}
    result.sort(
        key=lambda e: (
            e.item.kind,
            e.item.dimension,
            depth.get(e.item.organization_id or 0, -1),
            e.item.position,
            e.item.pk,
        )
    )
    return result


def _campaign_chain(campaign: Campaign, org: Organization) -> set[int]:
    """The organizations from the campaign's owner down to `org`."""
    owner_depth = campaign.owner.depth
    ids = [*org.ancestor_ids, org.pk]
    return set(ids[owner_depth:])


def group_by_dimension(
    items: list[EffectiveItem], kind: str
) -> list[tuple[str, str, list[EffectiveItem]]]:
    """[(dimension code, label, items)] in the standard's dimension order."""
    from chuangxian.campaigns.services.standards import DIMENSIONS

    dimensions = DIMENSIONS[kind]
    grouped: dict[str, list[EffectiveItem]] = defaultdict(list)
    for entry in items:
        if entry.item.kind == kind:
            grouped[entry.item.dimension].append(entry)
    return [(code, str(label), grouped.get(code, [])) for code, label in dimensions.choices]


# ---- targets ----------------------------------------------------------------------------


def node_of(item: TargetItem) -> Node:
    return Node(
        id=item.pk,
        parent_id=item.parent_id,
        weight=item.weight,
        measure=item.measure,
        baseline=item.baseline,
        target=item.target_value,
        value=item.current_value,
        done=item.done,
    )


@dataclass
class TargetRow:
    item: TargetItem
    depth: int
    progress: float
    decomposed: bool
    overdue: bool

    @property
    def percent(self) -> int:
        return round(self.progress * 100)


@dataclass
class TargetBoard:
    """An organization's targets in a campaign: what it holds (with its decomposition), what
    it set directly for its children, and each child's rolled-up progress."""

    held: list[TargetRow] = field(default_factory=list)
    set_for_children: list[TargetRow] = field(default_factory=list)
    progress: float | None = None
    children: list[tuple[Organization, float | None, int]] = field(default_factory=list)


def items_under(campaign: Campaign, org: Organization) -> list[TargetItem]:
    """Every target of the campaign held at or below `org`: enough to roll up any of them."""
    return list(
        TargetItem.objects.filter(campaign=campaign, organization__path__startswith=org.path)
        .select_related("organization", "member", "set_by")
        .order_by("deadline", "id")
    )


def held_items(items: list[TargetItem], org: Organization) -> list[TargetItem]:
    """The items `org` holds from its superior (those of its letter)."""
    return [i for i in items if i.organization_id == org.pk and i.letter_id is not None]


def target_board(user: Any, campaign: Campaign, org: Organization, day: dt.date) -> TargetBoard:
    """`org`'s targets, those it set for its children, and the children's progress — the
    children the user may see only (a 书记 of a 党委 sees the 党委, not its branches)."""
    items = items_under(campaign, org)
    progress = progress_by_id(node_of(i) for i in items)
    children_of: dict[int, list[TargetItem]] = defaultdict(list)
    for item in items:
        if item.parent_id is not None:
            children_of[item.parent_id].append(item)

    def rows(roots: list[TargetItem]) -> list[TargetRow]:
        out: list[TargetRow] = []
        stack = [(root, 0) for root in reversed(roots)]
        while stack:
            item, depth = stack.pop()
            p = progress[item.pk]
            kids = children_of.get(item.pk, [])
            out.append(TargetRow(item, depth, p, bool(kids), item.deadline < day and p < 1))
            stack.extend((kid, depth + 1) for kid in reversed(kids))
        return out

    held = held_items(items, org)
    board = TargetBoard(
        held=rows(held),
        set_for_children=rows([i for i in items if i.set_by_id == org.pk and i.parent_id is None]),
        progress=weighted_mean((i.weight, progress[i.pk]) for i in held),
    )
    children = list(organizations_for(user).filter(parent=org).order_by("kind", "code"))
    for child in children:
        child_items = held_items(items, child)
        board.children.append(
            (
                child,
                weighted_mean((i.weight, progress[i.pk]) for i in child_items),
                len(child_items),
            )
        )
    return board


def progress_of(items: list[TargetItem]) -> dict[int, float]:
    return progress_by_id(node_of(i) for i in items)


def total_weight(items: list[TargetItem]) -> Decimal:
    return sum((i.weight for i in items), Decimal(0))

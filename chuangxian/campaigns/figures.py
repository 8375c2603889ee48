"""Target figures for later modules (appraisal, points, reports). A stable interface: the
names, arguments and meanings below do not change without a deprecation.

Progress is a float in [0, 1] computed by `rollup` (Σ w·p / Σ w with normalized weights, a
decomposed item taking its parts' roll-up); None means "no targets", which is not zero."""

import datetime as dt

from chuangxian.campaigns.models import Campaign, TargetItem
from chuangxian.campaigns.rollup import weighted_mean
from chuangxian.campaigns.selectors import held_items, items_under, progress_of
from chuangxian.orgs.models import Member, Organization


def target_progress(org: Organization, campaign: Campaign) -> float | None:
    """The organization's progress on the targets it holds in `campaign` (its responsibility
    letter), each rolled up from its decomposition; None when it holds none."""
    items = items_under(campaign, org)
    progress = progress_of(items)
    return weighted_mean((i.weight, progress[i.pk]) for i in held_items(items, org))


def target_items_overdue(org: Organization, campaign: Campaign, day: dt.date) -> list[TargetItem]:
    """The targets the organization holds whose deadline is before `day` and whose rolled-up
    progress is below 1, earliest deadline first."""
    items = items_under(campaign, org)
    progress = progress_of(items)
    return [i for i in held_items(items, org) if i.deadline < day and progress[i.pk] < 1]


def _member_items(member: Member, campaign: Campaign) -> list[TargetItem]:
    return list(
        TargetItem.objects.filter(campaign=campaign, member=member).order_by("deadline", "id")
    )


def member_target_progress(member: Member, campaign: Campaign) -> float | None:
    """A member's progress on the targets assigned to them by name; None when they have none."""
    items = _member_items(member, campaign)
    progress = progress_of(items)
    return weighted_mean((i.weight, progress[i.pk]) for i in items)


def member_target_items_overdue(
    member: Member, campaign: Campaign, day: dt.date
) -> list[TargetItem]:
    """The member's targets past their deadline on `day` and not complete."""
    items = _member_items(member, campaign)
    progress = progress_of(items)
    return [i for i in items if i.deadline < day and progress[i.pk] < 1]


def member_targets_met(root: Organization, year: int) -> dict[int, int]:
    """{member id: targets assigned to them by name, in the campaigns of `year`, whose progress
    is complete} for the members of `root`'s subtree (two queries), for the points ledger."""
    items = list(
        TargetItem.objects.filter(
            campaign__year=year,
            member__isnull=False,
            member__organization__path__startswith=root.path,
        ).order_by("id")
    )
    progress = progress_of(items)
    met: dict[int, int] = {}
    for item in items:
        if item.member_id is not None and progress[item.pk] >= 1:
            met[item.member_id] = met.get(item.member_id, 0) + 1
    return met

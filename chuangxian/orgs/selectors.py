"""Reads on the tree and the roster. Every function takes the viewer and starts from the
access layer, so nothing here can return what the viewer may not see."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet

from chuangxian.orgs.access import members_for, organizations_for, scope_for
from chuangxian.orgs.models import Member, MemberStatus, Organization
from chuangxian.orgs.models.organization import TERM_ALERT_DAYS


def tree_roots(user: Any) -> list[Organization]:
    """The top organizations of the user's scope."""
    scope = scope_for(user)
    return list(Organization.objects.filter(pk__in=scope.roots).order_by("path"))


def children_of(user: Any, org: Organization) -> list[Organization]:
    return list(
        organizations_for(user)
        .filter(parent=org)
        .order_by("kind", "code")
        .only("id", "code", "name", "kind", "sector", "path", "depth", "parent_id", "term_ends_on")
    )


def subtree(user: Any, org: Organization) -> QuerySet[Organization]:
    """`org` and everything below it that the user may see: one prefix query on the path index."""
    return organizations_for(user).filter(path__startswith=org.path)


def rolled_up_member_counts(orgs: list[Organization]) -> dict[int, int]:
    """For each given organization, the active members in its whole subtree.

    One grouped query over the common subtree, then a pass over the paths: each count is added
    to every ancestor it sits under."""
    if not orgs:
        return {}
    wanted = {org.pk for org in orgs}
    prefix = common_path([org.path for org in orgs])
    direct = (
        Member.objects.filter(status=MemberStatus.ACTIVE, organization__path__startswith=prefix)
        .values_list("organization__path")
        .annotate(n=Count("id"))
    )
    totals: dict[int, int] = defaultdict(int)
    for path, count in direct:
        for part in path.strip("/").split("/"):
            org_id = int(part)
            if org_id in wanted:
                totals[org_id] += count
    return {org_id: totals.get(org_id, 0) for org_id in wanted}


def common_path(paths: list[str]) -> str:
    """The deepest path that every given path lies under ("/" when they share no root)."""
    split = [path.strip("/").split("/") for path in paths]
    common: list[str] = []
    for parts in zip(*split, strict=False):
        if any(part != parts[0] for part in parts):
            break
        common.append(parts[0])
    return "/" + "".join(f"{part}/" for part in common)


def search_organizations(user: Any, text: str, limit: int = 50) -> list[Organization]:
    text = text.strip()
    if not text:
        return []
    return list(
        organizations_for(user)
        .filter(Q(name__icontains=text) | Q(code__istartswith=text))
        .order_by("path")[:limit]
    )


def breadcrumbs(user: Any, org: Organization) -> list[Organization]:
    """The visible ancestors of `org`, root first."""
    ids = org.ancestor_ids
    found = {o.pk: o for o in organizations_for(user).filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


def members_of_subtree(
    user: Any, org: Organization, *, include_below: bool, status: str | None, text: str = ""
) -> QuerySet[Member]:
    """The members listed on an organization's page, ordered by name for paging."""
    members = members_for(user)
    if include_below:
        members = members.filter(organization__path__startswith=org.path)
    else:
        members = members.filter(organization=org)
    if status:
        members = members.filter(status=status)
    text = text.strip()
    if text:
        members = members.filter(Q(name__contains=text) | Q(phone__startswith=text))
    return members.select_related("organization").order_by("name", "id")


def term_alerts(user: Any, today: dt.date) -> list[Organization]:
    """Organizations in scope whose term has ended or ends within the alert window."""
    horizon = today + dt.timedelta(days=TERM_ALERT_DAYS)
    return list(
        organizations_for(user).filter(term_ends_on__lte=horizon).order_by("term_ends_on")[:200]
    )


def transfer_history(member: Member) -> list[Any]:
    return list(
        member.transfers.select_related("from_organization", "to_organization", "recorded_by")
    )

"""Who belongs to a meeting: the roster of its organization, and the expected attendees."""

from django.db.models import QuerySet

from chuangxian.orglife.models import AttendeeScope
from chuangxian.orgs.models import Member, MemberCategory, MemberStatus, Organization, OrgKind
from chuangxian.orgs.models.organization import BRANCH_KINDS
from chuangxian.orgs.posts import is_committee_member


def roster_of(org: Organization) -> QuerySet[Member]:
    """The active members who take part in the organization's life: a branch's own members
    and those of its 党小组; a 党小组's members; for a higher organization, its direct members."""
    active = Member.objects.filter(status=MemberStatus.ACTIVE)
    if org.kind in BRANCH_KINDS or org.kind == OrgKind.GROUP:
        return active.filter(organization__path__startswith=org.path)
    return active.filter(organization=org)


def full_members_of(org: Organization) -> int:
    """正式党员 on the roster: the base of a 党员大会's quorum."""
    return roster_of(org).filter(category=MemberCategory.FULL).count()


def groups_of(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(parent=org, kind=OrgKind.GROUP).order_by("code")


def expected_members(
    org: Organization,
    scope: str,
    *,
    group: Organization | None = None,
    chosen: list[int] | None = None,
) -> list[Member]:
    """The members expected at a meeting planned with this attendee scope, taken from the
    roster at planning time."""
    roster = roster_of(org).order_by("name", "id")
    if scope == AttendeeScope.COMMITTEE:
        return [m for m in roster.exclude(party_post="") if is_committee_member(m.party_post)]
    if scope == AttendeeScope.GROUP:
        if group is None:
            return []
        return list(roster.filter(organization__path__startswith=group.path))
    if scope == AttendeeScope.CHOSEN:
        return list(roster.filter(pk__in=chosen or []))
    return list(roster)

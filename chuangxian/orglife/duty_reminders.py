"""Year-end reminders for the two yearly personal duties (duties.py), through the reminders
registry: from 1 October, a branch with active members not yet talked with this year, or whose
secretary has not yet given a 党课 this year, is reminded (filed on the branch: its 书记 and
党务干部 see it, and, as for every reminder filed on an organization, the administrators above),
until the duty is done or the year ends. The text carries no head-count, because an open
reminder is not rewritten; a resolved one is not reopened within the year (reminders design).

Set-based, for every branch at once: members and talks are counted by grouped queries over the
members' own organizations (a 党小组's members count for its branch), the secretaries' names and
the year's held 党课 are read in one query each; nothing is queried per branch."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Count, F, Q
from django.urls import reverse

from chuangxian.orglife.duties import lectured_by, usable_names
from chuangxian.orglife.models import (
    HELD_STATUSES,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingType,
)
from chuangxian.orglife.periods import Period
from chuangxian.orgs.models import Member, MemberStatus, Organization, OrgKind, Role, RoleGrant
from chuangxian.orgs.models.organization import BRANCH_KINDS
from chuangxian.orgs.posts import is_branch_secretary
from chuangxian.reminders.models import Severity
from chuangxian.reminders.registry import Due, register

SOURCE = "orglife.duties"
# A talk counts for a member when it was held by the member's branch or one of its 党小组 (as on
# the branch's page, duties.yearly_duties): the meeting's organization is the member's own, its
# parent, its child group, or a sibling group under the same branch.
_GROUP = OrgKind.GROUP
_SAME_BRANCH = (
    Q(meeting__organization_id=F("member__organization_id"))
    | Q(
        meeting__organization_id=F("member__organization__parent_id"),
        member__organization__kind=_GROUP,
    )
    | Q(
        meeting__organization__parent_id=F("member__organization_id"),
        meeting__organization__kind=_GROUP,
    )
    | Q(
        meeting__organization__parent_id=F("member__organization__parent_id"),
        meeting__organization__kind=_GROUP,
        member__organization__kind=_GROUP,
    )
)
FROM_MONTH = 10  # the last quarter


@register(SOURCE)
def duty_reminders(today: dt.date) -> Iterator[Due]:
    if today.month < FROM_MONTH:
        return
    year = today.year
    start, end = Period(year, 1, 12).aware_bounds()
    branch_of, names = _branches()
    if not names:
        return
    members: dict[int, int] = defaultdict(int)
    for org_id, count in (
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .values_list("organization_id")
        .annotate(n=Count("id"))
    ):
        if (branch := branch_of.get(org_id)) is not None:
            members[branch] += count
    talked: dict[int, int] = defaultdict(int)
    for org_id, count in (
        Attendance.objects.filter(
            _SAME_BRANCH,
            status=AttendanceStatus.PRESENT,
            member__status=MemberStatus.ACTIVE,
            meeting__meeting_type=MeetingType.TALK,
            meeting__status__in=list(HELD_STATUSES),
            meeting__held_start__gte=start,
            meeting__held_start__lt=end,
        )
        .values_list("member__organization_id")
        .annotate(n=Count("member_id", distinct=True))
    ):
        if (branch := branch_of.get(org_id)) is not None:
            talked[branch] += count
    secretaries = _secretaries(branch_of)
    lecturers: dict[int, list[str]] = defaultdict(list)
    for org_id, lecturer in Meeting.objects.filter(
        meeting_type=MeetingType.LECTURE,
        status__in=list(HELD_STATUSES),
        held_start__gte=start,
        held_start__lt=end,
    ).values_list("organization_id", "lecturer"):
        if (branch := branch_of.get(org_id)) is not None:
            lecturers[branch].append(lecturer)
    last_day = dt.date(year, 12, 31)
    for branch, name in names.items():

        def due(duty: str, text: str, branch: int = branch, name: str = name) -> Due:
            return Due(
                key=f"{SOURCE}:{branch}:{year}:{duty}",
                source=SOURCE,
                severity=Severity.AHEAD,
                text=f"{name}{text}，请在12月31日前安排",
                link=reverse("orglife:meetings") + f"?org={branch}&period={year}",
                due_on=last_day,
                organization=Organization(pk=branch, name=name),
            )

        missing = members[branch] - talked[branch]
        if members[branch] and missing > 0:
            # No head-count in the text: an open reminder is not rewritten as talks go on.
            yield due("talks", f"{year}年尚有党员未进行谈心谈话（每名党员每年至少一次）")
        known = secretaries.get(branch, [])
        if known and not any(lectured_by(text, known) for text in lecturers[branch]):
            yield due("lecture", f"书记{year}年尚未讲党课（每年至少一次）")


def _branches() -> tuple[dict[int, int], dict[int, str]]:
    """Each organization's branch (a branch is its own, a 党小组 its parent's) and the
    branches' names."""
    branch_of: dict[int, int] = {}
    names: dict[int, str] = {}
    for pk, kind, parent_id, name in Organization.objects.values_list(
        "pk", "kind", "parent_id", "name"
    ):
        if kind in BRANCH_KINDS:
            branch_of[pk] = pk
            names[pk] = name
        elif kind == OrgKind.GROUP and parent_id is not None:
            branch_of[pk] = parent_id
    return branch_of, names


def _secretaries(branch_of: dict[int, int]) -> dict[int, list[str]]:
    """The names duties.yearly_duties would look for, for every branch in two queries."""
    found: dict[int, set[str]] = defaultdict(set)
    for org_id, member_name, display_name in RoleGrant.objects.filter(
        role=Role.SECRETARY
    ).values_list("organization_id", "user__member__name", "user__display_name"):
        if branch_of.get(org_id) == org_id:
            found[org_id].add(member_name or display_name or "")
    for org_id, name, post in Member.objects.filter(
        status=MemberStatus.ACTIVE, party_post__contains="书记"
    ).values_list("organization_id", "name", "party_post"):
        branch = branch_of.get(org_id)
        if branch is not None and is_branch_secretary(post):
            found[branch].add(name)
    usable = {branch: usable_names(names) for branch, names in found.items()}
    return {branch: names for branch, names in usable.items() if names}

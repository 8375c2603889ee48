"""The two yearly duties of the meeting rules that fall on people rather than on a meeting
count (DOMAIN.md, after 中国共产党支部工作条例（试行）): 谈心谈话 with every member at least once
a year, and the branch secretary giving a 党课 at least once a year.

Both are read from records already kept: a member has been talked with when they are marked
present at a held 谈心谈话 of the branch or one of its 党小组 in the year; the secretary has
lectured when a held 党课 of the branch (or a 党小组) in the year names, as its lecturer
(授课人, free text), the member or account holding the branch's 书记 role, or a member of the
branch whose 党内职务 is its 书记 (deputies, 副书记, do not count), or gives just the title
(支部书记): a title names the branch's own secretary, where "镇党委王书记" does not."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from chuangxian.orglife.models import (
    HELD_STATUSES,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingType,
)
from chuangxian.orglife.periods import Period
from chuangxian.orgs.access import members_for
from chuangxian.orgs.models import Member, MemberStatus, Organization, Role, RoleGrant
from chuangxian.orgs.posts import is_branch_secretary


@dataclass(frozen=True)
class YearlyDuties:
    year: int
    members: int  # active members of the branch and its 党小组
    talked: int  # of them, talked with this year
    not_talked: list[Member]  # those the viewer may see, by name
    secretaries: list[str]  # the names a 党课's lecturer is compared with
    secretary_lectures: list[Meeting]  # held 党课 of the year given by one of them

    @property
    def talks_done(self) -> bool:
        return self.members > 0 and self.talked >= self.members

    @property
    def lecture_done(self) -> bool:
        return bool(self.secretary_lectures)


def yearly_duties(viewer: Any, branch: Organization, year: int) -> YearlyDuties:
    """The branch's two yearly personal duties. Counts cover the whole branch; the names of
    members not yet talked with are limited to what `viewer` may see (orgs.access)."""
    start, end = Period(year, 1, 12).aware_bounds()
    held = Q(status__in=list(HELD_STATUSES), held_start__gte=start, held_start__lt=end)
    active = Member.objects.filter(
        organization__path__startswith=branch.path, status=MemberStatus.ACTIVE
    )
    talked_ids = set(
        Attendance.objects.filter(
            status=AttendanceStatus.PRESENT,
            meeting__in=Meeting.objects.filter(
                held,
                organization__path__startswith=branch.path,
                meeting_type=MeetingType.TALK,
            ),
            member__in=active,
        ).values_list("member_id", flat=True)
    )
    not_talked = list(
        members_for(viewer)
        .filter(pk__in=active.values("pk"))
        .exclude(pk__in=talked_ids)
        .order_by("name", "pk")
    )
    names = _secretary_names(branch)
    lectures = [
        meeting
        for meeting in Meeting.objects.filter(
            held, organization__path__startswith=branch.path, meeting_type=MeetingType.LECTURE
        ).order_by("held_start")
        if lectured_by(meeting.lecturer, names)
    ]
    return YearlyDuties(
        year=year,
        members=active.count(),
        talked=len(talked_ids),
        not_talked=not_talked,
        secretaries=names,
        secretary_lectures=lectures,
    )


# What secretaries write as a lecturer instead of their name: the branch's own secretary.
SECRETARY_TITLES = frozenset({"书记", "支部书记", "党支部书记", "联合党支部书记", "本支部书记"})


def lectured_by(lecturer: str, names: Iterable[str]) -> bool:
    """Whether a 党课's free-text lecturer is the branch secretary: it names one of `names`,
    or it is just the title (支部书记 …), as many secretaries record their own lecture."""
    text = lecturer.strip()
    return text in SECRETARY_TITLES or any(name in text for name in names)


def _secretary_names(branch: Organization) -> list[str]:
    names: set[str] = set()
    for grant in RoleGrant.objects.filter(organization=branch, role=Role.SECRETARY).select_related(
        "user__member"
    ):
        user = grant.user
        names.add(user.member.name if user.member else user.display_name)
    posts = Member.objects.filter(
        organization__path__startswith=branch.path,
        status=MemberStatus.ACTIVE,
        party_post__contains="书记",
    ).values_list("name", "party_post")
    names.update(name for name, post in posts if is_branch_secretary(post))
    return usable_names(names)


def usable_names(names: Iterable[str]) -> list[str]:
    """Names long enough to look for in a lecturer's text (one character would match anyone)."""
    return sorted({name.strip() for name in names if len(name.strip()) >= 2})

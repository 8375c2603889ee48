"""Demo data: a year of organizational life for the demo township, through the services.

Every branch holds what the default rules ask (主题党日 and, with 7+ full members, 支委会 every
month; 党员大会 and 党课 every quarter; 组织生活会 and 民主评议 once a year) and every 党小组
meets monthly — except a few lagging branches that skip months, and the odd month anyone misses,
so the compliance page has something to show. Attendance is drawn per member (most present, some
on leave with a reason, a few absent). Older minutes are approved by the township administrator;
the latest are waiting for approval. The demo secretary's branch also gets a meeting in the next
days, to try the QR check-in."""

import datetime as dt
import random
from dataclasses import replace

from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.orglife.cadence import COMMITTEE_MIN_FULL_MEMBERS
from chuangxian.orglife.errors import OrglifeError
from chuangxian.orglife.models import AttendanceStatus, AttendeeScope, Meeting, MeetingType
from chuangxian.orglife.roster import full_members_of
from chuangxian.orglife.services.meetings import (
    AttendanceEntry,
    MeetingValues,
    attendance_record,
    meeting_approve,
    meeting_hold,
    meeting_plan,
    meeting_submit,
    minutes_save,
)
from chuangxian.orgs.models import Member, MemberStatus, Organization, OrgKind, Role, RoleGrant
from chuangxian.orgs.models.organization import BRANCH_KINDS

LAGGING_SHARE = 0.1
# Chance that a branch lets one meeting slip; a lagging branch misses far more.
MISS_CHANCE = 0.005
LAGGING_MISS_CHANCE = 0.2
LEAVE_REASONS = ("外出务工", "生病住院", "年老体弱，行动不便", "单位值班", "家中有事", "在外地学习")
TOPICS: dict[str, tuple[str, ...]] = {
    MeetingType.THEME_DAY: (
        "学习党的二十届四中全会精神",
        "开展“我为群众办实事”志愿服务",
        "重温入党誓词",
        "学习党章党规",
        "清洁家园集中行动",
    ),
    MeetingType.COMMITTEE: (
        "研究本月党建重点工作",
        "研究发展党员工作",
        "研究党费收缴情况",
        "研究困难党员帮扶",
    ),
    MeetingType.GENERAL_MEETING: (
        "讨论接收预备党员",
        "通报支部季度工作",
        "讨论村级重大事项（四议两公开）",
    ),
    MeetingType.LECTURE: (
        "书记讲党课：发扬优良作风",
        "学习贯彻全会精神专题党课",
        "党的创新理论学习党课",
    ),
    MeetingType.LIFE_MEETING: ("年度组织生活会",),
    MeetingType.APPRAISAL: ("年度民主评议党员",),
    MeetingType.GROUP: ("党小组学习讨论", "党小组走访群众"),
    MeetingType.TALK: (
        "思想和工作情况",
        "家庭困难和诉求",
        "征求意见建议",
    ),
}
# Each quarter a branch talks with about this share of its members, drawn anew (so by the
# autumn some have not been talked with yet this year, as in real branches).
TALK_SHARE = 0.3
MINUTES = (
    "会议由{host}主持，应到{expected}人，实到{present}人。\n\n"
    "会议围绕“{topic}”进行了学习和讨论，与会党员结合工作实际谈了体会。\n\n"
    "会议明确了下一步工作安排，要求各位党员带头落实。"
)


def _months(today: dt.date) -> list[tuple[int, int]]:
    """The twelve months ending with the current one."""
    months = []
    year, month = today.year, today.month
    for _ in range(12):
        months.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return sorted(months)


def _at(year: int, month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(year, month, min(day, 28), hour, 0, tzinfo=timezone.get_current_timezone())


def _schedule(
    org: Organization, today: dt.date, rng: random.Random, lagging: bool
) -> list[tuple[str, dt.datetime]]:
    """(meeting type, start) of every meeting the organization held in the last twelve months."""
    theme_day = rng.randint(5, 25)
    wanted: list[tuple[str, dt.datetime]] = []
    if org.kind == OrgKind.GROUP:
        for year, month in _months(today):
            wanted.append((MeetingType.GROUP, _at(year, month, theme_day - 2, 19)))
    else:
        committee = full_members_of(org) >= COMMITTEE_MIN_FULL_MEMBERS
        for year, month in _months(today):
            wanted.append((MeetingType.THEME_DAY, _at(year, month, theme_day, 9)))
            if committee:
                wanted.append((MeetingType.COMMITTEE, _at(year, month, 3, 15)))
            if month % 3 == 2:
                wanted.append((MeetingType.GENERAL_MEETING, _at(year, month, theme_day, 14)))
                wanted.append((MeetingType.LECTURE, _at(year, month, theme_day + 1, 9)))
            if month % 3 == 0:
                wanted.append((MeetingType.TALK, _at(year, month, 25, 15)))
            if month == 1:
                wanted.append((MeetingType.LIFE_MEETING, _at(year, month, 18, 9)))
                wanted.append((MeetingType.APPRAISAL, _at(year, month, 20, 9)))
    end = dt.datetime.combine(today, dt.time(0), tzinfo=timezone.get_current_timezone())
    kept = []
    for meeting_type, start in wanted:
        if start >= end:
            continue
        skip = LAGGING_MISS_CHANCE if lagging else MISS_CHANCE
        if rng.random() < skip:
            continue
        kept.append((meeting_type, start))
    return kept


def seed_demo_orglife(*, root: Organization, today: dt.date, rng: random.Random) -> None:
    """A year of meetings with attendance for every branch and 党小组 under `root`."""
    actor = Actor(label="seed_demo")
    reviewer_grant = (
        RoleGrant.objects.filter(organization__path__startswith=root.path, role=Role.ADMIN)
        .select_related("user", "organization")
        .order_by("organization__path")
        .first()
    )
    reviewer = Actor(user=reviewer_grant.user, label="seed_demo") if reviewer_grant else None
    orgs = list(
        Organization.objects.filter(
            path__startswith=root.path, kind__in=[*BRANCH_KINDS, OrgKind.GROUP]
        ).order_by("path")
    )
    lagging = {org.pk for org in rng.sample(orgs, max(1, int(len(orgs) * LAGGING_SHARE)))}
    recent = today - dt.timedelta(days=30)
    now = dt.datetime.combine(today, dt.time(23, 59), tzinfo=timezone.get_current_timezone())
    for org in orgs:
        for meeting_type, start in _schedule(org, today, rng, org.pk in lagging):
            _one_meeting(
                org, meeting_type, start, rng, actor, reviewer, recent, now, org.pk in lagging
            )
    _upcoming(orgs, today, actor)


def _one_meeting(
    org: Organization,
    meeting_type: str,
    start: dt.datetime,
    rng: random.Random,
    actor: Actor,
    reviewer: Actor | None,
    recent: dt.date,
    now: dt.datetime,
    lagging: bool,
) -> None:
    scope = (
        AttendeeScope.COMMITTEE
        if meeting_type == MeetingType.COMMITTEE
        else AttendeeScope.ALL_MEMBERS
    )
    chosen: tuple[int, ...] = ()
    if meeting_type == MeetingType.TALK:
        roster = sorted(
            Member.objects.filter(
                organization__path__startswith=org.path, status=MemberStatus.ACTIVE
            ).values_list("pk", flat=True)
        )
        if not roster:
            return
        scope = AttendeeScope.CHOSEN
        chosen = tuple(rng.sample(roster, max(1, round(len(roster) * TALK_SHARE))))
    values = MeetingValues(
        meeting_type=meeting_type,
        topic=rng.choice(TOPICS[meeting_type]),
        planned_start=start,
        place=f"{org.name.removesuffix('党支部').removesuffix('党小组')}党员活动室",
        lecturer="支部书记" if meeting_type == MeetingType.LECTURE else "",
        attendee_scope=scope,
        chosen=chosen,
    )
    try:
        meeting = meeting_plan(actor=actor, organization=org, values=values)
    except OrglifeError:
        # A roster without committee posts: the whole branch meets instead.
        values = replace(values, attendee_scope=AttendeeScope.ALL_MEMBERS)
        meeting = meeting_plan(actor=actor, organization=org, values=values)
    meeting_hold(actor=actor, meeting=meeting, held_start=start, now=now)
    rows = list(meeting.attendances.select_related("member"))
    present_chance = 0.65 if lagging else 0.88
    entries: dict[int, AttendanceEntry] = {}
    for row in rows:
        draw = rng.random()
        if draw < present_chance:
            entries[row.member_id] = AttendanceEntry(AttendanceStatus.PRESENT)
        elif draw < present_chance + 0.08:
            entries[row.member_id] = AttendanceEntry(
                AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS)
            )
    if entries:
        attendance_record(actor=actor, meeting=meeting, entries=entries)
    present = sum(1 for e in entries.values() if e.status == AttendanceStatus.PRESENT)
    host = next((r.member.name for r in rows if r.member.party_post == "书记"), "支部书记")
    minutes_save(
        actor=actor,
        meeting=meeting,
        minutes=MINUTES.format(host=host, expected=len(rows), present=present, topic=meeting.topic),
    )
    if start.date() >= recent and rng.random() < 0.5:
        return  # the latest minutes not yet sent
    meeting_submit(actor=actor, meeting=meeting, now=start + dt.timedelta(days=1))
    if reviewer is not None and start.date() < recent:
        meeting_approve(actor=reviewer, meeting=meeting, now=start + dt.timedelta(days=3))


def _upcoming(orgs: list[Organization], today: dt.date, actor: Actor) -> None:
    """A 主题党日 planned for the coming days in the branch of the demo secretary (the first
    with a 书记 login), or in the first branch."""
    secretary_orgs = set(
        RoleGrant.objects.filter(role=Role.SECRETARY).values_list("organization_id", flat=True)
    )
    branches = [o for o in orgs if o.kind in BRANCH_KINDS]
    if not branches:
        return
    target = next((o for o in branches if o.pk in secretary_orgs), branches[0])
    start = dt.datetime.combine(
        today + dt.timedelta(days=2), dt.time(9), tzinfo=timezone.get_current_timezone()
    )
    if Meeting.objects.filter(organization=target, planned_start=start).exists():
        return
    meeting_plan(
        actor=actor,
        organization=target,
        values=MeetingValues(
            meeting_type=MeetingType.THEME_DAY,
            topic="学习贯彻全会精神",
            planned_start=start,
            place="党员活动室",
        ),
    )

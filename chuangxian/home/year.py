"""我的一年: a member's year, read from the records every module already keeps (their figures
and selectors), for one phone screen. Nothing here is typed in by anyone; every card links to
the page with the detail."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chuangxian.appraisal.access import member_subjects_to_rate, rounds_for
from chuangxian.appraisal.models import Participation, RoundStatus
from chuangxian.commitments.selectors import my_sheets
from chuangxian.dues.ledger import MonthState
from chuangxian.dues.selectors import member_dues
from chuangxian.honors.ledger import member_totals
from chuangxian.learning import figures as learning
from chuangxian.orglife import figures as orglife
from chuangxian.orglife.periods import Period
from chuangxian.orglife.selectors import UpcomingMeeting, upcoming_meetings
from chuangxian.orgs.models import Member
from chuangxian.reminders.models import Reminder
from chuangxian.reminders.selectors import reminders_for

REMINDERS_SHOWN = 3


@dataclass(frozen=True)
class CommitmentLine:
    text: str
    stage: str  # the status label: 定诺（草稿）, 践诺中, 已兑现 …
    status: str


@dataclass(frozen=True)
class OpenBallot:
    round_id: int
    name: str


@dataclass
class MemberYear:
    member: Member
    year: int
    meetings_attended: int
    meetings_expected: int
    next_meeting: UpcomingMeeting | None
    study_hours: Decimal
    study_required: int
    dues_paid_months: int
    dues_owed_months: int
    dues_owed: Decimal
    commitments: list[CommitmentLine] = field(default_factory=list)
    ballots: list[OpenBallot] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    reminders_open: int = 0
    # The points ledger's year total (every entry says which record produced it).
    points: Decimal = Decimal(0)

    @property
    def study_percent(self) -> int:
        return round(learning.progress_of(self.study_hours, self.study_required) * 100)


def _ballots(user: Any, member: Member) -> list[OpenBallot]:
    """Collecting rounds in which the member has colleagues to rate and has not voted yet."""
    found = []
    for round_ in rounds_for(user).filter(status=RoundStatus.COLLECTING).order_by("pk")[:20]:
        if Participation.objects.filter(round=round_, member=member).exists():
            continue
        if member_subjects_to_rate(round_, member).exists():
            found.append(OpenBallot(round_.pk, round_.name))
    return found


def member_year(user: Any, member: Member, *, today: dt.date, now: dt.datetime) -> MemberYear:
    year = today.year
    counts = orglife.attendance_counts([member.pk], Period.year_of(today)).get(member.pk)
    attended, expected = (counts.present, counts.expected) if counts else (0, 0)
    upcoming = upcoming_meetings(member, now=now, limit=1)
    dues = member_dues(member, today=today, months=today.month)
    this_year = [line for line in dues.lines if line.month.year == year]
    sheets = my_sheets(user)
    # The newest campaign's commitments (a campaign may run into the next calendar year).
    sheets = [s for s in sheets if s.campaign.year == sheets[0].campaign.year] if sheets else []
    reminders = reminders_for(user)
    return MemberYear(
        member=member,
        year=year,
        meetings_attended=attended,
        meetings_expected=expected,
        next_meeting=upcoming[0] if upcoming else None,
        study_hours=learning.study_hours(member, year),
        study_required=learning.study_requirement(member, year),
        dues_paid_months=sum(1 for line in this_year if line.state == MonthState.PAID),
        dues_owed_months=sum(
            1 for line in this_year if line.state in (MonthState.UNPAID, MonthState.UNDERPAID)
        ),
        dues_owed=dues.outstanding,
        commitments=[
            CommitmentLine(item.text, str(item.get_status_display()), item.status)
            for sheet in sheets
            for item in sheet.items.all()
        ],
        ballots=_ballots(user, member),
        reminders=list(reminders[:REMINDERS_SHOWN]),
        reminders_open=reminders.count(),
        points=member_totals([member.pk], year).get(member.pk, Decimal(0)),
    )

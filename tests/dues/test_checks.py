"""党章第九条: 3 / 5 / 6 months of unpaid dues or no organizational life, good reasons excluded."""

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from chuangxian.dues import figures
from chuangxian.dues.checks import Level, check_member, check_members, run_of
from chuangxian.dues.errors import DuesError
from chuangxian.dues.months import month_range
from chuangxian.dues.services.reasons import good_reason_end, good_reason_record
from chuangxian.orglife.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from chuangxian.reminders.models import Reminder
from chuangxian.reminders.services import reminders_sweep
from tests.dues.conftest import ACTOR, TODAY, assess, m, pay

pytestmark = pytest.mark.django_db


def test_run_counting_stops_at_paid_and_excused_months() -> None:
    done = {m("2026-04")}
    run = run_of(end=m("2026-10"), start=m("2026-01"), done=done, excused=set())
    assert (run.months, run.unexcused, run.started) == (6, 6, m("2026-05"))
    run = run_of(end=m("2026-10"), start=m("2026-01"), done=done, excused={m("2026-07")})
    assert (run.months, run.unexcused, run.started) == (6, 3, m("2026-08"))
    assert run_of(end=m("2026-10"), start=None, done=set(), excused=set()).months == 0


def _dues_level(member) -> Level:  # type: ignore[no-untyped-def]
    return figures.article9_levels(member, TODAY)["dues"]


@pytest.mark.parametrize(
    ("last_paid", "months", "level"),
    [
        ("2026-10", 0, Level.NONE),
        ("2026-08", 2, Level.NONE),
        ("2026-07", 3, Level.WARNING),
        ("2026-05", 5, Level.ESCALATED),
        ("2026-04", 6, Level.ARTICLE9),
    ],
)
def test_dues_ladder(tree, last_paid: str, months: int, level: Level) -> None:
    member = tree.member_a1
    assess(member, "3000")
    pay(member, "2026-01", last_paid, amount="15.00")
    assert figures.dues_arrears_months(member, TODAY) == months
    assert _dues_level(member) == level


def test_the_current_month_is_never_in_arrears(tree) -> None:
    member = tree.member_a1
    assess(member, "3000", since="2026-11")
    assert figures.dues_arrears_months(member, TODAY) == 0
    assert _dues_level(member) == Level.NONE


def test_good_reason_breaks_the_six_months_but_not_the_arrears(tree) -> None:
    member = tree.member_a1
    assess(member, "3000")
    pay(member, "2026-01", "2026-03", amount="45.00")  # unpaid April to October: 7 months
    assert _dues_level(member) == Level.ARTICLE9
    good_reason_record(
        actor=ACTOR,
        member=member,
        applies_to="dues",
        starts_on=dt.date(2026, 6, 10),
        ends_on=dt.date(2026, 8, 31),
        text="外出务工，已向支部书面说明",
        today=TODAY,
    )
    assert figures.dues_arrears_months(member, TODAY) == 7
    assert _dues_level(member) == Level.NONE  # only Sep, Oct are without reason
    # A reason for organizational life does not excuse dues.
    other = tree.member_a2
    assess(other, "3000")
    good_reason_record(
        actor=ACTOR,
        member=other,
        applies_to="orglife",
        starts_on=dt.date(2026, 1, 1),
        ends_on=None,
        text="长期患病卧床，有医院证明",
        today=TODAY,
    )
    assert _dues_level(other) == Level.ARTICLE9


def test_good_reason_is_validated(tree) -> None:
    with pytest.raises(DuesError) as error:
        good_reason_record(
            actor=ACTOR,
            member=tree.member_a1,
            applies_to="both",
            starts_on=dt.date(2026, 12, 1),
            ends_on=dt.date(2026, 1, 1),
            text="病",
            today=TODAY,
        )
    assert set(error.value.message_dict) == {"starts_on", "ends_on", "text"}


def _meeting(org, day: dt.date, *present) -> Meeting:  # type: ignore[no-untyped-def]
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    meeting = Meeting.objects.create(
        organization=org,
        meeting_type="theme_day",
        topic="主题党日",
        planned_start=start,
        held_start=start,
        status=MeetingStatus.HELD,
    )
    for member in present:
        Attendance.objects.create(meeting=meeting, member=member, status=AttendanceStatus.PRESENT)
    return meeting


def test_orglife_absence_ladder(tree) -> None:
    a1, a1g = tree.member_a1, tree.member_a1g
    # Meetings every month of 2026 in A1; 张三 attends until March, 李四 (in the 党小组) until
    # August.
    for month in month_range(m("2026-01"), m("2026-10")):
        present = [p for p, last in ((a1, 3), (a1g, 8)) if month.month <= last]
        _meeting(tree.branch_a1, month.replace(day=15), *present)
    assert figures.orglife_absence_months(a1, TODAY) == 7
    assert figures.article9_levels(a1, TODAY)["orglife"] == Level.ARTICLE9
    assert figures.orglife_absence_months(a1g, TODAY) == 2
    # The bulk check (ladder, sweep, lists) and orglife's own figure agree.
    for member in (a1, a1g):
        bulk = check_member(member, today=TODAY)
        assert bulk is not None
        assert bulk.orglife.months == figures.orglife_absence_months(member, TODAY)
    assert figures.article9_levels(a1g, TODAY)["orglife"] == Level.NONE
    # Attending this month ends the run at once.
    _meeting(tree.branch_a1, dt.date(2026, 11, 5), a1)
    assert figures.orglife_absence_months(a1, TODAY) == 0


def test_orglife_counts_from_the_first_recorded_meeting_and_respects_reasons(tree) -> None:
    member = tree.member_a1
    # No meeting recorded for the branch: nobody is an absentee.
    assert figures.orglife_absence_months(member, TODAY) == 0
    meeting = _meeting(tree.branch_a1, dt.date(2026, 5, 10))
    assert figures.orglife_absence_months(member, TODAY) == 0  # was not expected at it
    Attendance.objects.create(meeting=meeting, member=member, status=AttendanceStatus.ABSENT)
    assert figures.orglife_absence_months(member, TODAY) == 6
    assert figures.article9_levels(member, TODAY)["orglife"] == Level.ARTICLE9
    good_reason_record(
        actor=ACTOR,
        member=member,
        applies_to="both",
        starts_on=dt.date(2026, 8, 1),
        ends_on=None,
        text="流动党员，在广东深圳务工，已纳入流入地管理",
        today=TODAY,
    )
    assert figures.article9_levels(member, TODAY)["orglife"] == Level.NONE
    # A 请假 is not attendance; a cancelled meeting does not count.
    other = tree.member_a2
    meeting = _meeting(tree.branch_a2, dt.date(2026, 4, 10))
    Attendance.objects.create(meeting=meeting, member=other, status=AttendanceStatus.LEAVE)
    assert figures.orglife_absence_months(other, TODAY) == 7


def test_members_not_on_the_roll_are_excluded(tree) -> None:
    member = tree.member_a1
    assess(member, "3000")
    member.status = "去世"
    member.save()
    assert figures.article9_levels(member, TODAY)["dues"] == Level.NONE
    assert not list(check_members(Q(pk=member.pk), today=TODAY))


def test_sweep_warns_the_branch_and_escalates_to_the_superior(tree) -> None:
    assess(tree.member_a1, "3000")  # unpaid Jan-Oct: 10 months → all three levels
    assess(tree.member_a1g, "3000")
    pay(tree.member_a1g, "2026-01", "2026-07", amount="105.00")  # Aug-Oct: warning only
    result = reminders_sweep(today=TODAY, sources=["dues.article9"])
    reminders = {r.key.rsplit(":", 1)[1] + ":" + r.text[:12]: r for r in Reminder.objects.all()}
    assert result.opened == 4
    by_org = sorted((r.organization.code, r.severity) for r in reminders.values())
    assert by_org == [("A", "escalated"), ("A", "escalated"), ("A1", "overdue"), ("A1", "overdue")]
    assert any("党章第九条" in r.text and "张三" in r.text for r in reminders.values())
    # Idempotent, and paying resolves them.
    assert reminders_sweep(today=TODAY, sources=["dues.article9"]).opened == 0
    pay(tree.member_a1, "2026-10", amount="15.00")
    pay(tree.member_a1g, "2026-10", amount="15.00")
    assert reminders_sweep(today=TODAY, sources=["dues.article9"]).resolved == 4


def test_ending_an_open_reason_makes_the_months_count_again(tree, client) -> None:
    from chuangxian.audit.models import AuditEvent

    member = tree.member_a1
    assess(member, "3000")
    pay(member, "2026-01", "2026-03", amount="45.00")  # unpaid April to October
    reason = good_reason_record(
        actor=ACTOR,
        member=member,
        applies_to="dues",
        starts_on=dt.date(2026, 4, 1),
        ends_on=None,
        text="外出务工，已向支部书面说明",
        today=TODAY,
    )
    assert _dues_level(member) == Level.NONE
    with pytest.raises(DuesError):
        good_reason_end(
            actor=ACTOR, reason=reason, ends_on=dt.date(2026, 3, 1), note="返乡", today=TODAY
        )
    reason.refresh_from_db()
    assert reason.ends_on is None

    # Through the page, as the branch secretary: the reason ends in April.
    client.force_login(tree.secretary)
    response = client.post(
        f"/dues/reasons/{reason.pk}/end/", {"ends_on": "2026-04-30", "note": "已返乡"}
    )
    assert response.status_code == 302
    reason.refresh_from_db()
    assert reason.ends_on == dt.date(2026, 4, 30)
    assert _dues_level(member) == Level.ARTICLE9  # May to October: six months again
    event = AuditEvent.objects.filter(object_id=str(reason.pk), reason="已返乡").get()
    assert event.changes["ends_on"] == ["至今", "2026-04-30"]

    # Out of scope: another branch's secretary gets a 404 and changes nothing.
    client.force_login(tree.sibling_secretary)
    response = client.post(
        f"/dues/reasons/{reason.pk}/end/", {"ends_on": "2026-04-01", "note": "越权"}
    )
    assert response.status_code == 404
    reason.refresh_from_db()
    assert reason.ends_on == dt.date(2026, 4, 30)

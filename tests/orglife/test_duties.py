"""The yearly personal duties: 谈心谈话 with every member, and the secretary's 党课."""

import pytest
from django.urls import reverse

from chuangxian.audit.services import Actor
from chuangxian.orglife.duties import yearly_duties
from chuangxian.orglife.models import AttendanceStatus, AttendeeScope, MeetingType
from chuangxian.orglife.services.meetings import AttendanceEntry, attendance_record
from chuangxian.orgs.models import Member, MemberStatus
from tests.factories import MemberFactory
from tests.orglife.conftest import at, held

pytestmark = pytest.mark.django_db


def _talk(org, member, when, status=AttendanceStatus.PRESENT):  # type: ignore[no-untyped-def]
    meeting = held(
        org,
        when,
        meeting_type=MeetingType.TALK,
        scope=AttendeeScope.CHOSEN,
        chosen=(member.pk,),
        topic="谈心谈话",
    )
    attendance_record(
        actor=Actor(label="test"),
        meeting=meeting,
        entries={member.pk: AttendanceEntry(status=status, leave_reason="出差")},
    )
    return meeting


def test_talks_count_present_members_of_the_branch_and_its_groups(tree):  # type: ignore[no-untyped-def]
    gone = MemberFactory(
        organization=tree.branch_a1, name="钱八", status=MemberStatus.TRANSFERRED_OUT
    )
    _talk(tree.branch_a1, tree.member_a1, at(2026, 3, 5))
    _talk(tree.group_a1, tree.member_a1g, at(2026, 4, 5))  # a 党小组's talk counts
    _talk(tree.branch_a1, tree.member_a1g, at(2025, 12, 30))  # another year
    absent = MemberFactory(organization=tree.branch_a1, name="孙七")
    _talk(tree.branch_a1, absent, at(2026, 5, 5), status=AttendanceStatus.LEAVE)
    duties = yearly_duties(tree.town_admin, tree.branch_a1, 2026)
    active = Member.objects.filter(
        organization__path__startswith=tree.branch_a1.path, status=MemberStatus.ACTIVE
    )
    assert duties.members == active.count() and gone not in active
    assert duties.talked == 2
    assert absent in duties.not_talked and tree.member_a1 not in duties.not_talked
    assert not duties.talks_done
    assert yearly_duties(tree.town_admin, tree.branch_a1, 2025).talked == 1
    # A plain member sees the counts but no one else's name.
    mine = yearly_duties(tree.member_user, tree.branch_a1, 2026)
    assert mine.talked == 2 and all(m.pk == tree.member_user.member_id for m in mine.not_talked)


def test_secretary_lecture_is_recognised_by_role_or_post(tree):  # type: ignore[no-untyped-def]
    branch = tree.branch_a1
    held(branch, at(2026, 6, 1), meeting_type=MeetingType.LECTURE, lecturer="镇党委王书记")
    duties = yearly_duties(tree.town_admin, branch, 2026)
    assert not duties.lecture_done and duties.secretaries == []
    # The account holding the 书记 role, by its member's name …
    tree.secretary.member = MemberFactory(organization=branch, name="吴十")
    tree.secretary.save(update_fields=["member"])
    assert yearly_duties(tree.town_admin, branch, 2026).secretaries == ["吴十"]
    held(branch, at(2026, 7, 1), meeting_type=MeetingType.LECTURE, lecturer="吴十")
    duties = yearly_duties(tree.town_admin, branch, 2026)
    assert duties.lecture_done and [m.lecturer for m in duties.secretary_lectures] == ["吴十"]
    assert not yearly_duties(tree.town_admin, branch, 2025).lecture_done
    # … or a member whose 党内职务 is 书记; a 副书记 is not the secretary.
    Member.objects.filter(pk=tree.member_a1g.pk).update(party_post="副书记")
    MemberFactory(organization=branch, name="周九", party_post="书记")
    assert yearly_duties(tree.town_admin, branch, 2026).secretaries == ["吴十", "周九"]
    # The title alone names the branch's own secretary, whoever holds the post.
    assert not yearly_duties(tree.town_admin, branch, 2025).lecture_done
    held(branch, at(2025, 9, 1), meeting_type=MeetingType.LECTURE, lecturer=" 支部书记 ")
    assert yearly_duties(tree.town_admin, branch, 2025).lecture_done


def test_branch_meetings_page_shows_the_duties(client_as, tree):  # type: ignore[no-untyped-def]
    _talk(tree.branch_a1, tree.member_a1, at(2026, 3, 5))
    url = reverse("orglife:meetings") + f"?org={tree.branch_a1.pk}&period=2026"
    body = client_as("town_admin").get(url).content.decode()
    assert "2026年：谈心谈话与书记讲党课" in body
    assert "已谈 1 / " in body and "李四" in body
    assert "无法判断" in body  # no 书记 role holder with a name, no member with the post
    town = reverse("orglife:meetings") + f"?org={tree.town_a.pk}"
    assert "谈心谈话与书记讲党课" not in client_as("town_admin").get(town).content.decode()


def _duty_keys() -> set[str]:
    from chuangxian.reminders.models import Reminder

    return set(
        Reminder.objects.filter(source="orglife.duties", resolved_at=None).values_list(
            "key", flat=True
        )
    )


def test_year_end_reminders_follow_the_page(tree):  # type: ignore[no-untyped-def]
    import datetime as dt

    from chuangxian.reminders.models import Reminder
    from chuangxian.reminders.selectors import reminders_for
    from chuangxian.reminders.services import reminders_sweep

    a1 = tree.branch_a1
    sweep = ["orglife.duties"]
    # September: too early to remind.
    reminders_sweep(today=dt.date(2026, 9, 30), sources=sweep)
    assert not _duty_keys()
    reminders_sweep(today=dt.date(2026, 10, 1), sources=sweep)
    talks = f"orglife.duties:{a1.pk}:2026:talks"
    assert talks in _duty_keys()
    reminder = Reminder.objects.get(key=talks)
    assert "尚有党员未进行谈心谈话" in reminder.text
    assert reminder.organization == a1 and reminder in reminders_for(tree.secretary)
    # No secretary known (no named role holder, no member with the post): no lecture reminder.
    assert f"orglife.duties:{a1.pk}:2026:lecture" not in _duty_keys()
    # Talks with all but one member of A1 — the 党小组's 李四 at the branch, the others in their
    # own organization — and one in another branch: page and reminder both still say not done.
    active = list(
        Member.objects.filter(
            organization__path__startswith=a1.path, status=MemberStatus.ACTIVE
        ).select_related("organization")
    )
    last = next(m for m in active if m.pk != tree.member_a1g.pk)
    _talk(a1, tree.member_a1g, at(2026, 10, 2))
    for member in active:
        if member.pk not in (tree.member_a1g.pk, last.pk):
            _talk(member.organization, member, at(2026, 10, 2))
    _talk(tree.branch_a2, tree.member_a2, at(2026, 10, 2))
    page = yearly_duties(tree.town_admin, a1, 2026)
    assert page.not_talked == [last] and page.talked == len(active) - 1
    reminders_sweep(today=dt.date(2026, 10, 3), sources=sweep)
    assert talks in _duty_keys()
    # The last one resolves it, on the page and in the reminders alike.
    _talk(last.organization, last, at(2026, 10, 5))
    reminders_sweep(today=dt.date(2026, 10, 6), sources=sweep)
    assert talks not in _duty_keys()
    assert yearly_duties(tree.town_admin, a1, 2026).talks_done
    # A member who joins afterwards shows on the page (a resolved reminder is not reopened).
    newcomer = MemberFactory(organization=a1, name="郑十一")
    assert newcomer in yearly_duties(tree.town_admin, a1, 2026).not_talked
    # A known secretary who has not lectured is reminded until a 党课 names them.
    Member.objects.filter(pk=newcomer.pk).update(party_post="书记")
    reminders_sweep(today=dt.date(2026, 10, 9), sources=sweep)
    lecture = f"orglife.duties:{a1.pk}:2026:lecture"
    assert lecture in _duty_keys()
    held(a1, at(2026, 10, 10), meeting_type=MeetingType.LECTURE, lecturer="书记郑十一")
    reminders_sweep(today=dt.date(2026, 10, 11), sources=sweep)
    assert lecture not in _duty_keys()


@pytest.mark.parametrize(
    ("post", "is_secretary"),
    [
        ("书记", True),
        ("党支部书记", True),
        ("联合党支部书记", True),
        ("党支部书记、村委会主任", True),
        ("副书记", False),
        ("党总支书记", False),
        ("镇党委书记", False),
        ("组织委员", False),
        ("", False),
    ],
)
def test_which_posts_are_the_branch_secretary(post, is_secretary):  # type: ignore[no-untyped-def]
    from chuangxian.orgs.posts import is_branch_secretary

    assert is_branch_secretary(post) is is_secretary

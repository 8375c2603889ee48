"""`/`: the public portal for a visitor, 待办 for those who run organizations, 我的一年 for
members; the 大字 switch remembered per device and per user."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chuangxian.audit.services import Actor
from chuangxian.home.todo import todo_lines
from chuangxian.orglife.models import MeetingStatus
from chuangxian.orgs.display import COOKIE
from chuangxian.orgs.models import Organization, OrgKind
from chuangxian.reminders.models import Reminder, Severity
from tests.factories import MemberFactory, make_org
from tests.orglife.conftest import held, plan

pytestmark = pytest.mark.django_db


def _keys(user) -> dict[str, int]:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return {line.key: line.count for line in todo_lines(user, today=timezone.localdate(), now=now)}


def test_visitor_sees_the_public_portal_at_the_root(client, tree):  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "党组织公开查询" in body
    assert reverse("login") in body  # the discreet staff login
    found = client.get("/", {"q": "甲镇"}).content.decode()
    assert "甲镇一村党支部" in found
    # Everything else still needs a login.
    assert client.get("/tree/").status_code == 302


def test_administrator_home_lists_roots_and_term_line(client_as, tree):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    Organization.objects.filter(pk=tree.branch_a1.pk).update(term_ends_on=today - dt.timedelta(1))
    Organization.objects.filter(pk=tree.branch_a2.pk).update(term_ends_on=today + dt.timedelta(30))
    Organization.objects.filter(pk=tree.branch_b1.pk).update(term_ends_on=today - dt.timedelta(9))
    body = client_as("town_admin").get(reverse("home")).content.decode()
    assert "甲镇党委" in body
    assert 'data-label="党员数（含下级）">3</td>' in body  # 张三, 李四, 王五 rolled up
    assert 'data-todo="term"' in body and "逾期" in body
    assert _keys(tree.town_admin)["term"] == 2  # not 乙镇's branch
    assert "乙镇一村党支部" not in body


def test_meeting_lines_for_secretary_and_superior(tree):  # type: ignore[no-untyped-def]
    past = timezone.now() - dt.timedelta(days=3)
    plan(tree.branch_a1, past, topic="过了时间还没标记")
    recorded = held(tree.branch_a1, past - dt.timedelta(days=1))  # attendance not yet recorded
    submitted = held(tree.branch_a2, past - dt.timedelta(days=2))
    submitted.minutes = "记录"
    submitted.status = MeetingStatus.SUBMITTED
    submitted.save()
    secretary = _keys(tree.secretary)
    assert secretary["to_hold"] == 1
    assert secretary["attendance"] == 1 and secretary["no_minutes"] == 1
    assert "to_approve" not in secretary  # a branch never approves its own minutes
    town = _keys(tree.town_admin)
    assert town["to_approve"] == 1 and town["to_hold"] == 1
    # The county's own meetings are not the county's to approve; the town's are.
    assert "to_approve" not in _keys(tree.outsider)
    assert recorded.pk


def test_secretary_sees_this_periods_cadence_with_a_plan_link(tree):  # type: ignore[no-untyped-def]
    now = timezone.now()
    lines = todo_lines(tree.secretary, today=timezone.localdate(), now=now)
    cadence = [line for line in lines if line.key.startswith(f"cadence-{tree.branch_a1.pk}-")]
    assert cadence, [line.key for line in lines]
    assert all(line.url == f"/orglife/new/?org={tree.branch_a1.pk}" for line in cadence)
    # Once planned, the line leads to that meeting; holding it clears the line.
    key = f"cadence-{tree.branch_a1.pk}-theme_day"
    # In this month whatever the hour (the first minute of the month aside).
    this_month = timezone.localtime(now).replace(day=1, hour=0, minute=1, second=0, microsecond=0)
    start = min(this_month, now)
    meeting = plan(tree.branch_a1, start, meeting_type="theme_day")
    lines = {
        line.key: line for line in todo_lines(tree.secretary, today=timezone.localdate(), now=now)
    }
    assert lines[key].url == meeting.get_absolute_url()
    meeting.delete()
    held(tree.branch_a1, start, meeting_type="theme_day")
    assert key not in _keys(tree.secretary)


def test_reminders_grouped_by_module_with_urgency(tree):  # type: ignore[no-untyped-def]
    for i, severity in enumerate((Severity.AHEAD, Severity.ESCALATED)):
        Reminder.objects.create(
            key=f"dues.article9:{i}",
            organization=tree.branch_a1,
            source="dues.article9",
            severity=severity,
            text="连续未交党费",
        )
    Reminder.objects.create(
        key="other", organization=tree.branch_b1, source="dues.article9", severity="ahead", text="x"
    )
    now = timezone.now()
    lines = {
        line.key: line for line in todo_lines(tree.town_admin, today=timezone.localdate(), now=now)
    }
    line = lines["reminders-dues.article9"]
    assert (line.count, line.urgent) == (2, True)
    assert line.url == "/reminders/?source=dues.article9"
    assert next(iter(lines)) == "reminders-dues.article9"  # urgent first


def test_staff_todo_query_count_does_not_grow_with_the_subtree(tree):  # type: ignore[no-untyped-def]
    def count() -> int:
        now = timezone.now()
        with CaptureQueriesContext(connection) as queries:
            todo_lines(tree.county_admin, today=timezone.localdate(), now=now)
        return len(queries)

    count()  # the user's scope is read once and kept
    before = count()
    for i in range(30):
        branch = make_org(f"X{i}", parent=tree.town_b, kind=OrgKind.BRANCH, name=f"新村{i}党支部")
        MemberFactory(organization=branch)
        plan(branch, timezone.now() - dt.timedelta(days=2), actor=Actor(label="t"))
    assert count() == before
    assert _keys(tree.county_admin)["to_hold"] == 30


def test_member_year_cards(client_as, tree):  # type: ignore[no-untyped-def]
    meeting = held(tree.branch_a1, timezone.now() - dt.timedelta(days=2))
    meeting.attendances.update(status="present")
    body = client_as("member_user").get(reverse("home")).content.decode()
    year = timezone.localdate().year
    assert f"我的{year}年" in body
    assert "参加 1 / 应参加 1 次" in body
    assert "学时" in body and "已交" in body
    assert reverse("orglife:my") in body and reverse("learning:home") in body
    assert reverse("orgs:member", args=[tree.member_a1.pk]) in body
    assert "我管理的党组织" not in body and "待办" not in body


def test_large_display_per_device_and_per_user(client, tree):  # type: ignore[no-untyped-def]
    response = client.post(reverse("display_set"), {"large": "1", "next": "/public/"})
    assert response.status_code == 302 and response["Location"] == "/public/"
    assert client.cookies[COOKIE].value == "1"
    assert 'class="large"' in client.get("/public/").content.decode()
    # Off-site next: back to the start page.
    response = client.post(reverse("display_set"), {"large": "0", "next": "https://x.example/"})
    assert response["Location"] == "/"
    assert 'class="large"' not in client.get("/public/").content.decode()
    # Logged in, the choice goes with the account to another device.
    client.force_login(tree.member_user)
    client.post(reverse("display_set"), {"large": "1", "next": "/"})
    tree.member_user.refresh_from_db()
    assert tree.member_user.large_display is True
    client.cookies[COOKIE] = "0"
    assert 'class="large"' in client.get("/").content.decode()


def test_member_year_shows_the_points_of_the_ledger(client_as, tree):  # type: ignore[no-untyped-def]
    from chuangxian.audit.services import SYSTEM
    from chuangxian.honors.services import points

    body = client_as("member_user").get(reverse("home")).content.decode()
    assert reverse("honors:my_points") in body and "0 分" in body
    points.rules_seed_defaults(actor=SYSTEM, organization=tree.county)
    meeting = held(tree.branch_a1, timezone.now() - dt.timedelta(days=2))
    meeting.attendances.update(status="present")
    points.points_accrue(actor=SYSTEM, root=tree.county, year=timezone.localdate().year)
    from chuangxian.honors.ledger import member_year_total

    total = member_year_total(tree.member_a1.pk, timezone.localdate().year)
    assert total > 0
    body = client_as("member_user").get(reverse("home")).content.decode()
    assert f"{total} 分" in body

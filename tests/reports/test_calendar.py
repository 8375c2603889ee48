import datetime as dt

import pytest

from chuangxian.orglife.models import MeetingType
from chuangxian.orgs.models import RoleGrant
from chuangxian.reports.calendar import Obligation, balance, obligations
from chuangxian.reports.ics import _fold, calendar_text, feed_token, read_token
from tests.orglife.conftest import at, plan

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def test_obligations_come_from_the_records(tree):
    plan(tree.branch_a1, at(2026, 12, 10), meeting_type=MeetingType.LECTURE, topic="党课")
    found = obligations(tree.town_a, 2026, TODAY)
    systems = {o.system for o in found}
    assert {"组织生活", "党费"} <= systems
    lecture = [o for o in found if o.title == "召开党课"]
    assert lecture == [Obligation(dt.date(2026, 12, 10), "组织生活", "召开党课", 1, "/orglife/")]
    dues = [o for o in found if o.system == "党费"]
    assert [o.day for o in dues][-1] == dt.date(2026, 12, 31)
    assert dues[0].count == 2  # the town's two branches
    # Cadence periods still open on the report day are due on their last day.
    pending = [o for o in found if o.title.endswith("按期召开")]
    assert pending and all(o.day >= TODAY for o in pending)


def test_balance_warns_of_a_crowded_quarter_and_week():
    week = dt.date(2026, 3, 23)
    found = [Obligation(week, system, "x") for system in ("组织生活", "党费", "创先争优")]
    found += [Obligation(dt.date(2026, 3, d), "党费", "y") for d in range(1, 8)]
    found += [Obligation(dt.date(2026, 8, 1), "党费", "z")]
    result = balance(found)
    assert result.quarter_counts == [10, 0, 1, 0]
    assert result.crowded_quarters == [1]
    assert result.crowded_weeks == [(week, sorted(["组织生活", "党费", "创先争优"]))]
    assert balance(found[:3]).crowded_quarters == []  # too few to judge


def test_ics_lines_are_folded_and_escaped():
    long = "摘要," * 40
    text = calendar_text("名称;x", [[f"SUMMARY:{long}"]])
    assert text.endswith("\r\n")
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    assert "X-WR-CALNAME:名称\\;x" in text
    assert _fold("a" * 75) == "a" * 75


def test_tokens_are_signed(tree):
    token = feed_token(tree.secretary.pk, tree.branch_a1.pk)
    assert read_token(token) == (tree.secretary.pk, tree.branch_a1.pk)
    assert read_token(token[:-2] + "xx") is None
    assert read_token("nonsense") is None


def test_the_organization_feed_follows_the_users_scope(client, tree):
    plan(tree.branch_a1, at(2026, 12, 10), meeting_type=MeetingType.LECTURE, topic="党课")
    url = f"/public/calendar/{feed_token(tree.secretary.pk, tree.branch_a1.pk)}.ics"
    response = client.get(url)  # no login: the token is the key
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:组织生活：召开党课" in body
    assert "DTSTART;VALUE=DATE:20261210" in body
    # Another organization in the token, or a role taken away: nothing.
    other = f"/public/calendar/{feed_token(tree.secretary.pk, tree.branch_b1.pk)}.ics"
    assert client.get(other).status_code == 404
    RoleGrant.objects.filter(user=tree.secretary).delete()
    assert client.get(url).status_code == 404
    assert client.get("/public/calendar/forged.ics").status_code == 404


def test_the_member_feed_holds_their_meetings(client, tree):
    meeting = plan(tree.branch_a1, at(2026, 12, 12, 14, 30), topic="主题党日学习")
    expected = meeting.attendances.filter(member=tree.member_a1).exists()
    body = client.get(
        f"/public/calendar/{feed_token(tree.member_user.pk, None)}.ics"
    ).content.decode()
    assert ("主题党日学习" in body) == expected
    assert expected, "the whole branch is expected at a 主题党日"
    assert "DESCRIPTION:14:30" in body


@pytest.mark.parametrize(
    ("who", "org", "status"),
    [
        ("county_admin", "county", 200),
        ("town_admin", "branch_a1", 200),
        ("town_admin", "town_b", 404),
        ("secretary", "branch_a1", 200),
        ("sibling_secretary", "branch_a1", 404),
        ("member_user", "branch_a1", 404),
    ],
)
def test_calendar_page_scope(client, tree, who, org, status):
    client.force_login(getattr(tree, who))
    assert client.get(f"/reports/calendar/{getattr(tree, org).pk}/").status_code == status


def test_a_member_gets_their_own_feed_address(client, tree):
    client.force_login(tree.member_user)
    body = client.get("/reports/calendar/").content.decode()
    assert "/public/calendar/" in body and ".ics" in body

"""QR check-in: the window, the signature, who may check in, and only once."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse

from chuangxian.audit.services import Actor
from chuangxian.orglife.errors import OrglifeError
from chuangxian.orglife.models import Attendance, AttendanceStatus, AttendeeScope
from chuangxian.orglife.services.checkin import SALT, checkin_record, checkin_token
from chuangxian.orglife.services.meetings import MeetingValues, meeting_cancel, meeting_update
from tests.factories import make_user
from tests.orglife.conftest import at, plan

pytestmark = pytest.mark.django_db
START = at(2026, 11, 22, 9)


def row_of(meeting, member):  # type: ignore[no-untyped-def]
    return Attendance.objects.get(meeting=meeting, member=member)


def check_in(token: str, member_id: int | None, now: dt.datetime) -> Attendance:
    return checkin_record(actor=Actor(label="t"), token=token, member_id=member_id, now=now)


@pytest.mark.parametrize("minutes", [-20, -1, 0, 19, 20])
def test_check_in_inside_the_window(tree, minutes):
    meeting = plan(tree.branch_a1, START)
    row = check_in(checkin_token(meeting), tree.member_a1.pk, START + dt.timedelta(minutes=minutes))
    assert row.status == AttendanceStatus.PRESENT and row.via_qr
    assert row.checked_in_at == START + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("minutes", "message"), [(-21, "签到尚未开始"), (21, "签到已结束"), (600, "签到已结束")]
)
def test_outside_the_window_nothing_changes(tree, minutes, message):
    meeting = plan(tree.branch_a1, START)
    with pytest.raises(OrglifeError, match=message):
        check_in(checkin_token(meeting), tree.member_a1.pk, START + dt.timedelta(minutes=minutes))
    row = row_of(meeting, tree.member_a1)
    assert row.status == AttendanceStatus.ABSENT and row.checked_in_at is None and not row.via_qr


def test_window_is_configurable_per_meeting(tree):
    meeting = plan(tree.branch_a1, START, checkin_window_minutes=60)
    check_in(checkin_token(meeting), tree.member_a1.pk, START + dt.timedelta(minutes=50))
    assert row_of(meeting, tree.member_a1).via_qr


def test_tampered_or_foreign_tokens_are_refused(tree):
    meeting = plan(tree.branch_a1, START)
    token = checkin_token(meeting)
    forged_payload = signing.loads(token, salt=SALT)
    forged_payload["c"] += 3600 * 24
    # Re-signed without the key, with another salt, or with one character changed: all refused.
    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        signing.dumps(forged_payload, salt="another-salt"),
        signing.dumps(forged_payload, salt=SALT, key="not-the-secret-key-of-this-site"),
        "garbage",
    ):
        with pytest.raises(OrglifeError, match="签到码无效"):
            check_in(bad, tree.member_a1.pk, START)
    assert row_of(meeting, tree.member_a1).status == AttendanceStatus.ABSENT


def test_moved_meeting_voids_the_old_code(tree):
    meeting = plan(tree.branch_a1, START)
    old = checkin_token(meeting)
    later = START + dt.timedelta(hours=3)
    values = MeetingValues(
        meeting_type=meeting.meeting_type, topic=meeting.topic, planned_start=later
    )
    meeting_update(actor=Actor(label="t"), meeting=meeting, values=values)
    with pytest.raises(OrglifeError, match="已作废"):
        check_in(old, tree.member_a1.pk, later)
    meeting.refresh_from_db()
    check_in(checkin_token(meeting), tree.member_a1.pk, later)


def test_not_expected_not_linked_twice_or_cancelled(tree):
    meeting = plan(tree.branch_a1, START, scope=AttendeeScope.CHOSEN, chosen=(tree.member_a1.pk,))
    token = checkin_token(meeting)
    with pytest.raises(OrglifeError, match="不在本次会议的应到名单中"):
        check_in(token, tree.member_a1g.pk, START)
    with pytest.raises(OrglifeError, match="没有关联党员信息"):
        check_in(token, None, START)
    first = check_in(token, tree.member_a1.pk, START)
    with pytest.raises(OrglifeError, match="无需重复签到"):
        check_in(token, tree.member_a1.pk, START + dt.timedelta(minutes=5))
    assert row_of(meeting, tree.member_a1).checked_in_at == first.checked_in_at
    assert Attendance.objects.filter(meeting=meeting).count() == 1

    other = plan(tree.branch_a1, START + dt.timedelta(days=1))
    meeting_cancel(actor=Actor(label="t"), meeting=other, reason="停电")
    with pytest.raises(OrglifeError, match="不能签到"):
        check_in(checkin_token(other), tree.member_a1.pk, START + dt.timedelta(days=1))


def test_checkin_page_get_confirms_post_records(tree, client, monkeypatch):
    meeting = plan(tree.branch_a1, START)
    url = reverse("orglife:checkin", args=[checkin_token(meeting)])
    monkeypatch.setattr("django.utils.timezone.now", lambda: START + dt.timedelta(minutes=3))
    client.force_login(tree.member_user)
    page = client.get(url)
    assert page.status_code == 200
    assert "确认签到" in page.content.decode()
    assert row_of(meeting, tree.member_a1).status == AttendanceStatus.ABSENT  # GET changes nothing
    done = client.post(url)
    assert "签到成功" in done.content.decode()
    assert row_of(meeting, tree.member_a1).via_qr
    again = client.post(url)
    assert again.status_code == 400 and "无需重复签到" in again.content.decode()

    # Someone logged in whose member record is not expected: a clear message, nothing written.
    stranger = make_user("stranger", member=tree.member_b1)
    client.force_login(stranger)
    refused = client.post(url)
    assert refused.status_code == 400 and "不在本次会议的应到名单中" in refused.content.decode()
    assert not Attendance.objects.filter(member=tree.member_b1).exists()


def test_checkin_page_requires_login(tree, client):
    meeting = plan(tree.branch_a1, START)
    url = reverse("orglife:checkin", args=[checkin_token(meeting)])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

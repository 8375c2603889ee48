"""情况通报 down with read receipts and the list of who has not read; 情况反映 up, tracked to a
reply (flagged when unanswered)."""

import datetime as dt

import pytest

from chuangxian.audit.services import Actor
from chuangxian.openness import reminders
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import Notice, NoticeReceipt, ReportStatus, SituationReport
from chuangxian.openness.services import notices as svc
from chuangxian.workdays import add_working_days

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>"


def test_notice_only_below_the_sender(tree):
    with pytest.raises(OpennessError, match="下级"):
        svc.notice_send(
            actor=Actor(user=tree.town_admin),
            organization=tree.town_a,
            title="通报",
            body="内容",
            recipients=[tree.branch_a1, tree.branch_b1],
        )
    assert not Notice.objects.exists()


def test_notice_receipts_and_unread_list(client, tree):
    client.force_login(tree.town_admin)
    response = client.post(
        "/openness/notices/new/",
        {
            "organization": str(tree.town_a.pk),
            "title": f"关于做好冬季防火工作的通报{PAYLOAD}",
            "body": "各支部要组织党员开展防火巡查。",
            "recipients": [str(tree.branch_a1.pk), str(tree.branch_a2.pk)],
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert NoticeReceipt.objects.filter(notice=notice).count() == 2
    # The branch secretary reads and confirms.
    client.force_login(tree.secretary)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert PAYLOAD not in page and "确认已阅" in page
    receipt = NoticeReceipt.objects.get(notice=notice, organization=tree.branch_a1)
    client.post(f"/openness/notices/receipts/{receipt.pk}/read/")
    receipt.refresh_from_db()
    assert receipt.read_at is not None and receipt.read_by == tree.secretary
    # The other branch's receipt is not theirs to confirm.
    other = NoticeReceipt.objects.get(notice=notice, organization=tree.branch_a2)
    assert client.post(f"/openness/notices/receipts/{other.pk}/read/").status_code == 404
    # The sender sees who has not read it.
    client.force_login(tree.town_admin)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "未阅 1 个" in page and "甲镇二村党支部" in page
    # An outsider cannot open it.
    client.force_login(tree.outsider)
    assert client.get(notice.get_absolute_url()).status_code == 404


def test_branch_reports_up_and_the_superior_replies(client, tree, now):
    client.force_login(tree.secretary)
    response = client.post(
        "/openness/reports/",
        {
            "sender": str(tree.branch_a1.pk),
            "subject": "村级活动场所漏雨",
            "body": f"{PAYLOAD}请协调维修资金。",
        },
    )
    assert response.status_code == 302
    report = SituationReport.objects.get()
    assert report.to_organization == tree.town_a
    assert client.post(f"/openness/reports/{report.pk}/reply/", {"reply": "x"}).status_code == 404
    client.force_login(tree.town_admin)
    page = client.get(report.get_absolute_url()).content.decode()
    assert PAYLOAD not in page
    client.post(f"/openness/reports/{report.pk}/reply/", {"reply": "已安排资金，下周维修。"})
    report.refresh_from_db()
    assert report.status == ReportStatus.REPLIED
    client.force_login(tree.sibling_secretary)
    assert client.get(report.get_absolute_url()).status_code == 404


def test_member_reports_to_their_organization(client, tree, now):
    client.force_login(tree.member_user)
    client.post(
        "/openness/reports/",
        {"sender": "member", "subject": "困难党员", "body": "李大爷生病住院，需要慰问。"},
    )
    report = SituationReport.objects.get()
    assert report.from_member == tree.member_a1 and report.to_organization == tree.branch_a1
    assert client.get(report.get_absolute_url()).status_code == 200


def test_unanswered_report_is_flagged(tree, now):
    report = svc.report_send(
        actor=Actor(user=tree.secretary),
        subject="村级活动场所漏雨",
        body="请协调维修资金。",
        organization=tree.branch_a1,
        today=now,
    )
    due = add_working_days(now, svc.REPORT_REPLY_DAYS)
    assert not list(reminders.report_reminders(due))
    [flag] = list(reminders.report_reminders(due + dt.timedelta(days=1)))
    assert flag.organization == tree.town_a
    svc.report_reply(actor=Actor(user=tree.town_admin), report=report, reply="已处理", today=now)
    assert not list(reminders.report_reminders(due + dt.timedelta(days=1)))

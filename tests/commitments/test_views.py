"""The staff and member pages: list with filters and bounded queries, drafting, review queue,
publishing, progress, comments, outcome, export; and the quarterly reminders."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.campaigns.models import PhaseKind
from chuangxian.commitments.models import (
    CommitmentItem,
    CommitmentSheet,
    ItemStatus,
    LeaderComment,
    Outcome,
)
from chuangxian.commitments.reminders import progress_reminders, quarter_of
from chuangxian.reminders.services import reminders_sweep

pytestmark = pytest.mark.django_db


def item_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "deed",
        "dimension": "serve",
        "text": "帮助困难户销售农产品",
        "target_value": "5",
        "target_unit": "户",
        "due_on": (dt.date.today() + dt.timedelta(days=40)).isoformat(),
    }
    data.update(overrides)
    return data


def test_nav_link_and_member_list(client_as, make_item):
    make_item(ItemStatus.SUBMITTED)
    body = client_as("member_user").get("/commitments/").content.decode()
    assert 'href="/commitments/"' in body  # the nav link
    assert "我的承诺" in body and "为村里孤寡老人" in body and "待审诺" in body
    assert "本级及下级的承诺" not in body


def test_staff_list_filters_and_counts_queries(
    client_as, make_item, django_assert_max_num_queries, tree
):
    for status in (ItemStatus.SUBMITTED, ItemStatus.PUBLISHED, ItemStatus.PUBLISHED):
        make_item(status)
    client = client_as("town_admin")
    with django_assert_max_num_queries(10):
        body = client.get("/commitments/").content.decode()
    assert body.count("为村里孤寡老人") == 3 and "待审核（1）" in body
    body = client.get("/commitments/", {"status": "published"}).content.decode()
    assert body.count("为村里孤寡老人") == 2
    body = client.get("/commitments/", {"org": tree.branch_a2.code}).content.decode()
    assert "为村里孤寡老人" not in body
    assert (
        client_as("outsider").get("/commitments/", {"org": tree.branch_a1.code}).status_code == 404
    )


def test_staff_list_queries_do_not_grow(client_as, make_item, django_assert_max_num_queries):
    for _ in range(15):
        make_item(ItemStatus.PUBLISHED)
    client = client_as("town_admin")
    with django_assert_max_num_queries(10):
        body = client.get("/commitments/").content.decode()
    assert body.count("为村里孤寡老人") == 15


def test_member_drafts_edits_and_submits(client_as, campaign, tree):
    client = client_as("member_user")
    response = client.post("/commitments/new/", {"campaign": campaign.pk})
    sheet = CommitmentSheet.objects.get()
    assert response["Location"] == f"/commitments/sheets/{sheet.pk}/"
    assert sheet.member == tree.member_a1 and sheet.organization == tree.branch_a1
    bad = client.post(f"/commitments/sheets/{sheet.pk}/", item_data(target_unit=""))
    assert "请填写目标数值的单位" in bad.content.decode()
    assert not CommitmentItem.objects.exists()
    client.post(f"/commitments/sheets/{sheet.pk}/", item_data())
    item = CommitmentItem.objects.get()
    assert item.status == ItemStatus.DRAFT and item.created_at
    client.post(f"/commitments/items/{item.pk}/edit/", item_data(text="帮助8户困难户销售农产品"))
    client.post(f"/commitments/sheets/{sheet.pk}/submit/")
    item.refresh_from_db()
    assert (item.text, item.status) == ("帮助8户困难户销售农产品", ItemStatus.SUBMITTED)


def test_secretary_drafts_on_behalf(client_as, campaign, tree):
    client = client_as("secretary")
    page = client.get("/commitments/new/", {"org": tree.branch_a1.code}).content.decode()
    assert "张三" in page and "李四" in page
    client.post(f"/commitments/new/?member={tree.member_a1g.pk}", {"campaign": campaign.pk})
    sheet = CommitmentSheet.objects.get()
    assert sheet.member == tree.member_a1g and sheet.created_by == tree.secretary
    assert (
        client_as("sibling_secretary")
        .get(f"/commitments/new/?member={tree.member_a1.pk}")
        .status_code
        == 404
    )


def test_no_campaign_in_the_drafting_phase(client_as, set_phase):
    set_phase(PhaseKind.REVIEW)
    body = client_as("member_user").get("/commitments/new/").content.decode()
    assert "目前没有处于定诺阶段的创先争优活动" in body


def test_review_queue_approve_and_return(client_as, make_item):
    first, second = make_item(ItemStatus.SUBMITTED), make_item(ItemStatus.SUBMITTED)
    client = client_as("secretary")
    body = client.get("/commitments/review/").content.decode()
    assert body.count("审核通过") >= 2
    response = client.post(f"/commitments/items/{first.pk}/approve/", {"back": "review"})
    assert response["Location"] == "/commitments/review/"
    client.post(f"/commitments/items/{second.pk}/return/", {"reason": ""})
    second.refresh_from_db()
    assert second.status == ItemStatus.SUBMITTED  # no reason, nothing changes
    client.post(f"/commitments/items/{second.pk}/return/", {"reason": "请写明帮扶对象"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ItemStatus.APPROVED
    assert (second.status, second.return_reason) == (ItemStatus.RETURNED, "请写明帮扶对象")
    # The member does not see the queue's items as theirs to review.
    assert (
        "没有待审核的承诺" in client_as("member_user").get("/commitments/review/").content.decode()
    )


def test_publish_sheet(client_as, make_item):
    item = make_item(ItemStatus.APPROVED)
    client_as("secretary").post(f"/commitments/sheets/{item.sheet_id}/publish/")
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.published_at is not None


def test_illegal_action_on_a_page_shows_the_message(client_as, make_item):
    item = make_item(ItemStatus.DRAFT)
    response = client_as("secretary").post(f"/commitments/items/{item.pk}/publish/", follow=True)
    assert "该承诺当前状态为“定诺（草稿）”，不能公开承诺" in response.content.decode()


def test_comment_by_superior_only(client_as, make_item, tree):
    item = make_item(ItemStatus.PUBLISHED)
    assert (
        client_as("secretary")
        .post(f"/commitments/items/{item.pk}/comments/", {"text": "好"})
        .status_code
        == 404
    )
    client = client_as("town_admin")
    client.post(f"/commitments/items/{item.pk}/comments/", {"text": "措施具体，望抓好落实"})
    comment = LeaderComment.objects.get()
    assert comment.organization == tree.town_a and comment.author == tree.town_admin


def test_outcome_unmet_needs_explanation(client_as, make_item, set_phase):
    item = make_item(ItemStatus.IN_PROGRESS)
    set_phase(PhaseKind.REVIEW)
    client = client_as("member_user")
    response = client.post(
        f"/commitments/items/{item.pk}/outcome/", {"outcome": "unmet", "note": ""}
    )
    assert "未兑现的承诺必须向群众公开说明原因" in response.content.decode()
    client.post(f"/commitments/items/{item.pk}/outcome/", {"outcome": "unmet", "note": "受灾延误"})
    item.refresh_from_db()
    assert (item.status, item.outcome, item.outcome_note) == (
        ItemStatus.UNMET,
        Outcome.UNMET,
        "受灾延误",
    )
    client_as("secretary").post(f"/commitments/items/{item.pk}/close/")
    item.refresh_from_db()
    assert item.status == ItemStatus.RATED


def test_export_is_scoped_and_audited(client_as, make_item, tree):
    make_item(ItemStatus.PUBLISHED)
    response = client_as("town_admin").get("/commitments/export/", {"org": tree.town_a.code})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "活动" and len(rows) == 2 and rows[1][3] == "张三"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.org_path == tree.town_a.path and event.changes["items"] == [None, 1]
    assert (
        client_as("outsider").get("/commitments/export/", {"org": tree.town_a.code}).status_code
        == 404
    )
    outsider_export = client_as("outsider").get("/commitments/export/")
    assert len(list(load_workbook(io.BytesIO(outsider_export.content)).active.iter_rows())) == 1


def test_quarter_of():
    assert quarter_of(dt.date(2026, 11, 22)) == (4, dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert quarter_of(dt.date(2026, 2, 1)) == (1, dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def test_quarterly_progress_reminders(make_item, set_phase, campaign, tree, now):
    silent = make_item(ItemStatus.PUBLISHED)
    set_phase(PhaseKind.CREATE)
    _quarter, _start, end = quarter_of(now)
    near_end = end - dt.timedelta(days=5)
    early = end - dt.timedelta(days=60)
    campaign.phases.update(starts_on=early, ends_on=end)
    assert list(progress_reminders(early)) == []  # too early in the quarter
    due = list(progress_reminders(near_end))
    assert len(due) == 1
    assert due[0].user == tree.member_user and "1项公开承诺" in due[0].text
    assert due[0].link == f"/commitments/sheets/{silent.sheet_id}/"
    assert reminders_sweep(today=near_end, sources=["commitments.progress"]).opened == 1
    # Progress this quarter resolves it.
    silent.updates.create(text="进展", reported_on=near_end)
    result = reminders_sweep(today=near_end, sources=["commitments.progress"])
    assert result.resolved == 1


def test_reminder_goes_to_the_branch_when_the_member_has_no_account(
    tree, campaign, make_item, set_phase, now
):
    tree.member_user.member = None
    tree.member_user.save()
    make_item(ItemStatus.PUBLISHED)
    set_phase(PhaseKind.CREATE)
    _q, _s, end = quarter_of(now)
    campaign.phases.update(starts_on=end - dt.timedelta(days=60), ends_on=end)
    (due,) = progress_reminders(end - dt.timedelta(days=1))
    assert due.user is None and due.organization == tree.branch_a1 and "张三" in due.text

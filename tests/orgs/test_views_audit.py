"""The audit page and its export, limited to the administrator's subtrees."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import Actor, audit_record, batch_changes

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(tree):  # type: ignore[no-untyped-def]
    actor = Actor(label="tester")
    for org, label in (
        (tree.branch_a1, "甲一事件"),
        (tree.branch_b1, "乙一事件"),
        (tree.county, "县事件"),
    ):
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="member",
            object_label=label,
            org_path=org.path,
            changes={"name": ["a", "b"]},
        )
    audit_record(
        actor=actor,
        action=AuditAction.GRANT,
        object_type="user",
        object_label='=HYPERLINK("x")',
        org_path=tree.branch_a2.path,
    )


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("town_admin", 200), ("county_admin", 200), ("secretary", 404), ("anonymous", 302)],
)
def test_audit_page_matrix(client_as, tree, viewer, status):  # type: ignore[no-untyped-def]
    assert client_as(viewer).get(reverse("orgs:audit")).status_code == status
    assert client_as(viewer).get(reverse("orgs:audit_export")).status_code == status


def test_audit_page_shows_only_events_in_scope(client_as, tree, events):  # type: ignore[no-untyped-def]
    body = client_as("town_admin").get(reverse("orgs:audit")).content.decode()
    assert "甲一事件" in body
    assert "乙一事件" not in body
    assert "县事件" not in body
    body = client_as("county_admin").get(reverse("orgs:audit")).content.decode()
    assert "甲一事件" in body and "乙一事件" in body and "县事件" in body


def test_audit_filters(client_as, tree, events):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    body = client.get(reverse("orgs:audit"), {"action": "grant"}).content.decode()
    assert "甲一事件" not in body and "HYPERLINK" in body
    body = client.get(reverse("orgs:audit"), {"text": "甲一"}).content.decode()
    assert "甲一事件" in body and "HYPERLINK" not in body
    body = client.get(reverse("orgs:audit"), {"date_from": "2000-01-01", "date_to": "2000-01-02"})
    assert "甲一事件" not in body.content.decode()


def test_csv_export_is_scoped_defused_and_audited(client_as, tree, events):  # type: ignore[no-untyped-def]
    response = client_as("town_admin").get(reverse("orgs:audit_export"), {"format": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    labels = [row[6] for row in rows[1:]]
    assert "甲一事件" in labels
    assert "乙一事件" not in labels
    assert '\'=HYPERLINK("x")' in labels  # never a live formula in Excel
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.org_path == tree.town_a.path
    assert export.actor == tree.town_admin


def test_xlsx_export(client_as, tree, events):  # type: ignore[no-untyped-def]
    response = client_as("town_admin").get(reverse("orgs:audit_export"), {"text": "甲一"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == ["甲一事件"]


def test_changes_use_the_words_of_their_object_type(client_as, tree):  # type: ignore[no-untyped-def]
    """A round's status is not a member's 党籍状态; the page speaks the viewer's language,
    the export stays in Chinese."""
    actor = Actor(label="tester")
    for object_type, changes in (
        ("appraisal_round", {"status": ["collecting", "closed"]}),
        ("member", {"status": ["在册", "已转出"], "in_hardship": [False, True]}),
        ("campaign", {"title": ["", "年度活动"]}),
    ):
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=object_type,
            object_label=object_type,
            org_path=tree.branch_a1.path,
            changes=changes,
        )
    from chuangxian.orgs.views import audit as audit_views

    audit_views._model_labels.cache_clear()
    client = client_as("town_admin")
    # The first page after a start is English: the cached labels must not stay English.
    client.cookies["django_language"] = "en"
    client.get(reverse("orgs:audit"), HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("orgs:audit"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "状态：测评中 → 已结算" in body
    assert "党籍状态：测评中" not in body
    assert "党籍状态：在册 → 已转出；困难党员：否 → 是" in body
    client.cookies["django_language"] = "en"
    english = client.get(reverse("orgs:audit"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Status: Collecting → Closed" in english
    assert "Membership status: On roll → Transferred out; " in english
    assert "党籍状态" not in english
    export = client.get(reverse("orgs:audit_export"), {"format": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "状态：测评中 → 已结算" in text and "党籍状态：在册 → 已转出" in text


@pytest.fixture
def batch(tree):  # type: ignore[no-untyped-def]
    """A batch event: many members created at once (as a roster import records them)."""
    rows = [[100 + i, f"批量{i}", f"批量{i}", "女" if i % 2 else "男"] for i in range(7)]
    return audit_record(
        actor=Actor(label="tester"),
        action=AuditAction.CREATE,
        object_type="member",
        object_label="党员 7 名（甲一支部）",
        org_path=tree.branch_a1.path,
        changes=batch_changes(
            ["name", "gender"], rows, masked=["id_number"], common={"organization": "A1"}
        ),
    )


def test_a_batch_event_reads_as_its_count_and_lists_every_object(client_as, tree, batch):  # type: ignore[no-untyped-def]
    client = client_as("town_admin")
    body = client.get(reverse("orgs:audit")).content.decode()
    assert "共 7 条：批量0、批量1、批量2、批量3、批量4等" in body
    assert reverse("orgs:audit_event", args=[batch.pk]) in body
    detail = client.get(reverse("orgs:audit_event", args=[batch.pk])).content.decode()
    for i in range(7):
        assert f"批量{i}" in detail and f">{100 + i}<" in detail
    assert "姓名" in detail and "性别" in detail and "公民身份号码" in detail
    assert "***(已修改)" in detail and "<td>A1</td>" in detail
    # Searching finds a member named inside the batch.
    found = client.get(reverse("orgs:audit"), {"text": "批量6"}).content.decode()
    assert "共 7 条" in found
    assert "共 7 条" not in client.get(reverse("orgs:audit"), {"text": "无此人"}).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(reverse("orgs:audit"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "7 in all: 批量0, 批量1, 批量2, 批量3, 批量4 and others" in english
    detail = client.get(reverse("orgs:audit_event", args=[batch.pk])).content.decode()
    assert "Object ID" in detail and "***(已修改)" in detail


@pytest.mark.parametrize(("viewer", "status"), [("town_admin", 200), ("secretary", 404)])
def test_an_event_page_follows_the_audit_scope(client_as, tree, batch, viewer, status):  # type: ignore[no-untyped-def]
    url = reverse("orgs:audit_event", args=[batch.pk])
    assert client_as(viewer).get(url).status_code == status
    elsewhere = audit_record(
        actor=Actor(label="tester"),
        action=AuditAction.UPDATE,
        object_type="member",
        object_label="乙一的人",
        org_path=tree.branch_b1.path,
        changes={"name": ["a", "b"]},
    )
    assert (
        client_as("town_admin").get(reverse("orgs:audit_event", args=[elsewhere.pk])).status_code
        == 404
    )
    page = client_as("county_admin").get(reverse("orgs:audit_event", args=[elsewhere.pk]))
    assert "姓名：a → b" in page.content.decode()


def test_the_export_lists_each_object_of_a_batch(client_as, tree, batch):  # type: ignore[no-untyped-def]
    response = client_as("town_admin").get(reverse("orgs:audit_export"), {"format": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))[1:]
    created = [row for row in rows if row[3] == "新增"]
    assert [row[5:7] for row in created] == [[str(100 + i), f"批量{i}"] for i in range(7)]
    assert created[1][7] == (
        "姓名：（空） → 批量1；性别：（空） → 女；"
        "公民身份号码：*** → ***(已修改)；所在党组织：（空） → A1"
    )

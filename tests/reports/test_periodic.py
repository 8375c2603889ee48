import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.orglife.models import MeetingType
from chuangxian.orglife.periods import Period
from chuangxian.reports.models import PeriodicReport, ReportKind, ReportStatus
from chuangxian.reports.periodic import current_period, report_lines
from chuangxian.reports.services import ReportError, report_submit
from tests.orglife.conftest import at, held

pytestmark = pytest.mark.django_db

Q3 = Period(2026, 7, 3)
KIND = ReportKind.QUARTERLY_MEETINGS
AFTER_Q3 = dt.date(2026, 10, 9)


def _url(org, suffix="", period=Q3, kind=KIND):  # type: ignore[no-untyped-def]
    return f"/reports/periodic/{org.pk}/{kind}/{period.code}/{suffix}"


@pytest.fixture
def meetings(tree):  # type: ignore[no-untyped-def]
    held(tree.branch_a1, at(2026, 8, 12), meeting_type=MeetingType.GENERAL_MEETING, topic="大会")
    held(tree.branch_a1, at(2026, 9, 3), meeting_type=MeetingType.LECTURE, topic="党课")
    held(tree.branch_a2, at(2026, 7, 10), meeting_type=MeetingType.THEME_DAY, topic="主题党日")
    return tree


def _line(lines, label):  # type: ignore[no-untyped-def]
    return next(line for line in lines if line.label == label)


def test_the_quarter_is_counted_from_the_meetings(meetings):
    lines = report_lines(meetings.branch_a1, KIND, Q3, AFTER_Q3)
    assert _line(lines, "召开会议（次）").value == 2
    lecture = next(line for line in lines if line.label.startswith("党课"))
    assert (lecture.value, lecture.base) == (1, 1)
    assert (
        lecture.detail == f"/orglife/compliance/?org={meetings.branch_a1.pk}&period=2026Q3&missed=1"
    )


def test_submitting_freezes_the_figures(client, meetings):
    client.force_login(meetings.secretary)
    report_submit(
        actor=Actor(user=meetings.secretary),
        org=meetings.branch_a1,
        kind=KIND,
        period=Q3,
        narrative="本季度亮点：<b>党员志愿服务</b>",
        today=AFTER_Q3,
    )
    held(meetings.branch_a1, at(2026, 9, 20), meeting_type=MeetingType.THEME_DAY, topic="后补")
    page = client.get(_url(meetings.branch_a1))
    body = page.content.decode()
    assert page.context["lines"][0].value == 2  # as submitted, not 3
    assert "&lt;b&gt;党员志愿服务" in body
    assert 'name="submit"' not in body  # no editing once submitted
    events = AuditEvent.objects.filter(object_type="periodicreport").order_by("id")
    assert [e.changes.get("状态") for e in events] == [None, ["draft", "submitted"]]
    with pytest.raises(ReportError):
        report_submit(
            actor=Actor(user=meetings.secretary),
            org=meetings.branch_a1,
            kind=KIND,
            period=Q3,
            narrative="",
            today=AFTER_Q3,
        )


def test_a_quarter_is_submitted_from_its_last_day(meetings):
    with pytest.raises(ReportError, match="季度的最后一天起"):
        report_submit(
            actor=Actor(user=meetings.secretary),
            org=meetings.branch_a1,
            kind=KIND,
            period=Q3,
            narrative="",
            today=dt.date(2026, 9, 29),
        )
    assert not PeriodicReport.objects.filter(status=ReportStatus.SUBMITTED).exists()


def test_the_secretary_submits_the_superior_returns_and_rolls_up(client, meetings):
    client.force_login(meetings.secretary)
    response = client.post(_url(meetings.branch_a1), {"narrative": "说明", "submit": "1"})
    assert response.status_code == 302
    report = PeriodicReport.objects.get(organization=meetings.branch_a1)
    assert report.status == ReportStatus.SUBMITTED
    # The secretary cannot return their own report; a sibling cannot even see it.
    assert client.post(_url(meetings.branch_a1, "return/"), {"reason": "x"}).status_code == 404
    client.force_login(meetings.sibling_secretary)
    assert client.get(_url(meetings.branch_a1)).status_code == 404

    client.force_login(meetings.town_admin)
    town = client.get(_url(meetings.town_a))
    assert town.context["submitted_count"] == 1
    assert "下级报送情况：1 / 2" in town.content.decode()
    rollup = town.context["rollup"]
    assert _line(rollup, "召开会议（次）").value == 2  # 甲镇二村 has not submitted
    refused = client.post(_url(meetings.branch_a1, "return/"), {"reason": ""})
    assert refused.status_code == 302
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    client.post(_url(meetings.branch_a1, "return/"), {"reason": "请补充说明"})
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (ReportStatus.RETURNED, "请补充说明")

    client.force_login(meetings.secretary)
    page = client.get(_url(meetings.branch_a1)).content.decode()
    assert "请补充说明" in page and 'name="submit"' in page
    client.post(_url(meetings.branch_a1), {"narrative": "已补充", "submit": "1"})
    report.refresh_from_db()
    assert (report.status, report.narrative) == (ReportStatus.SUBMITTED, "已补充")


def test_a_too_long_narrative_saves_nothing(client, tree):
    client.force_login(tree.secretary)
    response = client.post(_url(tree.branch_a1), {"narrative": "长" * 4001, "save": "1"})
    assert response.status_code == 200
    assert not PeriodicReport.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("secretary", 200),
        ("town_admin", 200),
        ("county_admin", 200),
        ("worker", 200),
        ("sibling_secretary", 404),
        ("outsider", 404),
        ("member_user", 404),
    ],
)
def test_scope_matrix(client, tree, who, status):
    client.force_login(getattr(tree, who))
    assert client.get(_url(tree.branch_a1)).status_code == status
    assert client.get(_url(tree.branch_a1, "export/")).status_code == status


def test_the_list_shows_what_is_due(client, tree):
    client.force_login(tree.secretary)
    body = client.get("/reports/periodic/").content.decode()
    assert "三会一课季度统计" in body and "甲镇一村党支部" in body
    assert current_period(KIND, dt.date(2026, 1, 15)).code == "2025Q4"
    assert current_period(ReportKind.ANNUAL_SUMMARY, dt.date(2026, 12, 4)).code == "2026"
    assert client.get(_url(tree.branch_a1, period=Period(2026, 1, 12))).status_code == 404


def test_export_is_text_safe_and_traceable(client, meetings):
    report_submit(
        actor=Actor(user=meetings.secretary),
        org=meetings.branch_a1,
        kind=KIND,
        period=Q3,
        narrative='=HYPERLINK("http://example.invalid","x")',
        today=AFTER_Q3,
    )
    client.force_login(meetings.town_admin)
    content = client.get(_url(meetings.branch_a1, "export/")).content
    sheet = load_workbook(io.BytesIO(content))["报表"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    narrative = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert narrative.data_type == "s"
    assert any("/orglife/compliance/?org=" in str(c.value) for c in cells)
    town = load_workbook(io.BytesIO(client.get(_url(meetings.town_a, "export/")).content))
    assert "下级汇总" in town.sheetnames


def test_annual_summary_lines_match_the_dashboard_sources(tree):
    lines = report_lines(tree.town_a, ReportKind.ANNUAL_SUMMARY, Period(2026, 1, 12), AFTER_Q3)
    members = next(line for line in lines if line.label.endswith("在册党员"))
    assert members.value == 3
    assert members.detail.startswith(f"/orgs/{tree.town_a.pk}/")

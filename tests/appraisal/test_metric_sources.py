"""Each metric adapter of metric_sources.py against records made through the owning modules:
the value the registry returns for many subjects at once, and the records it names for one.
The campaigns and commitments adapters are tested beside those modules' fixtures
(tests/campaigns/test_metric_adapters.py, tests/commitments/test_metric_adapters.py)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from chuangxian.appraisal import metrics
from chuangxian.appraisal.metrics import Period
from chuangxian.orglife.models import AttendanceStatus, MeetingType
from tests.learning.conftest import attend, held_meeting
from tests.learning.test_figures_reminders import credit

pytestmark = pytest.mark.django_db

YEAR = Period.of_year(2026)


def _at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, tzinfo=timezone.get_current_timezone())


def values(name: str, ids: list[int]) -> dict[int, float | None]:
    return metrics.compute_metric(name, ids, YEAR)


def test_registry_names_the_records_of_every_metric() -> None:
    names = {m.name for m in metrics.all_metrics()}
    assert {
        "orglife.meetings_held_vs_required",
        "orglife.attendance_rate",
        "orglife.organization_attendance_rate",
        "learning.study_progress",
        "dues.dues_compliance",
        "campaigns.target_progress",
        "campaigns.member_target_progress",
        "commitments.fulfilment_rate",
        "commitments.member_fulfilment_rate",
    } <= names
    assert all(m.source and m.explain for m in metrics.all_metrics() if "." in m.name)


def test_attendance_rate(tree) -> None:  # type: ignore[no-untyped-def]
    meetings = [held_meeting(tree.branch_a1, when=_at(month, 10)) for month in (2, 3, 4, 5)]
    for i, meeting in enumerate(meetings):
        attend(meeting, tree.member_a1)
        status = [AttendanceStatus.PRESENT, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT][i % 3]
        attend(meeting, tree.member_a1g, status)
    held_meeting(tree.branch_a1, when=_at(6, 1), status="planned")  # not held: not counted
    got = values("orglife.attendance_rate", [tree.member_a1.pk, tree.member_a1g.pk, 0])
    assert got == {tree.member_a1.pk: 1.0, tree.member_a1g.pk: 0.5, 0: None}
    assert metrics.explain_metric("orglife.attendance_rate", tree.member_a1g.pk, YEAR) == (
        "已召开会议中应到4次，出席2次，请假1次"
    )
    assert "没有应参加" in metrics.explain_metric(
        "orglife.attendance_rate", tree.member_a2.pk, YEAR
    )


def test_organization_attendance_rate(tree) -> None:  # type: ignore[no-untyped-def]
    meeting = held_meeting(tree.branch_a1, when=_at(3, 10))
    attend(meeting, tree.member_a1)
    attend(meeting, tree.member_a1g, AttendanceStatus.ABSENT)
    group = held_meeting(tree.group_a1, kind=MeetingType.GROUP, when=_at(4, 2), topic="小组会")
    attend(group, tree.member_a1g)
    got = values(
        "orglife.organization_attendance_rate",
        [tree.branch_a1.pk, tree.group_a1.pk, tree.branch_a2.pk],
    )
    assert got == {tree.branch_a1.pk: 2 / 3, tree.group_a1.pk: 1.0, tree.branch_a2.pk: None}
    text = metrics.explain_metric("orglife.organization_attendance_rate", tree.branch_a1.pk, YEAR)
    assert text == "已召开会议共应到3人次，出席2人次，请假0人次"


def test_meetings_held_vs_required(tree) -> None:  # type: ignore[no-untyped-def]
    from tests.orglife.conftest import held

    for month in (1, 2, 4):
        held(tree.branch_a1, _at(month, 10))  # 主题党日 by default
    got = values("orglife.meetings_held_vs_required", [tree.branch_a1.pk, tree.branch_a2.pk])
    assert 0 < got[tree.branch_a1.pk] < 1  # type: ignore[operator]
    assert got[tree.branch_a2.pk] == 0.0  # meetings required, none held
    text = metrics.explain_metric("orglife.meetings_held_vs_required", tree.branch_a1.pk, YEAR)
    assert text.startswith("按期召开/应召开：") and "主题党日3/" in text
    pairs = [(int(h), int(r)) for h, r in re.findall(r"(\d+)/(\d+)", text)]
    assert got[tree.branch_a1.pk] == sum(h for h, _ in pairs) / sum(r for _, r in pairs)


def test_study_progress(tree) -> None:  # type: ignore[no-untyped-def]
    credit(tree.member_a1, dt.date(2026, 3, 1), 16)
    credit(tree.member_a1, dt.date(2025, 12, 31), 40)  # last year: not counted
    tree.member_a1g.party_post = "书记"
    tree.member_a1g.save()
    credit(tree.member_a1g, dt.date(2026, 5, 1), 28)
    got = values("learning.study_progress", [tree.member_a1.pk, tree.member_a1g.pk, 0])
    assert got == {tree.member_a1.pk: 0.5, tree.member_a1g.pk: 0.5, 0: None}
    assert values("learning.study_progress", [tree.member_a2.pk]) == {tree.member_a2.pk: 0.0}
    text = metrics.explain_metric("learning.study_progress", tree.member_a1g.pk, YEAR)
    assert text == "学习台账本年度28.0学时，应完成56学时"


def test_dues_compliance(tree) -> None:  # type: ignore[no-untyped-def]
    from chuangxian.dues import figures
    from tests.dues.conftest import assess, pay

    assess(tree.member_a1, "4000")
    for month in range(1, 11):
        pay(tree.member_a1, f"2026-{month:02d}", amount="40.00", paid_on=dt.date(2026, month, 10))
    today = min(YEAR.end, timezone.localdate())
    expected = figures.dues_compliance(tree.member_a1, (YEAR.start, YEAR.end), today=today)
    got = values("dues.dues_compliance", [tree.member_a1.pk, tree.member_b1.pk])
    assert got == {tree.member_a1.pk: expected, tree.member_b1.pk: None}
    assert expected is not None and expected >= 10 / 11
    text = metrics.explain_metric("dues.dues_compliance", tree.member_a1.pk, YEAR)
    assert "已交10个月" in text
    assert "没有应交党费" in metrics.explain_metric("dues.dues_compliance", tree.member_b1.pk, YEAR)

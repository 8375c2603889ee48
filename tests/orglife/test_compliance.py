"""Cadence compliance on a hand-built year: states per period, exemptions, founding dates,
rule overrides, the committee-size condition, scope, and the number of queries."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuangxian.audit.services import Actor
from chuangxian.orglife.compliance import CellState, compute_compliance, report_for_user
from chuangxian.orglife.errors import OrglifeError
from chuangxian.orglife.models import CadenceRule, Frequency, MeetingType, OrgClass
from chuangxian.orglife.periods import Period, PeriodError
from chuangxian.orglife.services.cadence import (
    cadence_rule_set,
    exemption_create,
)
from chuangxian.orglife.services.meetings import meeting_cancel
from tests.factories import MemberFactory, make_org
from tests.orglife.conftest import at, held, plan

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)
YEAR = Period(2026, 1, 12)


def result(report, org, meeting_type):  # type: ignore[no-untyped-def]
    row = next(r for r in report.rows if r.org_id == org.pk)
    return row.result_for(meeting_type)


def states(res) -> str:  # type: ignore[no-untyped-def]
    return "".join(cell.symbol for cell in res.cells())


def test_hand_built_year(tree):
    a1 = tree.branch_a1
    for month in (1, 2, 3, 5, 6, 7, 8, 9, 10):  # April missed, November pending
        held(a1, at(2026, month, 10))
    held(a1, at(2026, 11, 10), meeting_type=MeetingType.THEME_DAY)  # November met early
    held(a1, at(2026, 2, 12), meeting_type=MeetingType.GENERAL_MEETING)
    held(a1, at(2026, 3, 12), meeting_type=MeetingType.GENERAL_MEETING)  # second in Q1
    held(a1, at(2026, 8, 12), meeting_type=MeetingType.GENERAL_MEETING)
    held(a1, at(2026, 1, 20), meeting_type=MeetingType.LIFE_MEETING)
    # Not counted: planned only, cancelled, and a meeting of another year.
    plan(a1, at(2026, 4, 10))
    meeting_cancel(actor=Actor(label="t"), meeting=plan(a1, at(2026, 4, 11)), reason="雨")
    held(a1, at(2025, 12, 31, 23, 30))  # Shanghai time: still 2025

    report = compute_compliance(root=tree.county, period=YEAR, today=TODAY)
    theme = result(report, a1, MeetingType.THEME_DAY)
    assert states(theme) == "✓✓✓✗✓✓✓✓✓✓✓…"
    assert (theme.held, theme.met, theme.required, theme.missed, theme.pending) == (
        10,
        10,
        11,
        1,
        1,
    )
    assert not theme.ok
    general = result(report, a1, MeetingType.GENERAL_MEETING)
    assert states(general) == "✓✗✓…"
    assert (general.held, general.met, general.missed) == (3, 2, 1)
    assert states(result(report, a1, MeetingType.LIFE_MEETING)) == "✓"
    assert states(result(report, a1, MeetingType.APPRAISAL)) == "…"
    # 支委会 only for branches with 7+ full members; A1 has 2.
    assert result(report, a1, MeetingType.COMMITTEE) is None
    # The 党小组 has its own monthly rule, nothing held.
    assert states(result(report, tree.group_a1, MeetingType.GROUP)) == "✗" * 10 + "……"
    # Rows for branches and 党小组 only, not for 党委.
    assert {r.org_id for r in report.rows} == {
        tree.branch_a1.pk,
        tree.branch_a2.pk,
        tree.group_a1.pk,
        tree.branch_b1.pk,
    }
    summary = {s.rule_key[1]: s for s in report.rules}
    assert summary[MeetingType.THEME_DAY].organizations == 3
    assert summary[MeetingType.THEME_DAY].held == 10
    assert summary[MeetingType.LIFE_MEETING].ok == 3  # year not over: pending is not a failure

    quarter = compute_compliance(root=tree.branch_a1, period=Period(2026, 4, 3), today=TODAY)
    theme_q2 = result(quarter, a1, MeetingType.THEME_DAY)
    assert states(theme_q2) == "✗✓✓" and theme_q2.held == 2
    # A yearly rule seen from a quarter: its one period, judged over the whole year.
    assert states(result(quarter, a1, MeetingType.LIFE_MEETING)) == "✓"

    after_year = compute_compliance(root=tree.branch_a1, period=YEAR, today=dt.date(2027, 1, 5))
    assert states(result(after_year, a1, MeetingType.APPRAISAL)) == "✗"
    assert states(result(after_year, a1, MeetingType.THEME_DAY)).endswith("✓✗")


def test_exemptions_and_founding_date(tree):
    new_branch = make_org("N1", parent=tree.town_a, name="新成立支部")
    new_branch.established_on = dt.date(2026, 5, 15)
    new_branch.save()
    report = compute_compliance(root=new_branch, period=YEAR, today=TODAY)
    theme = result(report, new_branch, MeetingType.THEME_DAY)
    # Months begun before the founding are not counted; June onwards are.
    assert states(theme) == "—" * 5 + "✗" * 5 + "……"
    assert states(result(report, new_branch, MeetingType.LIFE_MEETING)) == "—"

    exemption_create(
        actor=Actor(label="t"),
        organization=tree.branch_a2,
        meeting_type=MeetingType.THEME_DAY,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 6, 30),
        reason="整村搬迁，上半年暂停集中活动",
    )
    exemption_create(
        actor=Actor(label="t"),
        organization=tree.branch_a2,
        meeting_type="",
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 7, 31),
        reason="抗洪抢险",
    )
    report = compute_compliance(root=tree.town_a, period=YEAR, today=TODAY)
    theme = result(report, tree.branch_a2, MeetingType.THEME_DAY)
    assert states(theme) == "免" * 7 + "✗" * 3 + "……"
    assert theme.required == 3
    general = result(report, tree.branch_a2, MeetingType.GENERAL_MEETING)
    assert states(general) == "✗✗免…"  # Q3 touches the July exemption
    cell = result(report, tree.branch_a2, MeetingType.THEME_DAY).cells()[0]
    assert cell.state == CellState.EXEMPT and cell.label == "免于考核"


def test_exemption_bad_input(tree):
    for kwargs, message in (
        (
            dict(starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 4, 1), reason="x"),
            "结束日期不能早于开始日期",
        ),
        (
            dict(starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 2, 1), reason=" "),
            "请填写免于考核的原因",
        ),
        (dict(starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2026, 2, 1), reason="x"), "最长两年"),
    ):
        with pytest.raises(OrglifeError) as refused:
            exemption_create(
                actor=Actor(label="t"), organization=tree.branch_a1, meeting_type="", **kwargs
            )
        assert any(message in m for m in refused.value.messages)


def test_rule_overrides_apply_to_the_subtree_deepest_wins(tree):
    actor = Actor(user=tree.county_admin)
    cadence_rule_set(
        actor=actor,
        organization=tree.county,
        org_class=OrgClass.BRANCH,
        meeting_type=MeetingType.THEME_DAY,
        frequency=Frequency.QUARTER,
    )
    cadence_rule_set(
        actor=actor,
        organization=tree.town_a,
        org_class=OrgClass.BRANCH,
        meeting_type=MeetingType.THEME_DAY,
        frequency=Frequency.YEAR,
    )
    cadence_rule_set(
        actor=actor,
        organization=tree.town_b,
        org_class=OrgClass.BRANCH,
        meeting_type=MeetingType.TALK,
        frequency=Frequency.YEAR,
    )
    report = compute_compliance(root=tree.county, period=YEAR, today=TODAY)
    assert result(report, tree.branch_a1, MeetingType.THEME_DAY).rule.frequency == Frequency.YEAR
    assert result(report, tree.branch_b1, MeetingType.THEME_DAY).rule.frequency == Frequency.QUARTER
    assert result(report, tree.branch_b1, MeetingType.TALK).rule.frequency == Frequency.YEAR
    assert result(report, tree.branch_a1, MeetingType.TALK) is None
    # The same report computed from a lower root sees the rules set above it.
    town = compute_compliance(root=tree.town_a, period=YEAR, today=TODAY)
    assert result(town, tree.branch_a1, MeetingType.THEME_DAY).rule.frequency == Frequency.YEAR

    # Setting town A back to what the county says removes its row.
    cadence_rule_set(
        actor=actor,
        organization=tree.town_a,
        org_class=OrgClass.BRANCH,
        meeting_type=MeetingType.THEME_DAY,
        frequency=Frequency.QUARTER,
    )
    assert not CadenceRule.objects.filter(organization=tree.town_a).exists()
    with pytest.raises(OrglifeError):
        cadence_rule_set(
            actor=actor,
            organization=tree.town_a,
            org_class=OrgClass.BRANCH,
            meeting_type=MeetingType.THEME_DAY,
            frequency="weekly",
        )


def test_committee_rule_needs_seven_full_members_including_groups(tree):
    for _ in range(5):
        MemberFactory(organization=tree.branch_a1)
    report = compute_compliance(root=tree.branch_a1, period=YEAR, today=TODAY)
    assert result(report, tree.branch_a1, MeetingType.COMMITTEE) is not None  # 张三 + 李四 + 5


def test_scoped_report_and_query_count(tree):
    for org in (tree.branch_a1, tree.branch_a2, tree.branch_b1, tree.group_a1):
        held(
            org,
            at(2026, 3, 3),
            meeting_type=MeetingType.GROUP if org == tree.group_a1 else MeetingType.THEME_DAY,
        )
    report = report_for_user(tree.secretary, root=tree.branch_a1, period=YEAR, today=TODAY)
    assert {r.org_id for r in report.rows} == {tree.branch_a1.pk, tree.group_a1.pk}
    town = report_for_user(tree.town_admin, root=tree.county, period=YEAR, today=TODAY)
    assert {r.org_id for r in town.rows} == {tree.branch_a1.pk, tree.branch_a2.pk, tree.group_a1.pk}
    assert town.meetings == 3
    # More organizations and meetings do not add queries.
    for n in range(10):
        branch = make_org(f"X{n}", parent=tree.town_a)
        MemberFactory(organization=branch)
        held(branch, at(2026, 5, 5))
    with CaptureQueriesContext(connection) as queries:
        compute_compliance(root=tree.county, period=YEAR, today=TODAY)
    assert len(queries.captured_queries) <= 7


@pytest.mark.parametrize(
    ("text", "code", "months"),
    [
        ("2026", "2026", 12),
        ("2026Q3", "2026Q3", 3),
        ("2026-q2", "2026Q2", 3),
        ("2026-05", "2026-05", 1),
    ],
)
def test_period_parsing(text, code, months):
    period = Period.parse(text)
    assert (period.code, period.months) == (code, months)


@pytest.mark.parametrize("text", ["", "2026-13", "26", "2026Q5", "abc"])
def test_period_parsing_refuses(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_tally_kept_by_hold_equals_a_rebuild_from_the_meetings(tree):
    from django.core.management import call_command

    from chuangxian.orglife.models import MeetingTally
    from chuangxian.orglife.services.tally import tally_rebuild

    held(tree.branch_a1, at(2026, 1, 31, 23, 30))  # Shanghai: January
    held(tree.branch_a1, at(2026, 1, 5))
    held(tree.branch_a1, at(2026, 3, 5), meeting_type=MeetingType.GENERAL_MEETING)
    held(tree.group_a1, at(2026, 12, 31, 23, 59), meeting_type=MeetingType.GROUP)
    plan(tree.branch_a1, at(2026, 4, 5))  # planned only: not counted

    def snapshot() -> set[tuple[object, ...]]:
        return set(
            MeetingTally.objects.values_list(
                "organization_id", "year", "meeting_type", "month_mask", "m1", "m3", "m12"
            )
        )

    kept = snapshot()
    assert (tree.branch_a1.pk, 2026, "theme_day", 1, 2, 0, 0) in kept
    assert (tree.group_a1.pk, 2026, "group", 1 << 11, 0, 0, 1) in kept
    assert tally_rebuild(year=2026) == 3
    assert snapshot() == kept
    out = io.StringIO()
    call_command("orglife_tally", year=[2026], stdout=out)
    assert "2026年：3 条统计" in out.getvalue()
    assert snapshot() == kept

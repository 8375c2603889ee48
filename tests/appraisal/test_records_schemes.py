"""Schemes that use the records: the shipped defaults with automatic figures, their rules and
explanation, validation, freezing and copying, and the participation rules of closing."""

import datetime as dt

import pytest
from django.utils import timezone

from chuangxian.appraisal import scoring
from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import (
    Indicator,
    LeafKind,
    Round,
    RoundSubject,
    Scheme,
    SubjectType,
    Tally,
    ThinRule,
)
from chuangxian.appraisal.schemes import (
    IndicatorSpec,
    check_scheme,
    democratic_records_spec,
    democratic_spec,
    five_good_branch_spec,
    secretary_report_spec,
    spec_of,
)
from chuangxian.appraisal.selectors import (
    close_problems,
    explanation_text,
    participation_by_group,
    results_of,
    subject_explanation,
)
from chuangxian.appraisal.services import (
    ballot_submit,
    round_close,
    round_collect,
    round_figures_refresh,
    round_open,
    scheme_create,
    tokens_issue,
)
from chuangxian.appraisal.services.folding import ballots_fold
from chuangxian.appraisal.services.schemes import scheme_copy, scheme_update
from chuangxian.audit.services import SYSTEM
from chuangxian.orglife.models import AttendanceStatus
from tests.appraisal.helpers import democratic_round, mark_sheet, member_subjects
from tests.factories import MemberFactory
from tests.learning.conftest import attend, held_meeting
from tests.learning.test_figures_reminders import credit

pytestmark = pytest.mark.django_db


def _at(month: int) -> dt.datetime:
    return dt.datetime(2026, month, 10, 9, tzinfo=timezone.get_current_timezone())


def test_rule_points() -> None:
    steps = {"kind": "thresholds", "steps": [[0.9, 100], [0.75, 80], [0.6, 60]]}
    cases = [(0.95, 100.0), (0.9, 100.0), (0.8, 80.0), (0.6, 60.0), (0.59, 0.0), (None, None)]
    for value, points in cases:
        assert scoring.rule_points(
            value, rule=steps, floor=None, target=None, higher_is_better=True
        ) == (points)
    lower = {"kind": "thresholds", "steps": [[0, 100], [2, 60]], "missing": 100}
    assert scoring.rule_points(1, rule=lower, floor=None, target=None, higher_is_better=False) == 60
    assert (
        scoring.rule_points(None, rule=lower, floor=None, target=None, higher_is_better=False)
        == 100
    )
    linear = {"kind": "linear"}
    assert (
        scoring.rule_points(0.75, rule=linear, floor=0.5, target=1.0, higher_is_better=True) == 50
    )
    assert "达到90%得100分" in scoring.rule_text(steps, None, None, percent=True)


def test_shipped_schemes_with_records_are_valid_and_documented() -> None:
    for spec in (democratic_records_spec(), five_good_branch_spec(), secretary_report_spec()):
        assert check_scheme(spec) == [], spec.code
        assert "依据" in spec.description
        scheme = scheme_create(actor=SYSTEM, spec=spec)
        automatic = Indicator.objects.filter(scheme=scheme, kind=LeafKind.AUTOMATIC)
        assert automatic.exists()
        assert abs(sum(i.effective_weight for i in scheme.indicators.exclude(kind="")) - 1) < 1e-9
    assert "尚无数据指标" in five_good_branch_spec().description


def test_validation_messages_for_automatic_leaves() -> None:
    spec = five_good_branch_spec()
    mechanism = spec.indicators[2].children[0]
    mechanism.metric = "nowhere.metric"
    performance = spec.indicators[3].children[0]
    performance.metric = "learning.study_progress"  # a member figure in an organization scheme
    coverage = spec.indicators[1].children[0]
    coverage.metric_rule = {"kind": "thresholds", "steps": [[0.5, 60], [0.9, 100]]}
    problems = check_scheme(spec)
    assert "指标“三会一课按期召开”的数据指标“nowhere.metric”不存在（相关模块未安装）" in problems
    assert any("不能用于考评党组织" in p for p in problems)
    assert any("分档应从最好的一档起排列" in p for p in problems)
    with pytest.raises(AppraisalError):
        scheme_create(actor=SYSTEM, spec=spec)
    assert not Scheme.objects.exists()


@pytest.fixture
def records_round(tree):  # type: ignore[no-untyped-def]
    """民主评议 with the records over branch A1: 张三 attends 4/4 and studied 32 h, 李四
    attends 2/4 and studied 8 h; everybody rates, the township administrator too."""
    people = [
        tree.member_a1,
        tree.member_a1g,
        *[MemberFactory(organization=tree.branch_a1) for _ in range(3)],
    ]
    for month in (2, 3, 4, 5):
        meeting = held_meeting(tree.branch_a1, when=_at(month))
        attend(meeting, tree.member_a1)
        absent = AttendanceStatus.PRESENT if month < 4 else AttendanceStatus.ABSENT
        attend(meeting, tree.member_a1g, absent)
    credit(tree.member_a1, dt.date(2026, 3, 1), 32)
    credit(tree.member_a1g, dt.date(2026, 3, 1), 8)
    scheme = scheme_create(actor=SYSTEM, spec=democratic_records_spec())
    round_ = round_open(
        actor=SYSTEM, scheme=scheme, organization=tree.branch_a1, name="2026年民主评议", year=2026
    )
    round_ = round_collect(actor=SYSTEM, round_=round_)
    subjects = member_subjects(round_)
    vote = Indicator.objects.get(scheme=scheme, kind=LeafKind.RATED)
    for rater in people:
        ballot_submit(
            round_=round_,
            sheet={s.pk: {vote.pk: "合格"} for s in subjects.values()},
            rater_member=rater,
        )
    ballot_submit(
        round_=round_,
        sheet={s.pk: {vote.pk: "优秀"} for s in subjects.values()},
        rater_user=tree.town_admin,
    )
    return tree, round_, subjects


def test_figures_are_read_at_collection_scored_and_explained(records_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_, subjects = records_round
    assert round_.figures_at is not None
    zhang, li = subjects[tree.member_a1.pk], subjects[tree.member_a1g.pk]
    attendance = Indicator.objects.get(scheme=round_.scheme, code="attendance")
    assert Tally.objects.get(subject=li, indicator=attendance).auto_points == 0.0  # 50% < 60%
    assert Tally.objects.get(subject=zhang, indicator=attendance).auto_points == 100.0
    round_ = round_close(actor=SYSTEM, round_=round_)
    composite = {r.subject_id: r.composite for r in results_of(round_)}
    assert composite[zhang.pk] > composite[li.pk]
    text = "\n".join(explanation_text(subject_explanation(round_, li)))
    assert "自动计算“组织生活出席率”" in text
    assert "数据来源：组织生活：本年度已召开会议的出席记录" in text
    assert "本对象的记录：已召开会议中应到4次，出席2次，请假0次" in text
    assert "实际值50.0%；分档计分：达到90%得100分" in text and "折合0.00分" in text
    assert "学习台账本年度8.0学时，应完成32学时" in text
    assert "无记录；" in text and "无记录按100分计" in text  # dues: nothing due
    assert "自动计算的数据读取于" in text


def test_refreshing_figures_reads_new_records(records_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_, subjects = records_round
    study = Indicator.objects.get(scheme=round_.scheme, code="study")
    li = subjects[tree.member_a1g.pk]
    assert Tally.objects.get(subject=li, indicator=study).auto_points == 0.0
    credit(tree.member_a1g, dt.date(2026, 6, 1), 16)  # 24 of 32 h: 75% → 50 points
    round_figures_refresh(actor=SYSTEM, round_=round_)
    assert Tally.objects.get(subject=li, indicator=study).auto_points == 50.0
    round_close(actor=SYSTEM, round_=round_)
    with pytest.raises(AppraisalError, match="结算前"):
        round_figures_refresh(actor=SYSTEM, round_=Round.objects.get(pk=round_.pk))


def test_sql_and_python_close_agree_with_automatic_figures(records_round) -> None:  # type: ignore[no-untyped-def]
    from chuangxian.appraisal.closing import compute_results
    from chuangxian.appraisal.models import SubjectResult

    _tree, round_, _subjects = records_round
    ballots_fold(round_.pk)
    compute_results(round_, fast=False)
    python = {
        r.subject_id: (r.composite, r.rank, r.grade)
        for r in SubjectResult.objects.filter(round=round_)
    }
    compute_results(round_, fast=True)
    sql = {
        r.subject_id: (r.composite, r.rank, r.grade)
        for r in SubjectResult.objects.filter(round=round_)
    }
    assert python == sql


def test_thin_participation_from_the_issue_is_refused(tree) -> None:  # type: ignore[no-untyped-def]
    """Closed with 1 member sheet and 1 public sheet, one member got 合格 from his
    self-rating alone and the others 0.00 不合格: now the close is refused and says why."""
    for _ in range(4):
        MemberFactory(organization=tree.branch_a1)
    round_ = democratic_round(tree.branch_a1)
    subjects = member_subjects(round_)
    ballot_submit(
        round_=round_,
        sheet=mark_sheet(round_, {subjects[tree.member_a1.pk]: "合格"}),
        rater_member=tree.member_a1,
    )
    _, tokens = tokens_issue(actor=SYSTEM, round_=round_, organization=tree.branch_a1, count=1)
    ballot_submit(
        round_=round_,
        sheet=mark_sheet(round_, dict.fromkeys(subjects.values(), "合格")),
        token=tokens[0],
    )
    with pytest.raises(AppraisalError) as error:
        round_close(actor=SYSTEM, round_=round_)
    assert "有6个考评对象除本人自评外没有达到最少份数的评价" in str(error.value)
    assert Round.objects.get(pk=round_.pk).status == "collecting"
    ballots_fold(round_.pk)  # what the background fold does every few seconds
    groups = {g.group: g for g in participation_by_group(round_)}
    assert (groups["self"].reaching, groups["self"].subjects) == (1, 6)
    assert (groups["public"].most, groups["public"].min_count, groups["public"].below) == (1, 3, 6)
    assert groups["members"].below == 6 and groups["superior"].below == 6


def test_refuse_rule_refuses_any_group_below_its_minimum(tree) -> None:  # type: ignore[no-untyped-def]
    people = [
        tree.member_a1,
        tree.member_a1g,
        *[MemberFactory(organization=tree.branch_a1) for _ in range(3)],
    ]
    round_ = democratic_round(tree.branch_a1, thin_rule=ThinRule.REFUSE)
    subjects = member_subjects(round_)
    for rater in people:
        sheet = mark_sheet(round_, dict.fromkeys(subjects.values(), "合格"))
        ballot_submit(round_=round_, sheet=sheet, rater_member=rater)
    sheet = mark_sheet(round_, dict.fromkeys(subjects.values(), "合格"))
    ballot_submit(round_=round_, sheet=sheet, rater_user=tree.town_admin)
    ballots_fold(round_.pk)
    problems = close_problems(round_)
    assert problems == [
        "群众评价：有5个考评对象少于最少3份（最少的0份）；本方案规定评价数不足时不能结算"
    ]
    _, tokens = tokens_issue(actor=SYSTEM, round_=round_, organization=tree.branch_a1, count=3)
    for token in tokens:
        sheet = mark_sheet(round_, dict.fromkeys(subjects.values(), "合格"))
        ballot_submit(round_=round_, sheet=sheet, token=token)
    ballots_fold(round_.pk)
    assert close_problems(round_) == []
    assert round_close(actor=SYSTEM, round_=round_).status == "closed"


def test_drop_rule_is_stated_in_the_explanation(tree) -> None:  # type: ignore[no-untyped-def]
    people = [
        tree.member_a1,
        tree.member_a1g,
        *[MemberFactory(organization=tree.branch_a1) for _ in range(3)],
    ]
    round_ = democratic_round(tree.branch_a1)
    subjects = member_subjects(round_)
    for rater in people:
        sheet = mark_sheet(round_, dict.fromkeys(subjects.values(), "合格"))
        ballot_submit(round_=round_, sheet=sheet, rater_member=rater)
    round_ = round_close(actor=SYSTEM, round_=round_)
    text = "\n".join(explanation_text(subject_explanation(round_, subjects[tree.member_a1.pk])))
    assert "群众评价0份，少于最少3份，不计入" in text
    assert "本方案的规则：不足最少份数的评价主体不计入，权重按比例分给其他主体" in text


def test_secretary_report_uses_the_branch_figures(tree) -> None:  # type: ignore[no-untyped-def]
    tree.member_a1.party_post = "书记"
    tree.member_a1.save()
    meeting = held_meeting(tree.branch_a1, when=_at(3))
    attend(meeting, tree.member_a1)
    attend(meeting, tree.member_a1g, AttendanceStatus.ABSENT)
    scheme = scheme_create(actor=SYSTEM, spec=secretary_report_spec())
    round_ = round_open(
        actor=SYSTEM, scheme=scheme, organization=tree.town_a, name="书记述职", year=2026
    )
    round_ = round_collect(actor=SYSTEM, round_=round_)
    subject = RoundSubject.objects.get(round=round_, kind=SubjectType.SECRETARY)
    coverage = Indicator.objects.get(scheme=scheme, code="coverage")
    assert Tally.objects.get(subject=subject, indicator=coverage).auto_value == 0.5


def test_scheme_owned_edit_copy_and_freeze(tree) -> None:  # type: ignore[no-untyped-def]
    shipped = scheme_create(actor=SYSTEM, spec=democratic_spec())
    with pytest.raises(AppraisalError, match="内置方案不能修改"):
        scheme_update(actor=SYSTEM, scheme=shipped, spec=spec_of(shipped))
    mine = scheme_copy(
        actor=SYSTEM, scheme=shipped, owner=tree.town_a, code="town_democratic", name="甲镇民主评议"
    )
    assert mine.owner == tree.town_a and mine.copied_from == shipped
    spec = spec_of(mine)
    spec.indicators = [
        IndicatorSpec(
            code="vote", name="民主测评", weight=70, kind="rated", scale=spec.indicators[0].scale
        ),
        IndicatorSpec(
            code="att",
            name="出席",
            weight=30,
            kind="automatic",
            metric="orglife.attendance_rate",
            metric_floor=0.5,
            metric_target=1.0,
        ),
    ]
    mine = scheme_update(actor=SYSTEM, scheme=mine, spec=spec)
    assert [i.code for i in mine.indicators.order_by("position")] == ["vote", "att"]
    round_open(actor=SYSTEM, scheme=mine, organization=tree.branch_a1, name="试用", year=2026)
    with pytest.raises(AppraisalError, match="已被考评使用"):
        scheme_update(actor=SYSTEM, scheme=mine, spec=spec)

"""The appraisal engine: schemes, rounds, ballots, tokens, closing, overrides, explanation."""

import pytest
from django.db import connection

from chuangxian.appraisal.closing import compute_results
from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import (
    BoxedSheet,
    Participation,
    RoundStatus,
    SubjectResult,
    Tally,
)
from chuangxian.appraisal.schemes import IndicatorSpec, democratic_spec, five_good_spec
from chuangxian.appraisal.selectors import (
    anomaly_flags,
    explanation_text,
    participation_proof,
    results_of,
    subject_explanation,
)
from chuangxian.appraisal.services import (
    ballot_submit,
    grade_override,
    round_close,
    round_publish,
    round_reopen,
    round_review,
    scheme_create,
    schemes_install_defaults,
    subject_veto,
    tokens_issue,
)
from chuangxian.appraisal.services.folding import ballots_fold
from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import SYSTEM
from tests.appraisal.helpers import democratic_round, mark_sheet, member_subjects, stored_marks
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(tree):  # type: ignore[no-untyped-def]
    """Branch A1 with seven full members rating; round over town A."""
    extra = [MemberFactory(organization=tree.branch_a1) for _ in range(5)]
    people = [tree.member_a1, tree.member_a1g, *extra]
    round_ = democratic_round(tree.town_a)
    return tree, round_, people, member_subjects(round_)


def _vote_all(round_, people, subjects, tree, marks=("优秀", "合格", "优秀", "基本合格")):  # type: ignore[no-untyped-def]
    for i, rater in enumerate(people):
        sheet = {subjects[p.pk]: marks[(i + j) % len(marks)] for j, p in enumerate(people)}
        ballot_submit(round_=round_, sheet=mark_sheet(round_, sheet), rater_member=rater)
    ballot_submit(
        round_=round_,
        sheet=mark_sheet(round_, {subjects[p.pk]: "合格" for p in [*people, tree.member_a2]}),
        rater_user=tree.county_admin,
    )


def test_scheme_weights_must_sum_to_100_with_chinese_message() -> None:
    spec = five_good_spec()
    spec.indicators[0].weight = 25
    with pytest.raises(AppraisalError) as error:
        scheme_create(actor=SYSTEM, spec=spec)
    assert "一级指标的权重之和应为100，现为105" in str(error.value)
    spec = democratic_spec()
    spec.indicators = [
        IndicatorSpec(
            code="a",
            name="甲",
            weight=100,
            children=[
                IndicatorSpec(
                    code="b",
                    name="乙",
                    weight=60,
                    kind="rated",
                    scale={"kind": "points", "min": 0, "max": 10},
                ),
                IndicatorSpec(
                    code="c",
                    name="丙",
                    weight=30,
                    kind="rated",
                    scale={"kind": "points", "min": 0, "max": 10},
                ),
            ],
        )
    ]
    with pytest.raises(AppraisalError) as error:
        scheme_create(actor=SYSTEM, spec=spec)
    assert "“甲”的下级指标的权重之和应为100，现为90" in str(error.value)
    from chuangxian.appraisal.models import Scheme

    assert not Scheme.objects.exists()


def test_defaults_install_once() -> None:
    first = schemes_install_defaults(actor=SYSTEM)
    again = schemes_install_defaults(actor=SYSTEM)
    assert [s.pk for s in first] == [s.pk for s in again]
    assert {s.code for s in first} == {
        "democratic_records",
        "five_good_branch",
        "secretary_report",
        "five_good",
        "five_lead",
        "democratic",
    }


def test_round_flow_close_override_publish_reopen(branch) -> None:  # type: ignore[no-untyped-def]
    tree, round_, people, subjects = branch
    _vote_all(round_, people, subjects, tree)
    with pytest.raises(AppraisalError, match="不能转为"):
        round_review(actor=SYSTEM, round_=round_)
    round_ = round_close(actor=SYSTEM, round_=round_)
    assert round_.status == RoundStatus.CLOSED
    results = list(results_of(round_).filter(peer_key=tree.branch_a1.pk * 2))
    assert sorted(r.rank for r in results) == list(range(1, 8))
    assert sum(r.grade == "优秀" for r in results) <= 7 // 3
    # 不以票取人: a change needs a reason, respects the quota, is audited.
    target = next(r for r in results if r.grade == "合格")
    with pytest.raises(AppraisalError, match="理由"):
        grade_override(
            actor=SYSTEM, round_=round_, subject=target.subject, grade="基本合格", reason=""
        )
    if sum(r.grade == "优秀" for r in results) == 2:
        with pytest.raises(AppraisalError, match="名额已满"):
            grade_override(
                actor=SYSTEM,
                round_=round_,
                subject=target.subject,
                grade="优秀",
                reason="表现突出有事迹",
            )
    changed = grade_override(
        actor=SYSTEM,
        round_=round_,
        subject=target.subject,
        grade="基本合格",
        reason="经支部研究决定",
    )
    assert changed.proposed_grade == "合格" and changed.grade == "基本合格"
    assert AuditEvent.objects.filter(
        object_type="appraisal_result", reason="经支部研究决定"
    ).exists()
    round_ = round_review(actor=SYSTEM, round_=round_)
    round_ = round_publish(actor=SYSTEM, round_=round_)
    assert round_.published_version == 1
    with pytest.raises(AppraisalError):
        round_reopen(actor=SYSTEM, round_=round_, reason="")
    round_ = round_reopen(actor=SYSTEM, round_=round_, reason="发现漏评党员，重新测评")
    assert round_.status == RoundStatus.COLLECTING and round_.version == 2
    round_ = round_close(actor=SYSTEM, round_=round_)
    # The published snapshot (version 1) is untouched; version 2 is fresh.
    assert (
        SubjectResult.objects.get(round=round_, version=1, subject=target.subject).grade
        == "基本合格"
    )
    assert (
        SubjectResult.objects.get(round=round_, version=2, subject=target.subject).grade == "合格"
    )
    assert results_of(round_).first().version == 1  # published wins until republished
    assert AuditEvent.objects.filter(reason="发现漏评党员，重新测评").exists()


def test_one_sheet_per_rater_and_token(branch) -> None:  # type: ignore[no-untyped-def]
    tree, round_, _people, subjects = branch
    sheet = mark_sheet(round_, {subjects[tree.member_a1.pk]: "优秀"})
    ballot_submit(round_=round_, sheet=sheet, rater_member=tree.member_a1)
    with pytest.raises(AppraisalError, match="只能提交一次"):
        ballot_submit(round_=round_, sheet=sheet, rater_member=tree.member_a1)
    _, tokens = tokens_issue(actor=SYSTEM, round_=round_, organization=tree.branch_a1, count=2)
    ballot_submit(round_=round_, sheet=sheet, token=tokens[0])
    with pytest.raises(AppraisalError, match="已使用"):
        ballot_submit(round_=round_, sheet=sheet, token=tokens[0])
    with pytest.raises(AppraisalError, match="无效"):
        ballot_submit(round_=round_, sheet=sheet, token="made-up")
    # A token of another round does not work here.
    other = democratic_round(tree.town_a, code="democratic2")
    other_subjects = member_subjects(other)
    with pytest.raises(AppraisalError, match="不属于本轮"):
        ballot_submit(
            round_=other,
            sheet=mark_sheet(other, {other_subjects[tree.member_a1.pk]: "合格"}),
            token=tokens[1],
        )
    assert BoxedSheet.objects.filter(round=round_).count() == 2
    assert ballots_fold(round_.pk) == 2
    tally = Tally.objects.get(round=round_, subject=subjects[tree.member_a1.pk])
    assert (tally.n_self, tally.n_public, tally.n_members) == (1, 1, 0)
    assert participation_proof(round_).matches


def test_scope_of_raters(branch) -> None:  # type: ignore[no-untyped-def]
    tree, round_, _people, subjects = branch
    with pytest.raises(AppraisalError, match="本支部"):
        ballot_submit(
            round_=round_,
            sheet=mark_sheet(round_, {subjects[tree.member_a2.pk]: "合格"}),
            rater_member=tree.member_a1,
        )
    with pytest.raises(AppraisalError, match="上级"):
        ballot_submit(
            round_=round_,
            sheet=mark_sheet(round_, {subjects[tree.member_a1.pk]: "合格"}),
            rater_user=tree.outsider,
        )
    with pytest.raises(AppraisalError, match="评分标准"):
        ballot_submit(
            round_=round_,
            sheet=mark_sheet(round_, {subjects[tree.member_a1.pk]: "很好"}),
            rater_member=tree.member_a1,
        )
    assert not BoxedSheet.objects.exists() and not Participation.objects.exists()


def test_veto_renormalization_and_explanation(branch) -> None:  # type: ignore[no-untyped-def]
    tree, round_, people, subjects = branch
    subject_veto(
        actor=SYSTEM,
        round_=round_,
        subject=subjects[tree.member_a1g.pk],
        reason="违反廉洁纪律受处分",
    )
    _vote_all(round_, people, subjects, tree)
    round_ = round_close(actor=SYSTEM, round_=round_)
    vetoed = results_of(round_).get(subject=subjects[tree.member_a1g.pk])
    assert vetoed.grade == "不合格" and vetoed.rank == 7 and vetoed.direct
    result = results_of(round_).get(subject=subjects[tree.member_a1.pk])
    assert result.renormalized  # no public ratings: its 20% spread over the others
    text = "\n".join(explanation_text(subject_explanation(round_, subjects[tree.member_a1.pk])))
    assert "群众评价0份，少于最少3份，不计入" in text
    assert "重新分配" in text and "名额" in text and "排第" in text
    veto_text = "\n".join(
        explanation_text(subject_explanation(round_, subjects[tree.member_a1g.pk]))
    )
    assert "违反廉洁纪律受处分" in veto_text


def test_sql_and_python_paths_agree(branch) -> None:  # type: ignore[no-untyped-def]
    tree, round_, people, subjects = branch
    _vote_all(round_, people, subjects, tree)
    ballots_fold(round_.pk)
    compute_results(round_, fast=False)
    python = {
        r.subject_id: (r.composite, r.rank, r.grade, r.tier, r.renormalized)
        for r in SubjectResult.objects.filter(round=round_)
    }
    compute_results(round_, fast=True)
    sql = {
        r.subject_id: (r.composite, r.rank, r.grade, r.tier, r.renormalized)
        for r in SubjectResult.objects.filter(round=round_)
    }
    assert python == sql, connection.vendor


def test_anomaly_flags(branch, settings) -> None:  # type: ignore[no-untyped-def]
    tree, round_, people, subjects = branch
    _, tokens = tokens_issue(actor=SYSTEM, round_=round_, organization=tree.branch_a1, count=4)
    import datetime as dt

    sheet = mark_sheet(round_, {subjects[p.pk]: "优秀" for p in people})
    for token in tokens[:3]:
        ballot_submit(
            round_=round_,
            sheet=sheet,
            token=token,
            address="10.0.0.9",
            today=dt.date.today() + dt.timedelta(days=30),
        )
    kinds = {flag.kind for flag in anomaly_flags(round_)}
    assert {"identical_sheets", "late_tokens"} <= kinds
    from chuangxian.appraisal.services import ballots

    settings_limit = ballots.BURST_LIMIT
    ballots.BURST_LIMIT = 3
    try:
        with pytest.raises(AppraisalError, match="频繁"):
            ballot_submit(round_=round_, sheet=sheet, token=tokens[3], address="10.0.0.9")
    finally:
        ballots.BURST_LIMIT = settings_limit
    assert ballots_fold(round_.pk) == 3
    assert sum(stored_marks(round_.pk).values()) == 3 * len(people)

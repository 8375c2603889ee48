"""The points ledger: accrual from records (idempotent, capped, corrections as reversals),
rule overrides down the tree, 一票否决, manual claims with approval, the appraisal metric."""

import datetime as dt
from decimal import Decimal

import pytest

from chuangxian.appraisal.metrics import Period, compute_metric
from chuangxian.audit.services import SYSTEM, Actor
from chuangxian.honors import ledger
from chuangxian.honors.catalogue import effective_rules
from chuangxian.honors.errors import HonorsError
from chuangxian.honors.models import (
    AppendOnlyError,
    Approver,
    Bucket,
    ClaimStatus,
    PointEntry,
    PointSource,
)
from chuangxian.honors.services import points
from chuangxian.orglife.models import AttendanceStatus
from tests.learning.conftest import at, attend, held_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(tree):  # type: ignore[no-untyped-def]
    points.rules_seed_defaults(actor=SYSTEM, organization=tree.county)
    return effective_rules(tree.county)


def _meetings(org, member, months, per_month=1):  # type: ignore[no-untyped-def]
    made = []
    for month in months:
        for day in range(per_month):
            meeting = held_meeting(org, "committee", at(2026, month, 3 + day))
            attend(meeting, member)
            made.append(meeting)
    return made


def test_accrual_from_attendance_capped_per_month_and_idempotent(tree, catalogue):
    _meetings(tree.branch_a1, tree.member_a1, [1], per_month=4)  # 4 × 2 = 8, capped at 6
    _meetings(tree.branch_a1, tree.member_a1, [2])
    first = points.points_accrue(actor=SYSTEM, root=tree.county, year=2026)
    assert first.posted == 2
    entries = {e.record_key: e for e in PointEntry.objects.filter(member=tree.member_a1)}
    assert entries["attendance:2026-01"].points == Decimal("6.0")
    assert "封顶 6.0 分" in entries["attendance:2026-01"].detail
    assert entries["attendance:2026-02"].points == Decimal("2.0")
    assert ledger.member_year_total(tree.member_a1.pk, 2026) == Decimal("8.0")
    again = points.points_accrue(actor=SYSTEM, root=tree.county, year=2026)
    assert (again.posted, again.reversed) == (0, 0)
    assert PointEntry.objects.count() == 2


def test_changed_records_are_corrected_by_reversal(tree, catalogue):
    meetings = _meetings(tree.branch_a1, tree.member_a1, [3], per_month=2)
    points.points_accrue(actor=SYSTEM, root=tree.county, year=2026)
    assert ledger.member_year_total(tree.member_a1.pk, 2026) == Decimal("4.0")
    row = meetings[0].attendances.get()
    row.status = AttendanceStatus.ABSENT
    row.save()
    result = points.points_accrue(actor=SYSTEM, root=tree.county, year=2026)
    assert (result.posted, result.reversed) == (1, 1)
    assert ledger.member_year_total(tree.member_a1.pk, 2026) == Decimal("2.0")
    reversal = PointEntry.objects.get(reverses__isnull=False)
    assert reversal.points == Decimal("-4.0")
    assert PointEntry.objects.count() == 3  # nothing updated or deleted


def test_ledger_refuses_updates_and_deletes(tree, catalogue):
    _meetings(tree.branch_a1, tree.member_a1, [1])
    points.points_accrue(actor=SYSTEM, root=tree.county, year=2026)
    entry = PointEntry.objects.get()
    entry.points = Decimal("100")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_lower_rule_overrides_and_can_switch_off(tree, catalogue):
    _meetings(tree.branch_a1, tree.member_a1, [1])
    _meetings(tree.branch_a2, tree.member_a2, [1])
    points.rule_save(
        actor=SYSTEM,
        organization=tree.branch_a2,
        values=points.RuleValues(
            code="attendance",
            name="参加组织生活",
            source=PointSource.ATTENDANCE,
            points=Decimal("3"),
            bucket=Bucket.BASE,
        ),
    )
    points.points_accrue(actor=SYSTEM, root=tree.county, year=2026)
    assert ledger.member_year_total(tree.member_a1.pk, 2026) == Decimal("2.0")
    assert ledger.member_year_total(tree.member_a2.pk, 2026) == Decimal("3.0")
    points.rule_save(
        actor=SYSTEM,
        organization=tree.branch_a2,
        values=points.RuleValues(
            code="attendance",
            name="参加组织生活",
            source=PointSource.ATTENDANCE,
            points=Decimal("3"),
            bucket=Bucket.BASE,
            active=False,
        ),
    )
    points.points_accrue(actor=SYSTEM, root=tree.county, year=2026)
    assert ledger.member_year_total(tree.member_a2.pk, 2026) == Decimal("0.0")


def test_study_dues_and_award_sources(tree, catalogue):
    from chuangxian.learning.models import StudyRecord, StudySource

    StudyRecord.objects.create(
        member=tree.member_a1,
        source=StudySource.values[0],
        day=dt.date(2026, 3, 1),
        hours=Decimal("40"),
        title="集中培训",
    )
    points.points_accrue(actor=SYSTEM, root=tree.county, year=2026)
    keys = set(
        PointEntry.objects.filter(member=tree.member_a1).values_list("record_key", flat=True)
    )
    assert "study:2026" in keys


def _claim(tree, code, amount, member=None, evidence=None):  # type: ignore[no-untyped-def]
    member = member or tree.member_a1
    rule = effective_rules(member.organization)[code]
    return points.claim_submit(
        actor=Actor(user=tree.member_user),
        member=member,
        rule=rule,
        occurred_on=dt.date(2026, 5, 1),
        description="防汛值守",
        points=Decimal(amount),
        evidence=evidence,
        today=dt.date(2026, 6, 1),
    )


def test_claim_needs_evidence_and_superior_above_threshold(tree, catalogue):
    from chuangxian.uploads.safety import CleanFile

    with pytest.raises(HonorsError, match="佐证"):
        _claim(tree, "urgent_task", "5")
    proof = CleanFile(
        name="proof.pdf", content=b"%PDF-1.4 proof", content_type="application/pdf", is_image=False
    )
    small = _claim(tree, "urgent_task", "4", evidence=proof)
    small = points.claim_decide(actor=Actor(user=tree.secretary), claim=small, approve=True)
    assert small.status == ClaimStatus.APPROVED
    big = _claim(tree, "urgent_task", "5", evidence=proof)
    assert big.needs_superior is False  # threshold 5: only above it
    big_rule = effective_rules(tree.branch_a1)["urgent_task"]
    assert big_rule.approver == Approver.BRANCH
    bigger = points.claim_submit(
        actor=SYSTEM,
        member=tree.member_a1,
        rule=effective_rules(tree.branch_a1)["volunteer"],
        occurred_on=dt.date(2026, 5, 2),
        description="志愿服务",
        points=Decimal("2"),
        evidence=proof,
        today=dt.date(2026, 6, 1),
    )
    assert bigger.status == ClaimStatus.SUBMITTED
    with pytest.raises(HonorsError, match="分值应在"):
        _claim(tree, "urgent_task", "6", evidence=proof)
    violation = _claim(tree, "violation", "5")
    secretary, town = Actor(user=tree.secretary), Actor(user=tree.town_admin)
    violation = points.claim_decide(actor=secretary, claim=violation, approve=True)
    assert violation.status == ClaimStatus.BRANCH_APPROVED  # the superior decides
    violation = points.claim_decide(actor=town, claim=violation, approve=True)
    assert violation.status == ClaimStatus.APPROVED
    assert ledger.member_year_total(tree.member_a1.pk, 2026) == Decimal("-1.0")  # 4 − 5


def test_veto_zeroes_the_year_and_its_reversal_restores(tree, catalogue):
    _meetings(tree.branch_a1, tree.member_a1, [1])
    points.points_accrue(actor=SYSTEM, root=tree.county, year=2026)
    claim = _claim(tree, "veto", "0")
    claim = points.claim_decide(actor=Actor(user=tree.secretary), claim=claim, approve=True)
    claim = points.claim_decide(actor=Actor(user=tree.town_admin), claim=claim, approve=True)
    assert ledger.member_year_total(tree.member_a1.pk, 2026) == Decimal("0.0")
    assert ledger.member_totals([tree.member_a1.pk], 2026)[tree.member_a1.pk] == 0
    veto = PointEntry.objects.get(veto=True)
    points.entry_reverse(actor=SYSTEM, entry=veto, reason="处分已撤销")
    assert ledger.member_year_total(tree.member_a1.pk, 2026) == Decimal("2.0")
    with pytest.raises(HonorsError, match="已被冲销"):
        points.entry_reverse(actor=SYSTEM, entry=veto, reason="再次")


def test_rejection_needs_a_reason(tree, catalogue):
    claim = _claim(tree, "violation", "5")
    with pytest.raises(HonorsError, match="理由"):
        points.claim_decide(actor=SYSTEM, claim=claim, approve=False)
    claim = points.claim_decide(actor=SYSTEM, claim=claim, approve=False, reason="不属实")
    assert claim.status == ClaimStatus.REJECTED
    assert not PointEntry.objects.exists()


def test_points_total_is_an_appraisal_metric(tree, catalogue):
    _meetings(tree.branch_a1, tree.member_a1, [1, 2])
    points.points_accrue(actor=SYSTEM, root=tree.county, year=2026)
    values = compute_metric(
        "honors.points_total", [tree.member_a1.pk, tree.member_a2.pk], Period.of_year(2026)
    )
    assert values == {tree.member_a1.pk: 4.0, tree.member_a2.pk: 0.0}
    orgs = compute_metric(
        "honors.organization_points_average", [tree.branch_a1.pk], Period.of_year(2026)
    )
    assert orgs == {tree.branch_a1.pk: 4.0}

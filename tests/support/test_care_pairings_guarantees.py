"""Members in hardship and care visits, pairings with joint activities, guarantees checklists."""

import datetime as dt
from decimal import Decimal

import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.orgs.models import Sector
from chuangxian.support.errors import SupportError
from chuangxian.support.models import PairingKind
from chuangxian.support.selectors import care_coverage, checklist_overview
from chuangxian.support.services.care import care_visit_record, hardship_end, hardship_record
from chuangxian.support.services.guarantees import checklist_set
from chuangxian.support.services.pairings import joint_activity_record, pairing_create
from tests.factories import make_org
from tests.support.conftest import ACTOR

pytestmark = pytest.mark.django_db


def test_hardship_details_are_masked_in_the_audit(tree, today):
    hardship = hardship_record(
        actor=ACTOR,
        member=tree.member_a1,
        kind="illness",
        details="患尿毒症，每周透析三次",
        recorded_on=today,
        today=today,
    )
    event = AuditEvent.objects.get(object_type="hardship", object_id=str(hardship.pk))
    assert "透析" not in str(event.changes)
    with pytest.raises(SupportError, match="已登记为困难党员"):
        hardship_record(
            actor=ACTOR,
            member=tree.member_a1,
            kind="income",
            details="再次",
            recorded_on=today,
            today=today,
        )


def test_yearly_coverage(tree, today):
    first = hardship_record(
        actor=ACTOR,
        member=tree.member_a1,
        kind="elderly",
        details="独居",
        recorded_on=today,
        today=today,
    )
    hardship_record(
        actor=ACTOR,
        member=tree.member_a1g,
        kind="income",
        details="失业",
        recorded_on=today,
        today=today,
    )
    care_visit_record(
        actor=ACTOR,
        hardship=first,
        visited_on=today,
        visitors="镇党委书记",
        given="慰问金、米、油",
        amount=Decimal("500"),
        today=today,
    )
    rows = care_coverage(tree.county_admin, tree.county, today.year)
    by_code = {row.organization.code: row for row in rows}
    assert (by_code["A1"].in_hardship, by_code["A1"].visited, by_code["A1"].percent) == (1, 1, 100)
    assert (by_code["A1G1"].in_hardship, by_code["A1G1"].visited) == (1, 0)
    # The outsider township sees nothing of it.
    assert care_coverage(tree.outsider, tree.town_b, today.year) == []


def test_care_visit_and_end_checks(tree, today):
    hardship = hardship_record(
        actor=ACTOR,
        member=tree.member_a2,
        kind="disaster",
        details="房屋受损",
        recorded_on=today,
        today=today,
    )
    with pytest.raises(SupportError) as refused:
        care_visit_record(
            actor=ACTOR,
            hardship=hardship,
            visited_on=today + dt.timedelta(days=1),
            visitors="",
            given="",
            amount=Decimal("-1"),
            today=today,
        )
    assert set(refused.value.message_dict) == {"visitors", "given", "amount", "visited_on"}
    hardship_end(actor=ACTOR, hardship=hardship, ended_on=today, today=today)
    with pytest.raises(SupportError, match="已解除"):
        hardship_end(actor=ACTOR, hardship=hardship, ended_on=today, today=today)


def test_pairing_listed_on_both_sides_with_activities(tree, today):
    organ = make_org("JG1", parent=tree.county, sector=Sector.ORGAN, name="县财政局机关党支部")
    pairing = pairing_create(
        actor=ACTOR,
        kind=PairingKind.PAIRED,
        first=organ,
        second=tree.branch_b1,
        leader="",
        purpose="共建党员活动室",
        started_on=today - dt.timedelta(days=60),
    )
    activity = joint_activity_record(
        actor=ACTOR,
        pairing=pairing,
        held_on=today,
        title="联合主题党日",
        result="修缮活动室",
        today=today,
    )
    assert activity.pairing == pairing
    # One audit row for each side, so each side's administrator sees it in their trail.
    paths = set(AuditEvent.objects.filter(object_type="pairing").values_list("org_path", flat=True))
    assert paths == {organ.path, tree.branch_b1.path}
    from chuangxian.support.access import pairings_for

    assert list(pairings_for(tree.outsider)) == [pairing]
    assert list(pairings_for(tree.town_admin)) == []
    with pytest.raises(SupportError, match="联点领导"):
        pairing_create(
            actor=ACTOR,
            kind=PairingKind.CONTACT,
            first=organ,
            second=tree.branch_a1,
            leader="",
            purpose="联点",
            started_on=today,
        )


def test_checklist_overview_lists_what_is_missing(tree, today):
    community = make_org("A3", parent=tree.town_a, sector=Sector.COMMUNITY, name="甲镇社区党支部")
    checklist_set(
        actor=ACTOR, organization=tree.branch_a1, item="fixed_pay", met=True, note="", today=today
    )
    checklist_set(
        actor=ACTOR,
        organization=tree.branch_a1,
        item="pension",
        met=False,
        note="尚未参保",
        today=today,
    )
    with pytest.raises(SupportError, match="不适用"):
        checklist_set(
            actor=ACTOR, organization=tree.branch_a1, item="venue", met=True, note="", today=today
        )
    rows = {
        (r.organization.code, r.checklist): r
        for r in checklist_overview(tree.town_admin, tree.town_a)
    }
    a1 = rows[("A1", "一定三有")]
    assert a1.missing == ["有养老保险"]
    assert "有医疗保险" in a1.unrecorded
    assert ("A3", "四有一化") in rows
    assert community.pk == rows[("A3", "四有一化")].organization.pk

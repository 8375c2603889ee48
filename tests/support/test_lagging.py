"""Which organizations are lagging, and why: from the records, by hand, and the registry."""

import datetime as dt

import pytest

from chuangxian.orgs.models import Organization
from chuangxian.support import lagging
from chuangxian.support.errors import SupportError
from chuangxian.support.services.plans import lagging_clear, lagging_mark
from tests.support.conftest import ACTOR, closed_round, held_meeting

pytestmark = pytest.mark.django_db


def _reasons(tree, today):  # type: ignore[no-untyped-def]
    found = lagging.lagging_among(Organization.objects.all(), today)
    return {row.organization.code: [r.code for r in row.reasons] for row in found}


def _active_branches(tree, today):  # type: ignore[no-untyped-def]
    for branch in (tree.branch_a1, tree.branch_a2, tree.branch_b1):
        held_meeting(branch, today - dt.timedelta(days=30))


def test_no_meeting_for_a_year_names_the_last_one(tree, today):
    _active_branches(tree, today)
    held_meeting(tree.branch_a2, today - dt.timedelta(days=400))
    tree.branch_a2.meetings.filter(held_start__date__gte=today - dt.timedelta(days=365)).delete()
    found = lagging.lagging_among(Organization.objects.all(), today)
    assert [row.organization.code for row in found] == ["A2"]
    text = found[0].reasons[0].text
    assert "近一年未召开任何会议" in text
    assert (today - dt.timedelta(days=400)).isoformat() in text


def test_a_branch_never_meeting_is_lagging_but_a_new_one_is_not(tree, today):
    _active_branches(tree, today)
    tree.branch_b1.meetings.all().delete()
    assert _reasons(tree, today) == {"B1": ["no_meeting"]}
    tree.branch_b1.established_on = today - dt.timedelta(days=100)
    tree.branch_b1.save()
    assert _reasons(tree, today) == {}


def test_term_overdue(tree, today):
    _active_branches(tree, today)
    tree.town_b.term_ends_on = today - dt.timedelta(days=1)
    tree.town_b.save()
    assert _reasons(tree, today) == {"B": ["term_overdue"]}


def test_lowest_tier_of_the_latest_closed_round(tree, today):
    _active_branches(tree, today)
    closed_round(tree.town_a, {tree.branch_a1: "五星", tree.branch_a2: "二星"}, year=2024)
    assert _reasons(tree, today) == {"A2": ["appraisal_tier"]}
    # A later round lifts it: only the latest closed round counts.
    closed_round(tree.town_a, {tree.branch_a1: "二星", tree.branch_a2: "三星"}, year=2025)
    reasons = lagging.lagging_among(Organization.objects.all(), today)
    assert [row.organization.code for row in reasons] == ["A1"]
    assert "2025年度党组织考评" in reasons[0].reasons[0].text


def test_manual_mark_and_clear(tree, today):
    _active_branches(tree, today)
    mark = lagging_mark(actor=ACTOR, organization=tree.branch_a1, reason="班子不团结，群众反映强烈")
    assert _reasons(tree, today) == {"A1": ["manual"]}
    with pytest.raises(SupportError, match="已被认定为后进"):
        lagging_mark(actor=ACTOR, organization=tree.branch_a1, reason="再次认定")
    with pytest.raises(SupportError):
        lagging_clear(actor=ACTOR, mark=mark, reason="  ")
    lagging_clear(actor=ACTOR, mark=mark, reason="经核实已整改")
    assert _reasons(tree, today) == {}


def test_mark_needs_a_reason(tree):
    with pytest.raises(SupportError) as refused:
        lagging_mark(actor=ACTOR, organization=tree.branch_a1, reason="")
    assert refused.value.message_dict == {"reason": ["请填写认定原因"]}


def test_a_registered_condition_is_read(tree, today):
    _active_branches(tree, today)

    def low_satisfaction(orgs, day):  # type: ignore[no-untyped-def]
        return {org.pk: "群众满意度45%（低于50%）" for org in orgs if org.code == "B1"}

    lagging.register("test_satisfaction", "群众满意度低于50%")(low_satisfaction)
    try:
        assert _reasons(tree, today) == {"B1": ["test_satisfaction"]}
    finally:
        lagging._conditions.pop("test_satisfaction")


def test_queries_do_not_grow_with_the_organizations(tree, today, django_assert_max_num_queries):
    _active_branches(tree, today)
    closed_round(
        tree.county,
        {
            tree.branch_a1: "五星",
            tree.branch_a2: "三星",
            tree.branch_b1: "二星",
            tree.town_a: "二星",
        },
    )
    with django_assert_max_num_queries(6):
        lagging.lagging_among(Organization.objects.all(), today)

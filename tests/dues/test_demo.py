"""The demo township's dues: every member assessed, a year of payments, a few in arrears."""

import random

import pytest

from chuangxian.demo.services import demo_seed
from chuangxian.dues.checks import Level, check_members
from chuangxian.dues.demo import seed_demo_dues
from chuangxian.dues.ledger import subtree_statement
from chuangxian.dues.models import DuesSetting, Payment
from chuangxian.dues.months import add_months, month_of
from chuangxian.orgs.models import Member, MemberStatus, Organization
from tests.dues.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_demo_dues_on_a_seeded_township() -> None:
    demo_seed(members=150, seed=7, today=TODAY)
    root = Organization.objects.get(depth=0)
    seed_demo_dues(root=root, today=TODAY, rng=random.Random(7))
    active = Member.objects.filter(status=MemberStatus.ACTIVE)
    assessed = set(DuesSetting.objects.values_list("member_id", flat=True))
    assert assessed == set(active.values_list("pk", flat=True))
    categories = set(DuesSetting.objects.values_list("category", flat=True))
    assert {"employed", "retired", "farmer"} <= categories
    assert Payment.objects.count() > 150
    last_month = add_months(month_of(TODAY), -1)
    totals = subtree_statement(root, last_month, today=TODAY).totals[root.pk]
    assert totals.members == active.count()
    assert 0 < totals.unpaid_members < totals.owing * 0.15
    assert totals.paid > 0
    levels = [c.dues.level for c in check_members(root_q(root), today=TODAY)]
    assert any(level >= Level.WARNING for level in levels)


def root_q(root):  # type: ignore[no-untyped-def]
    from django.db.models import Q

    return Q(organization__path__startswith=root.path)

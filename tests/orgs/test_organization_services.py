import datetime as dt

import pytest

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.orgs.models import Organization, OrgKind, Sector
from chuangxian.orgs.selectors import rolled_up_member_counts
from chuangxian.orgs.services.errors import RosterError
from chuangxian.orgs.services.organizations import (
    OrganizationValues,
    organization_create,
    organization_move,
    organization_update,
)
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def org_values(code, kind=OrgKind.BRANCH, **kw):
    return OrganizationValues(code=code, name=f"{code}支部", kind=kind, sector=Sector.RURAL, **kw)


def test_create_sets_path_and_audits(tree):
    actor = Actor(user=tree.town_admin, ip_address="10.0.0.8")
    org = organization_create(actor=actor, values=org_values("A3"), parent=tree.town_a, today=TODAY)
    assert org.path == f"{tree.town_a.path}{org.pk}/"
    assert org.depth == tree.town_a.depth + 1
    event = AuditEvent.objects.get(object_type="organization", object_id=str(org.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor == tree.town_admin
    assert event.ip_address == "10.0.0.8"
    assert event.changes["code"] == [None, "A3"]
    assert event.org_path == org.path


def test_create_reports_every_problem_and_writes_nothing(tree):
    before = Organization.objects.count()
    bad = OrganizationValues(
        code="A1", name="", kind="党小组", sector="火星", established_on=dt.date(2030, 1, 1)
    )
    with pytest.raises(RosterError) as caught:
        organization_create(actor=Actor(), values=bad, parent=tree.town_a, today=TODAY)
    fields = set(caught.value.message_dict)
    assert {"name", "sector", "established_on", "kind"} <= fields
    assert Organization.objects.count() == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("kind", "parent", "message"),
    [
        (OrgKind.GROUP, "town_a", "党小组只能设在党支部之下"),
        (OrgKind.BRANCH, "group_a1", "党小组之下不能再设组织"),
        (OrgKind.COMMITTEE, "branch_a1", "党支部之下不能设党委"),
    ],
)
def test_kind_placement(tree, kind, parent, message):
    with pytest.raises(RosterError, match=message):
        organization_create(
            actor=Actor(),
            values=org_values("X", kind=kind),
            parent=getattr(tree, parent),
            today=TODAY,
        )


def test_duplicate_code_refused(tree):
    with pytest.raises(RosterError, match="该组织编码已存在"):
        organization_create(actor=Actor(), values=org_values("B1"), parent=tree.town_a, today=TODAY)


def test_move_rewrites_the_whole_subtree(tree):
    organization_move(
        actor=Actor(user=tree.county_admin), org=tree.branch_a1, new_parent=tree.town_b
    )
    branch = Organization.objects.get(pk=tree.branch_a1.pk)
    group = Organization.objects.get(pk=tree.group_a1.pk)
    assert branch.parent == tree.town_b
    assert branch.path == f"{tree.town_b.path}{branch.pk}/"
    assert group.path == f"{branch.path}{group.pk}/"
    assert group.depth == branch.depth + 1
    # Every node's path is its parent's path plus its own id.
    for org in Organization.objects.exclude(parent=None).select_related("parent"):
        assert org.path == f"{org.parent.path}{org.pk}/"
    event = AuditEvent.objects.get(action=AuditAction.MOVE)
    assert event.changes["parent"] == ["A", "B"]


def test_move_refuses_cycles_and_changes_nothing(tree):
    paths = dict(Organization.objects.values_list("pk", "path"))
    with pytest.raises(RosterError, match="不能把组织调整到它自己或它的下级之下"):
        organization_move(actor=Actor(), org=tree.town_a, new_parent=tree.branch_a1)
    with pytest.raises(RosterError, match="不能把组织调整到它自己"):
        organization_move(actor=Actor(), org=tree.town_a, new_parent=tree.town_a)
    assert dict(Organization.objects.values_list("pk", "path")) == paths


def test_move_refuses_group_under_committee(tree):
    with pytest.raises(RosterError, match="党小组只能设在党支部之下"):
        organization_move(actor=Actor(), org=tree.group_a1, new_parent=tree.town_b)


def test_update_refuses_kind_that_breaks_children(tree):
    values = org_values("A1", kind=OrgKind.GENERAL_BRANCH)
    with pytest.raises(RosterError, match="下级有党小组"):
        organization_update(actor=Actor(), org=tree.branch_a1, values=values, today=TODAY)


def test_update_audits_only_changes(tree):
    values = org_values("A1", term_started_on=dt.date(2021, 6, 1), term_ends_on=dt.date(2026, 6, 1))
    values.name = tree.branch_a1.name
    organization_update(actor=Actor(), org=tree.branch_a1, values=values, today=TODAY)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert set(event.changes) == {"term_started_on", "term_ends_on"}
    assert tree.branch_a1.term_status(TODAY) == "overdue"
    organization_update(actor=Actor(), org=tree.branch_a1, values=values, today=TODAY)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1


def test_member_counts_roll_up(tree):
    MemberFactory.create_batch(3, organization=tree.group_a1)
    MemberFactory(organization=tree.branch_a1, status="去世")
    counts = rolled_up_member_counts([tree.county, tree.town_a, tree.town_b, tree.branch_a1])
    assert counts[tree.branch_a1.pk] == 5  # 张三, 李四 and three more in its 党小组
    assert counts[tree.town_a.pk] == 6
    assert counts[tree.town_b.pk] == 1
    assert counts[tree.county.pk] == 7


def test_term_status_boundaries(tree):
    org = tree.branch_a1
    assert org.term_status(TODAY) == "unknown"
    org.term_ends_on = TODAY + dt.timedelta(days=90)
    assert org.term_status(TODAY) == "due_soon"
    org.term_ends_on = TODAY + dt.timedelta(days=91)
    assert org.term_status(TODAY) == "current"
    org.term_ends_on = TODAY - dt.timedelta(days=1)
    assert org.term_status(TODAY) == "overdue"

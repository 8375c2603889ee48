"""The permission matrix: who sees which organization and member, for every role and relation.

Rows are the viewer's relation to the object: owner (administers or works in it), superior
(administers an ancestor), sibling (same parent, other branch), outsider (other subtree),
anonymous. Each cell is asserted both through the list querysets and through the single-object
access functions, which must answer 404 exactly as for a missing object."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from chuangxian.orgs import access

pytestmark = pytest.mark.django_db

ORG_MATRIX = [
    # viewer,             organization, visible
    ("county_admin", "branch_a1", True),  # superior (two levels up)
    ("town_admin", "branch_a1", True),  # superior
    ("town_admin", "group_a1", True),
    ("town_admin", "town_a", True),  # owner
    ("town_admin", "county", False),  # above the grant
    ("town_admin", "branch_b1", False),  # outsider
    ("secretary", "branch_a1", True),  # owner
    ("secretary", "group_a1", True),  # its 党小组
    ("secretary", "branch_a2", False),  # sibling
    ("secretary", "town_a", False),  # superior is not visible downward-up
    ("worker", "branch_a1", True),
    ("worker", "branch_b1", False),
    ("sibling_secretary", "branch_a1", False),  # sibling
    ("outsider", "branch_a1", False),  # outsider
    ("outsider", "branch_b1", True),
    ("member_user", "branch_a1", False),  # a 党员 sees only their own record
    ("anonymous", "branch_a1", False),
    ("anonymous", "county", False),
]

MEMBER_MATRIX = [
    ("county_admin", "member_a1", True),
    ("county_admin", "member_b1", True),
    ("town_admin", "member_a1g", True),
    ("town_admin", "member_b1", False),
    ("secretary", "member_a1", True),
    ("secretary", "member_a1g", True),  # member of the branch's 党小组
    ("secretary", "member_a2", False),  # sibling branch
    ("worker", "member_a1", True),
    ("sibling_secretary", "member_a1", False),
    ("outsider", "member_a1", False),
    ("member_user", "member_a1", True),  # self
    ("member_user", "member_a1g", False),  # fellow member: not through this layer
    ("anonymous", "member_a1", False),
]


def _viewer(tree, name):  # type: ignore[no-untyped-def]
    return AnonymousUser() if name == "anonymous" else getattr(tree, name)


@pytest.mark.parametrize(("viewer", "target", "visible"), ORG_MATRIX)
def test_organization_matrix(tree, viewer, target, visible):  # type: ignore[no-untyped-def]
    user, org = _viewer(tree, viewer), getattr(tree, target)
    assert access.organizations_for(user).filter(pk=org.pk).exists() is visible
    if visible:
        assert access.access_organization_by_id(user, org.pk) == org
        assert access.access_organization_by_code(user, org.code) == org
    else:
        with pytest.raises(Http404):
            access.access_organization_by_id(user, org.pk)
        with pytest.raises(Http404):
            access.access_organization_by_code(user, org.code)


@pytest.mark.parametrize(("viewer", "target", "visible"), MEMBER_MATRIX)
def test_member_matrix(tree, viewer, target, visible):  # type: ignore[no-untyped-def]
    user, member = _viewer(tree, viewer), getattr(tree, target)
    assert access.members_for(user).filter(pk=member.pk).exists() is visible
    if visible:
        assert access.access_member_by_id(user, member.pk) == member
    else:
        with pytest.raises(Http404):
            access.access_member_by_id(user, member.pk)


def test_missing_and_forbidden_look_the_same(tree):  # type: ignore[no-untyped-def]
    with pytest.raises(Http404) as missing:
        access.access_member_by_id(tree.secretary, 10**9)
    with pytest.raises(Http404) as forbidden:
        access.access_member_by_id(tree.secretary, tree.member_b1.pk)
    assert str(missing.value) == str(forbidden.value)


@pytest.mark.parametrize(
    ("viewer", "target", "allowed"),
    [
        ("county_admin", "member_a1", True),
        ("town_admin", "member_a1", True),
        ("secretary", "member_a1", True),
        ("worker", "member_a1", False),  # 党务干部 sees the roster, masked
        ("member_user", "member_a1", True),  # their own number
    ],
)
def test_who_may_see_the_full_id_number(tree, viewer, target, allowed):  # type: ignore[no-untyped-def]
    member = access.access_member_by_id(getattr(tree, viewer), getattr(tree, target).pk)
    assert access.can_view_id_number(getattr(tree, viewer), member) is allowed


def test_management_rights(tree):  # type: ignore[no-untyped-def]
    assert access.can_manage_organization(tree.town_admin, tree.branch_a1)
    assert not access.can_manage_organization(tree.secretary, tree.branch_a1)
    assert access.can_edit_members_of(tree.secretary, tree.branch_a1)
    assert access.can_edit_members_of(tree.secretary, tree.group_a1)
    assert not access.can_edit_members_of(tree.secretary, tree.branch_a2)
    assert not access.can_edit_members_of(tree.member_user, tree.branch_a1)


def test_scope_roots_collapse_nested_grants(tree):  # type: ignore[no-untyped-def]
    from chuangxian.orgs.models import Role, RoleGrant

    RoleGrant.objects.create(user=tree.town_admin, organization=tree.branch_a1, role=Role.SECRETARY)
    access.forget_scope(tree.town_admin)
    scope = access.scope_for(tree.town_admin)
    assert scope.roots == (tree.town_a.pk,)
    assert scope.branch_paths == ()


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("county_admin", {"A", "A1", "A2", "A1G1", "B", "B1", "C"}),
        ("town_admin", {"A", "A1", "A2", "A1G1"}),
        ("outsider", {"B", "B1"}),
        ("secretary", set()),
        ("member_user", set()),
        ("anonymous", set()),
    ],
)
def test_administered_organizations(tree, viewer, expected):  # type: ignore[no-untyped-def]
    codes = set(
        access.administered_organizations(_viewer(tree, viewer)).values_list("code", flat=True)
    )
    assert codes == expected


def test_accounts_and_audit_scoped_to_administered_subtrees(tree):  # type: ignore[no-untyped-def]
    from chuangxian.audit.models import AuditAction
    from chuangxian.audit.services import Actor, audit_record

    town_accounts = set(access.accounts_for(tree.town_admin).values_list("username", flat=True))
    assert town_accounts == {"town_admin", "secretary_a1", "worker_a1", "secretary_a2", "member_a1"}
    assert "admin_b" not in town_accounts
    assert not access.accounts_for(tree.secretary).exists()

    audit_record(
        actor=Actor(), action=AuditAction.UPDATE, obj=tree.branch_a1, org_path=tree.branch_a1.path
    )
    audit_record(
        actor=Actor(), action=AuditAction.UPDATE, obj=tree.branch_b1, org_path=tree.branch_b1.path
    )
    assert list(
        access.audit_events_for(tree.town_admin).values_list("object_label", flat=True)
    ) == [tree.branch_a1.name]
    assert access.audit_events_for(tree.county_admin).count() == 2
    assert not access.audit_events_for(tree.secretary).exists()


def test_a_secretary_above_branches_does_not_see_their_groups(tree):  # type: ignore[no-untyped-def]
    """书记/党务干部 cover their organization and its own 党小组, not the 党小组 of the branches
    below a 党委."""
    from chuangxian.orgs.access import members_for, organizations_for
    from chuangxian.orgs.models import Role
    from tests.factories import make_user

    town_secretary = make_user("town_sec", grants=((tree.town_a, Role.SECRETARY),))
    assert set(organizations_for(town_secretary)) == {tree.town_a}
    assert not members_for(town_secretary).filter(pk=tree.member_a1g.pk).exists()
    # The branch's own secretary still sees the branch's 党小组.
    assert tree.group_a1 in set(organizations_for(tree.secretary))
    assert members_for(tree.secretary).filter(pk=tree.member_a1g.pk).exists()

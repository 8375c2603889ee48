"""seed_demo: deterministic, valid, scaled, with working logins, safe on populated databases."""

import dataclasses
import io
import random
import statistics
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from chuangxian.audit.models import AuditEvent
from chuangxian.demo.services import DEMO_PASSWORD, demo_members
from chuangxian.demo.township import build_tree
from chuangxian.orgs import idnumber
from chuangxian.orgs.models import (
    Member,
    MemberCategory,
    Organization,
    OrgKind,
    Role,
    RoleGrant,
    User,
)
from chuangxian.orgs.models.organization import TermStatus
from chuangxian.orgs.rules import MemberValues, check_member
from tests.conftest import TODAY
from tests.factories import make_org

SMALL = 300


def seed(*extra: str, members: int = SMALL, seed_value: int = 7) -> str:
    out = io.StringIO()
    call_command(
        "seed_demo",
        "--members",
        str(members),
        "--seed",
        str(seed_value),
        "--today",
        TODAY.isoformat(),
        "--roster-only",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    orgs = list(
        Organization.objects.order_by("code").values_list(
            "code", "name", "kind", "sector", "parent__code", "term_ends_on"
        )
    )
    members = list(
        Member.objects.order_by("id_number_hash").values_list(
            "id_number_hash", "name", "gender", "birth_date", "organization__code", "party_post"
        )
    )
    return orgs, members


def stored_values(member: Member) -> MemberValues:
    names = [f.name for f in dataclasses.fields(MemberValues) if f.name != "id_number"]
    return MemberValues(id_number=member.id_number, **{n: getattr(member, n) for n in names})


# Without the database: the generator itself.


def test_default_data_set_passes_the_member_rules() -> None:
    problems = {}
    count = 0
    for person in demo_members(members=1_500, seed=2026, today=TODAY):
        count += 1
        errors = check_member(person.values, today=TODAY)
        if errors:
            problems[person.values.name] = errors
    assert count == 1_500
    assert problems == {}


def test_default_data_set_looks_like_a_township() -> None:
    people = [p.values for p in demo_members(members=1_500, seed=2026, today=TODAY)]
    genders = Counter(p.gender for p in people)
    assert 0.65 <= genders["男"] / len(people) <= 0.75
    ages = [TODAY.year - p.birth_date.year for p in people]  # type: ignore[union-attr]
    assert min(ages) >= 20 and max(ages) <= 91
    probationary = sum(p.category == MemberCategory.PROBATIONARY for p in people)
    assert 0.015 <= probationary / len(people) <= 0.05
    assert all(p.confirmed_on is None for p in people if p.category == "预备党员")
    assert Counter(p.ethnicity for p in people).most_common(1)[0][0] == "汉族"
    assert len({p.ethnicity for p in people}) > 3
    assert 0.8 <= sum(bool(p.phone) for p in people) / len(people) < 1
    assert {len(p.name) for p in people} >= {2, 3}
    assert sum(p.in_hardship for p in people) > 0 and sum(p.is_mobile for p in people) > 0
    assert {p.status for p in people} > {"在册"}
    posts = Counter(p.party_post for p in people)
    assert posts["书记"] == 40 and posts["党小组组长"] > 0
    for p in people:
        assert idnumber.gender_of(p.id_number) == p.gender
        assert idnumber.birth_date_of(p.id_number) == p.birth_date


def test_township_tree_shape_and_term_alerts() -> None:
    orgs = build_tree(random.Random(1), members=1_500, today=TODAY, first_id=1)
    kinds = Counter(o.kind for o in orgs)
    assert kinds[OrgKind.COMMITTEE] == 1
    assert 38 <= kinds[OrgKind.BRANCH] + kinds[OrgKind.JOINT_BRANCH] <= 42
    assert kinds[OrgKind.JOINT_BRANCH] == 1
    assert kinds[OrgKind.GENERAL_BRANCH] >= 1 and kinds[OrgKind.GROUP] > 0
    sectors = Counter(o.sector for o in orgs if o.is_branch)
    assert sectors.most_common(1)[0][0] == "农村"
    assert {"社区", "机关", "学校", "医院", "非公企业"} <= set(sectors)

    statuses = Counter(
        Organization(term_ends_on=o.term_ends_on).term_status(TODAY) for o in orgs if o.term_ends_on
    )
    assert statuses[TermStatus.OVERDUE] >= 1 and statuses[TermStatus.DUE_SOON] >= 1
    assert statuses[TermStatus.CURRENT] > statuses[TermStatus.OVERDUE] * 5


def test_a_million_members_make_a_province_of_county_sized_subtrees() -> None:
    orgs = build_tree(random.Random(1), members=1_000_000, today=TODAY, first_id=1)
    roots = [o for o in orgs if o.parent_id is None]
    assert len(roots) == 1 and roots[0].kind == OrgKind.COMMITTEE
    assert sum(o.member_count for o in orgs) == 1_000_000
    branches = [o for o in orgs if o.is_branch]
    assert 15 <= 1_000_000 / len(branches) <= 20
    counties = [o for o in orgs if o.depth == 2]
    per_county = Counter()
    by_path = {o.path: o for o in counties}
    for branch in branches:
        per_county[by_path["/".join(branch.path.split("/")[:4]) + "/"].id] += branch.member_count
    assert 3_000 <= statistics.median(per_county.values()) <= 5_000
    assert len({o.code for o in orgs}) == len(orgs)


# With the database.


@pytest.mark.django_db
def test_seeding_writes_exactly_the_requested_members_with_unique_ids() -> None:
    seed()
    assert Member.objects.count() == SMALL
    numbers = [m.id_number for m in Member.objects.all()]
    assert len(set(numbers)) == SMALL


@pytest.mark.django_db
def test_every_stored_member_passes_the_member_rules() -> None:
    seed()
    problems = {}
    for member in Member.objects.all():
        errors = check_member(stored_values(member), today=TODAY)
        if errors:
            problems[member.pk] = errors
    assert problems == {}


# --force empties the database with TRUNCATE on PostgreSQL, which cannot run inside the
# test's wrapping transaction: these run with real commits, as the command does.
@pytest.mark.django_db(transaction=True)
def test_same_seed_gives_the_same_data_and_force_replaces_without_duplicates() -> None:
    seed()
    first = snapshot()
    seed("--force")
    assert snapshot() == first
    assert Member.objects.count() == SMALL
    assert User.objects.filter(username="admin").count() == 1


# --force empties the database with TRUNCATE on PostgreSQL, which cannot run inside the
# test's wrapping transaction: these run with real commits, as the command does.
@pytest.mark.django_db(transaction=True)
def test_another_seed_gives_other_people() -> None:
    seed()
    first = snapshot()
    seed("--force", seed_value=8)
    assert snapshot()[1] != first[1]


@pytest.mark.django_db
def test_paths_and_depths_follow_the_parents() -> None:
    seed()
    orgs = {o.pk: o for o in Organization.objects.all()}
    roots = [o for o in orgs.values() if o.parent_id is None]
    assert len(roots) == 1
    assert roots[0].path == f"/{roots[0].pk}/" and roots[0].depth == 0
    for org in orgs.values():
        if org.parent_id is not None:
            parent = orgs[org.parent_id]
            assert org.path == f"{parent.path}{org.pk}/"
            assert org.depth == parent.depth + 1
        if org.kind == OrgKind.GROUP:
            assert orgs[org.parent_id].kind in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH)


@pytest.mark.django_db
def test_new_organizations_after_the_demo_get_fresh_ids() -> None:
    seed()
    root = Organization.objects.get(parent=None)
    top = max(Organization.objects.values_list("pk", flat=True))
    assert make_org("NEW1", parent=root).pk > top


@pytest.mark.django_db
def test_logins_work_and_have_their_roles() -> None:
    output = seed()
    for username in ("admin", "shuji", "ganbu", "dangyuan"):
        assert f"{username}" in output
        user = authenticate(None, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
    assert DEMO_PASSWORD in output
    validate_password(DEMO_PASSWORD, User.objects.get(username="admin"))
    root = Organization.objects.get(parent=None)
    assert RoleGrant.objects.get(user__username="admin").organization == root
    assert RoleGrant.objects.get(user__username="admin").role == Role.ADMIN
    secretary = User.objects.get(username="shuji")
    grant = RoleGrant.objects.get(user=secretary)
    assert grant.role == Role.SECRETARY and grant.organization.sector == "农村"
    assert secretary.member.party_post == "书记"  # type: ignore[union-attr]
    assert secretary.member.organization == grant.organization  # type: ignore[union-attr]
    assert RoleGrant.objects.get(user__username="ganbu").role == Role.WORKER
    plain = User.objects.get(username="dangyuan")
    assert plain.member is not None and plain.member.party_post == ""
    assert RoleGrant.objects.get(user=plain).organization == plain.member.organization


@pytest.mark.django_db
def test_one_summary_audit_event_and_none_per_member() -> None:
    seed()
    events = AuditEvent.objects.all()
    assert events.count() == 1
    assert events.get().changes["members"] == [None, SMALL]


@pytest.mark.django_db
def test_if_empty_does_nothing_on_a_populated_database() -> None:
    seed()
    before = snapshot()
    output = seed("--if-empty", seed_value=99)
    assert "已存在" in output
    assert snapshot() == before


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database() -> None:
    seed("--if-empty")
    assert Member.objects.count() == SMALL


@pytest.mark.django_db
def test_refuses_a_populated_database_without_force() -> None:
    seed()
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert Member.objects.count() == SMALL


@pytest.mark.django_db
def test_force_never_removes_real_organizations() -> None:
    real = make_org("REAL1", kind=OrgKind.COMMITTEE, name="真实党委")
    with pytest.raises(CommandError, match="不是演示数据"):
        seed("--force")
    assert Organization.objects.filter(pk=real.pk).exists()
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_refuses_when_a_demo_username_is_taken() -> None:
    User.objects.create_user(username="admin", password="Other-pass-2026")
    with pytest.raises(CommandError, match="admin"):
        seed()
    assert not Organization.objects.exists()

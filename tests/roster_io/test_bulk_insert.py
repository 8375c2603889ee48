"""The importer's raw insert helpers: keys reserved up front, rows written as given."""

import itertools

import pytest
from django.db import connection

from chuangxian.orgs.models import Member
from chuangxian.roster_io.bulk_insert import reserve_ids
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_reserved_keys_are_fresh_and_never_given_twice(tree) -> None:  # type: ignore[no-untyped-def]
    taken = set(Member.objects.values_list("pk", flat=True))
    first, second = reserve_ids(Member, 500), reserve_ids(Member, 3)
    assert len(set(first)) == 500 and len(set(second)) == 3
    assert not (set(first) | set(second)) & taken
    assert not set(first) & set(second)
    assert list(reserve_ids(Member, 0)) == []
    later = MemberFactory(organization=tree.branch_a1)  # an ordinary insert skips them too
    assert later.pk not in set(first) | set(second)


def test_keys_drawn_out_of_order_are_still_all_returned(tree) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL another writer can draw from the sequence in between: the keys are then
    not one run, and each one drawn is returned (here the sequence steps by 7)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite holds the write lock: its keys are always one run")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('orgs_member', 'id')")
        (sequence,) = cursor.fetchone()
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 7")
    keys = reserve_ids(Member, 50)
    assert isinstance(keys, list) and len(set(keys)) == 50
    assert all(later - earlier == 7 for earlier, later in itertools.pairwise(keys))
    assert not set(keys) & set(Member.objects.values_list("pk", flat=True))

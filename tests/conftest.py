import datetime as dt

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from chuangxian.orgs.models import OrgKind, Role, Sector
from tests.factories import MemberFactory, make_org, make_user

TODAY = dt.date(2026, 11, 22)

# The suite runs on shared, busy machines: no property test may fail because the machine is
# slow. No deadline, and the health checks that measure speed are off; each test still runs
# its full (fixed) number of examples, and a failure prints the blob that replays it.
hypothesis_settings.register_profile(
    "suite",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
hypothesis_settings.load_profile("suite")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_factor_optional(settings):  # type: ignore[no-untyped-def]
    """The product requires administrators to use 2FA; tests that log in as one with
    force_login turn that off here, and the 2FA tests turn it back on."""
    settings.CHUANGXIAN_REQUIRE_ADMIN_2FA = False


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture
def tree(db):  # type: ignore[no-untyped-def]
    """A small county: county 党委 → two township 党委 → branches → one 党小组, plus members
    and one account per role in the permission matrix."""
    county = make_org("C", kind=OrgKind.COMMITTEE, sector=Sector.ORGAN, name="某县委")
    town_a = make_org("A", parent=county, kind=OrgKind.COMMITTEE, name="甲镇党委")
    town_b = make_org("B", parent=county, kind=OrgKind.COMMITTEE, name="乙镇党委")
    branch_a1 = make_org("A1", parent=town_a, name="甲镇一村党支部")
    branch_a2 = make_org("A2", parent=town_a, name="甲镇二村党支部")
    group_a1 = make_org("A1G1", parent=branch_a1, kind=OrgKind.GROUP, name="一村第一党小组")
    branch_b1 = make_org("B1", parent=town_b, name="乙镇一村党支部")
    member_a1 = MemberFactory(organization=branch_a1, name="张三")
    member_a1g = MemberFactory(organization=group_a1, name="李四")
    member_a2 = MemberFactory(organization=branch_a2, name="王五")
    member_b1 = MemberFactory(organization=branch_b1, name="赵六")

    class Tree:
        pass

    t = Tree()
    t.county, t.town_a, t.town_b = county, town_a, town_b
    t.branch_a1, t.branch_a2, t.group_a1, t.branch_b1 = branch_a1, branch_a2, group_a1, branch_b1
    t.member_a1, t.member_a1g, t.member_a2, t.member_b1 = (
        member_a1,
        member_a1g,
        member_a2,
        member_b1,
    )
    t.county_admin = make_user("county_admin", grants=((county, Role.ADMIN),))
    t.town_admin = make_user("town_admin", grants=((town_a, Role.ADMIN),))
    t.secretary = make_user("secretary_a1", grants=((branch_a1, Role.SECRETARY),))
    t.worker = make_user("worker_a1", grants=((branch_a1, Role.WORKER),))
    t.sibling_secretary = make_user("secretary_a2", grants=((branch_a2, Role.SECRETARY),))
    t.outsider = make_user("admin_b", grants=((town_b, Role.ADMIN),))
    t.member_user = make_user("member_a1", member=member_a1, grants=((branch_a1, Role.MEMBER),))
    return t

"""Benchmark: list a county's members page by page with a million members in PostgreSQL.

    python -m bench.listing [--members 1000000] [--reuse] [--repeat 30]

Seeds the demo at the given size (or reuses it with --reuse), picks the county whose subtree is
closest to 4,000 active members, and times what the organization page does for that county's
administrator with "include lower organizations" on: the access check, members_of_subtree with
status 在册, a Paginator of 50 with its COUNT, and the rows of the first and a middle page.
The last line printed is one JSON object with the figures. Target: under 100 ms a page.
"""

import argparse
import json
import os
import statistics
import sys
import time

from bench.scratch_db import DatabaseUnreachable, prepare_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chuangxian_bench"
TARGET_MS = 100
SUBTREE_TARGET = 4_000
PAGE_SIZE = 50
WARM_UP = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data if already seeded with --members"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench.listing needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    try:
        prepare_database(url, recreate=not args.reuse, scratch_suffix="_bench")
    except DatabaseUnreachable as error:
        print(
            f"PostgreSQL is not reachable ({error}); start it or set DATABASE_URL.", file=sys.stderr
        )
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    import django

    django.setup()
    seed_seconds = seed(args.members, args.seed, reuse=args.reuse)
    result = measure(args.members, args.repeat)
    result["seed_seconds"] = seed_seconds
    print(json.dumps(result, ensure_ascii=False))
    return 0


def seed(members: int, seed_value: int, *, reuse: bool, roster_only: bool = False) -> float | None:
    """Migrate and seed (only the tree and the roster with `roster_only`); returns the seconds
    seeding took, None when the data was reused."""
    from django.core.management import call_command
    from django.db import connection

    from chuangxian.audit.models import AuditEvent
    from chuangxian.orgs.models import Member, Organization

    call_command("migrate", verbosity=0)
    if reuse:
        marker = AuditEvent.objects.filter(object_type="demo").order_by("-id").first()
        seeded = marker is not None and marker.changes.get("members") == [None, members]
        if seeded and Member.objects.count() == members:
            print(f"reusing the {members:,} members already seeded")
            return None
    started = time.perf_counter()
    options: dict[str, object] = {"members": members, "seed": seed_value}
    if roster_only:
        options["roster_only"] = True
    if Organization.objects.exists():
        options["force"] = True
    call_command("seed_demo", **options)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {members:,} members in {seconds:.1f} s (then ANALYZE)")
    return round(seconds, 1)


def pick_county() -> tuple[int, int]:
    """The 党委 below the root whose subtree holds the number of active members closest to
    SUBTREE_TARGET, and that number."""
    from collections import defaultdict

    from django.db.models import Count

    from chuangxian.orgs.models import Member, MemberStatus, Organization, OrgKind

    committees = set(
        Organization.objects.filter(kind=OrgKind.COMMITTEE, depth__gt=0).values_list(
            "pk", flat=True
        )
    )
    totals: dict[int, int] = defaultdict(int)
    per_path = (
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .values_list("organization__path")
        .annotate(n=Count("id"))
    )
    for path, count in per_path:
        for part in path.strip("/").split("/"):
            if int(part) in committees:
                totals[int(part)] += count
    if not totals:
        raise SystemExit("no committee below the root: seed more members (--members)")
    org_id = min(totals, key=lambda pk: (abs(totals[pk] - SUBTREE_TARGET), pk))
    return org_id, totals[org_id]


def measure(members: int, repeat: int) -> dict[str, object]:
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuangxian.orgs.access import access_organization_by_id
    from chuangxian.orgs.models import MemberStatus, Organization, Role, RoleGrant, User
    from chuangxian.orgs.selectors import members_of_subtree

    county_id, subtree_members = pick_county()
    county = Organization.objects.get(pk=county_id)
    admin, _ = User.objects.get_or_create(username="bench_county_admin")
    RoleGrant.objects.get_or_create(user=admin, organization=county, role=Role.ADMIN)
    pages = -(-subtree_members // PAGE_SIZE)
    print(
        f"county: {county.name} ({county.code}), {subtree_members:,} active members, {pages} pages"
    )

    def render(page_number: int) -> int:
        user = User.objects.get(pk=admin.pk)  # fresh, so the scope query counts, as per request
        org = access_organization_by_id(user, county_id)
        listed = members_of_subtree(user, org, include_below=True, status=MemberStatus.ACTIVE)
        page = Paginator(listed, PAGE_SIZE).get_page(page_number)
        return len(list(page.object_list))

    figures: dict[str, list[float]] = {}
    for label, number in (("first", 1), ("middle", pages // 2)):
        for _ in range(WARM_UP):
            render(number)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            rows = render(number)
            timings.append((time.perf_counter() - started) * 1000)
        assert rows == PAGE_SIZE, rows
        figures[label] = timings
        print(
            f"{label} page ({number}): median {statistics.median(timings):.1f} ms, "
            f"p95 {_p95(timings):.1f} ms, min {min(timings):.1f} ms over {repeat} runs"
        )
    with CaptureQueriesContext(connection) as queries:
        render(pages // 2)
    for query in queries.captured_queries:
        sql = query["sql"]
        if "orgs_member" not in sql:
            continue
        print(f"\nEXPLAIN ANALYZE ({query['time']} s when captured):\n{sql}\n")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            print("\n".join(row[0] for row in cursor.fetchall()))
    worst = max(figures.values(), key=statistics.median)
    return {
        "members": members,
        "subtree_members": subtree_members,
        "page_ms_median": round(statistics.median(worst), 1),
        "page_ms_p95": round(_p95(worst), 1),
        "first_page_ms_median": round(statistics.median(figures["first"]), 1),
        "middle_page_ms_median": round(statistics.median(figures["middle"]), 1),
        "target_ms": TARGET_MS,
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    sys.exit(main())

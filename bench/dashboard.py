"""Benchmark: a province's dashboard on PostgreSQL.

    python -m bench.dashboard [--members 1000000] [--reuse] [--repeat 20]

Seeds (or reuses) the demo at --members members and a year of meetings exactly as
bench.compliance does, then:

- rebuild: `reports.build.figures_rebuild` for the current year (every figure of every
  organization computed from the records and stored; what runs nightly);
- page: the dashboard of the root organization, GET /reports/<root>/ through Django's test
  client as a logged-in administrator of the root (a fresh request each time: session, scope,
  access check, the stored figures of the root and its children, the template).

Prints the rebuild time, the page's median and p95 over --repeat runs (after a warm-up), and as
its last line one JSON object. Target: page under 1 s at 1,000,000 members.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time

from bench.compliance import _truncate_meetings, seed_meetings
from bench.listing import DEFAULT_URL, seed
from bench.scratch_db import DatabaseUnreachable, prepare_database

TARGET_MS = 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep members and meetings seeded")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench.dashboard needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
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
    if not args.reuse:
        _truncate_meetings()
    # The tree and roster only: the year's meetings come next, by COPY, as in bench.compliance.
    seed(args.members, args.seed, reuse=args.reuse, roster_only=True)
    year = dt.date.today().year
    seed_meetings(year, reuse=args.reuse, seed_value=args.seed)
    result = measure(year, args.repeat)
    print(json.dumps({"members": args.members, **result, "target_ms": TARGET_MS}))
    return 0


def measure(year: int, repeat: int) -> dict[str, object]:
    from django.db import connection
    from django.test import Client

    from chuangxian.orgs.models import Organization, Role, RoleGrant, User
    from chuangxian.reports.build import figures_rebuild

    started = time.perf_counter()
    rows = figures_rebuild(year=year)
    rebuild_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_figurevalue")
    organizations = Organization.objects.count()
    print(f"rebuild: {rows:,} figures of {organizations:,} organizations in {rebuild_s:.1f} s")

    root = Organization.objects.get(parent=None)
    admin, _ = User.objects.get_or_create(username="bench_root_admin")
    RoleGrant.objects.get_or_create(user=admin, organization=root, role=Role.ADMIN)
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    url = f"/reports/{root.pk}/?year={year}"
    assert client.get(url).status_code == 200
    timings: list[float] = []
    for _ in range(repeat):
        begun = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - begun) * 1000)
        assert response.status_code == 200, response.status_code
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    print(f"page: median {median:.1f} ms, p95 {p95:.1f} ms over {repeat} runs")
    return {
        "organizations": organizations,
        "page_ms_median": round(median, 1),
        "page_ms_p95": round(p95, 1),
        "rebuild_s": round(rebuild_s, 1),
    }


if __name__ == "__main__":
    sys.exit(main())

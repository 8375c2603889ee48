"""Benchmark: the cadence-compliance report of a whole province for one year on PostgreSQL.

    python -m bench.compliance [--members 1000000] [--reuse] [--repeat 5] [--year 2025]

Seeds (or reuses, with --reuse) the demo at --members members exactly as bench.listing does,
then a year of held meetings for every branch and 党小组 (what the default rules ask, with about
3 % of them missing so the report has gaps), written with COPY. It then times, as an
administrator of the root organization:

- report: access check + orglife.compliance.report_for_user over all organizations for the year
  (the computation behind the compliance page, the figures and the reminders);
- page: the compliance page itself (GET orglife:compliance for the root: report + first 50 rows
  rendered), through Django's test client;
- export: the Excel export of the whole report (once).

Prints the medians over --repeat runs (after one warm-up), the EXPLAIN ANALYZE of the grouped
meeting query, and as its last line one JSON object. Target: report under 2 s.
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time

from bench.listing import DEFAULT_URL, seed
from bench.scratch_db import DatabaseUnreachable, prepare_database

TARGET_S = 2
MISS_CHANCE = 0.03


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--year", type=int, default=dt.date.today().year - 1, help="the year of meetings"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep members and meetings already seeded"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench.compliance needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
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
        _truncate_meetings()  # seed_demo --force refuses to clear members with meetings
    seed(args.members, args.seed, reuse=args.reuse)
    meetings = seed_meetings(args.year, reuse=args.reuse, seed_value=args.seed)
    result = measure(args.members, args.year, args.repeat)
    figures = {
        "members": args.members,
        "organizations": result.pop("organizations"),
        "meetings": meetings,
        **result,
        "target_s": TARGET_S,
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0


def _truncate_meetings() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("orglife_meeting", "orglife_meetingtally"):
            cursor.execute("SELECT to_regclass(%s)", [table])
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute(f"TRUNCATE {table} CASCADE")


def seed_meetings(year: int, *, reuse: bool, seed_value: int) -> int:
    """A year of held meetings for every branch and 党小组, written with COPY. Returns the
    number of meetings of that year in the database."""
    from django.db import connection
    from django.utils import timezone

    from chuangxian.orglife.models import HELD_STATUSES, Meeting, MeetingStatus, MeetingType
    from chuangxian.orgs.models import Organization, OrgKind
    from chuangxian.orgs.models.organization import BRANCH_KINDS

    tz = timezone.get_current_timezone()
    start, end = dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)
    existing = Meeting.objects.filter(
        held_start__gte=start, held_start__lt=end, status__in=list(HELD_STATUSES)
    ).count()
    if reuse and existing:
        print(f"reusing the {existing:,} meetings of {year} already seeded")
        _tally(year, only_if_missing=True)
        return existing
    started = time.perf_counter()
    _truncate_meetings()
    rng = random.Random(f"bench-compliance-{seed_value}-{year}")
    # Read before the COPY starts: the connection cannot run a query while it copies.
    orgs = list(
        Organization.objects.filter(kind__in=[*BRANCH_KINDS, OrgKind.GROUP]).values_list(
            "id", "kind"
        )
    )
    now = timezone.now()
    fields = [
        "organization_id",
        "meeting_type",
        "topic",
        "planned_start",
        "held_start",
        "place",
        "lecturer",
        "attendee_scope",
        "checkin_window_minutes",
        "minutes",
        "status",
        "cancel_reason",
        "review_comment",
        "created_at",
        "updated_at",
    ]
    column_of = {f.attname: f.column for f in Meeting._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(column_of[name]) for name in fields)
    table = connection.ops.quote_name(Meeting._meta.db_table)
    branch_plan = [(MeetingType.THEME_DAY, m, 10) for m in range(1, 13)]
    branch_plan += [(MeetingType.COMMITTEE, m, 3) for m in range(1, 13)]
    branch_plan += [(MeetingType.GENERAL_MEETING, m, 12) for m in (2, 5, 8, 11)]
    branch_plan += [(MeetingType.LECTURE, m, 13) for m in (2, 5, 8, 11)]
    branch_plan += [(MeetingType.LIFE_MEETING, 1, 18), (MeetingType.APPRAISAL, 1, 20)]
    group_plan = [(MeetingType.GROUP, m, 8) for m in range(1, 13)]
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for org_id, kind in orgs:
                plan = group_plan if kind == OrgKind.GROUP else branch_plan
                for meeting_type, month, day in plan:
                    if rng.random() < MISS_CHANCE:
                        continue
                    held = dt.datetime(year, month, day, 9, tzinfo=tz)
                    copy.write_row(
                        [
                            org_id,
                            meeting_type,
                            "学习会",
                            held,
                            held,
                            "",
                            "",
                            "all",
                            20,
                            "",
                            MeetingStatus.APPROVED,
                            "",
                            "",
                            now,
                            now,
                        ]
                    )
                    written += 1
        cursor.execute(f"ANALYZE {table}")
    print(f"seeded {written:,} meetings of {year} in {time.perf_counter() - started:.1f} s")
    _tally(year, only_if_missing=False)
    return written


def _tally(year: int, *, only_if_missing: bool) -> None:
    """COPY bypasses meeting_hold, which keeps the tally; count the year once from the
    meetings, as `chuangxian orglife_tally` does after any bulk load."""
    from django.db import connection

    from chuangxian.orglife.models import MeetingTally
    from chuangxian.orglife.services.tally import tally_rebuild

    if only_if_missing and MeetingTally.objects.filter(year=year).exists():
        return
    started = time.perf_counter()
    rows = tally_rebuild(year=year)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {MeetingTally._meta.db_table}")
    print(f"tallied {rows:,} organization-type rows in {time.perf_counter() - started:.1f} s")


def measure(members: int, year: int, repeat: int) -> dict[str, object]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from chuangxian.orglife.compliance import held_masks, report_for_user
    from chuangxian.orglife.export import compliance_workbook
    from chuangxian.orglife.periods import Period
    from chuangxian.orgs.access import access_organization_by_id
    from chuangxian.orgs.models import Organization, Role, RoleGrant, User

    root = Organization.objects.get(parent=None)
    admin, _ = User.objects.get_or_create(username="bench_root_admin")
    RoleGrant.objects.get_or_create(user=admin, organization=root, role=Role.ADMIN)
    period = Period(year, 1, 12)
    today = timezone.localdate()

    def report() -> object:
        user = User.objects.get(pk=admin.pk)  # fresh: the scope query counts, as per request
        org = access_organization_by_id(user, root.pk)
        return report_for_user(user, root=org, period=period, today=today)

    timings: list[float] = []
    report()  # warm-up
    with CaptureQueriesContext(connection) as queries:
        result = report()
    for _ in range(repeat):
        started = time.perf_counter()
        result = report()
        timings.append(time.perf_counter() - started)
    print(
        f"report: {result.organizations:,} organizations, {result.meetings:,} meetings, "  # type: ignore[attr-defined]
        f"{result.ok:,} fully compliant; {len(queries.captured_queries)} queries in the main "
        "thread, 3 more in parallel"  # type: ignore[attr-defined]
    )
    print(
        f"report: median {statistics.median(timings):.2f} s, min {min(timings):.2f} s, "
        f"max {max(timings):.2f} s over {repeat} runs"
    )
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:8.1f} ms  {query['sql'][:110]}")
    # The report runs its three big reads in parallel threads (own connections), which the
    # capture above does not see: the tally query is captured here on its own.
    with CaptureQueriesContext(connection) as held_queries:
        held_masks(root=root, year=year, window_months=period.month_mask, whole_tree=True)
    held_sql = held_queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {held_sql}")
        print("\nEXPLAIN ANALYZE of the grouped tally query:")
        print("\n".join(row[0] for row in cursor.fetchall()))

    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    url = f"/orglife/compliance/?org={root.pk}&period={period.code}"
    page_timings: list[float] = []
    client.get(url)
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        page_timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    print(f"page: median {statistics.median(page_timings):.2f} s over {repeat} runs")

    started = time.perf_counter()
    content = compliance_workbook(result)  # type: ignore[arg-type]
    export_s = time.perf_counter() - started
    print(f"export: {len(content) / 1e6:.1f} MB xlsx in {export_s:.2f} s")
    return {
        "organizations": result.organizations,  # type: ignore[attr-defined]
        "report_s": round(statistics.median(timings), 2),
        "report_min_s": round(min(timings), 2),
        "page_s": round(statistics.median(page_timings), 2),
        "export_s": round(export_s, 2),
    }


if __name__ == "__main__":
    sys.exit(main())

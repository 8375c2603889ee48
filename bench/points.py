"""Benchmark: accrue one year of points for N members from their records, against one plain
GROUP BY member over the same source rows.

    python -m bench.points --members N [--seed 2026]

Builds, in the PostgreSQL named by DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/chuangxian_bench_points, created if missing, dropped and
created again when it is that scratch database), N members in branches of about 17 (the
population of bench.appraisal) and their records of one year: a 支部委员会 a month per branch
with each member present at about ten of twelve, one to three study records (about two thirds
of the members reach 32 学时), and a year of dues paid month by month (about one month in ten
paid late). The default points catalogue is installed at the root.

Then it times `points_accrue` over the whole tree (the first run, which writes every entry),
and the reference: one `SELECT member_id, count(*) … GROUP BY member_id` over the union of the
same attendance, study and dues rows. It also times a second accrual run (idempotent: it must
write nothing). The last line is one JSON object.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from decimal import Decimal

from bench.scratch_db import DatabaseUnreachable, prepare_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chuangxian_bench_points"
YEAR = 2026
BATCH = 20_000


def seed_records(root_id: int, branch_members: list[list[int]], rng: random.Random) -> int:
    """Meetings, attendance, study records and dues of YEAR for every member; returns the
    number of source rows."""
    from django.utils import timezone

    from chuangxian.dues.models import Payment, PaymentMonth, PaymentSource
    from chuangxian.learning.models import StudyRecord, StudySource
    from chuangxian.orglife.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
    from chuangxian.orgs.models import Member

    branch_of = dict(
        Member.objects.filter(organization__path__startswith=f"/{root_id}/").values_list(
            "pk", "organization_id"
        )
    )
    zone = timezone.get_current_timezone()
    meetings = []
    for members in branch_members:
        org_id = branch_of[members[0]]
        for month in range(1, 13):
            start = dt.datetime(YEAR, month, 5, 9, tzinfo=zone)
            meetings.append(
                Meeting(
                    organization_id=org_id,
                    meeting_type="committee",
                    topic="支部委员会",
                    planned_start=start,
                    held_start=start,
                    status=MeetingStatus.APPROVED,
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    by_branch: dict[int, list[int]] = {}
    for meeting in meetings:
        by_branch.setdefault(meeting.organization_id, []).append(meeting.pk)
    rows = 0
    attendance: list[Attendance] = []
    study: list[StudyRecord] = []
    months: list[PaymentMonth] = []
    for members in branch_members:
        org_id = branch_of[members[0]]
        for member_id in members:
            for meeting_id in by_branch[org_id]:
                present = rng.random() < 0.85
                attendance.append(
                    Attendance(
                        meeting_id=meeting_id,
                        member_id=member_id,
                        status=AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT,
                    )
                )
            for n in range(rng.randint(1, 3)):
                study.append(
                    StudyRecord(
                        member_id=member_id,
                        source=StudySource.OFFLINE,
                        day=dt.date(YEAR, 3 + n * 3, 10),
                        hours=Decimal(rng.choice((8, 16, 24))),
                        title="集中培训",
                    )
                )
        if len(attendance) > BATCH * 5:
            rows += _flush(attendance, study)
    rows += _flush(attendance, study)
    payments = []
    for members in branch_members:
        org_id = branch_of[members[0]]
        for member_id in members:
            for month in range(1, 13):
                late = rng.random() < 0.1
                paid = dt.date(YEAR, month, 20) + dt.timedelta(days=20 if late else 0)
                payments.append(
                    Payment(
                        member_id=member_id,
                        organization_id=org_id,
                        first_month=dt.date(YEAR, month, 1),
                        last_month=dt.date(YEAR, month, 1),
                        amount=Decimal("10.00"),
                        paid_on=paid,
                        source=PaymentSource.values[0],
                    )
                )
        if len(payments) > BATCH * 5:
            rows += _flush_payments(payments, months)
    rows += _flush_payments(payments, months)
    return rows


def _flush(attendance: list, study: list) -> int:  # type: ignore[type-arg]
    from chuangxian.learning.models import StudyRecord
    from chuangxian.orglife.models import Attendance

    Attendance.objects.bulk_create(attendance, batch_size=BATCH)
    StudyRecord.objects.bulk_create(study, batch_size=BATCH)
    count = len(attendance) + len(study)
    attendance.clear()
    study.clear()
    return count


def _flush_payments(payments: list, months: list) -> int:  # type: ignore[type-arg]
    from chuangxian.dues.models import Payment, PaymentMonth

    Payment.objects.bulk_create(payments, batch_size=BATCH)
    months.extend(
        PaymentMonth(payment=p, member_id=p.member_id, month=p.first_month, amount=p.amount)
        for p in payments
    )
    PaymentMonth.objects.bulk_create(months, batch_size=BATCH)
    count = len(months)
    payments.clear()
    months.clear()
    return count


REFERENCE = """
SELECT member_id, count(*) FROM (
    SELECT a.member_id FROM orglife_attendance a WHERE a.status = 'present'
    UNION ALL SELECT s.member_id FROM learning_studyrecord s
    UNION ALL SELECT p.member_id FROM dues_paymentmonth p
) rows GROUP BY member_id
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench.points needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    try:
        prepare_database(url, recreate=True, scratch_suffix="_bench_points")
    except DatabaseUnreachable as error:
        print(
            f"PostgreSQL is not reachable ({error}); start it or set DATABASE_URL.", file=sys.stderr
        )
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from bench.appraisal import WORK, build_population
    from chuangxian.audit.services import SYSTEM
    from chuangxian.honors.models import PointEntry
    from chuangxian.honors.services.points import points_accrue, rules_seed_defaults
    from chuangxian.orgs.models import Organization

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with transaction.atomic():
        root_id, branch_members, _towns = build_population(args.members, rng)
        source_rows = seed_records(root_id, branch_members, rng)
        root = Organization.objects.get(pk=root_id)
        rules_seed_defaults(actor=SYSTEM, organization=root)
    if WORK.exists():
        WORK.rmdir()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"seeded {args.members:,} members and {source_rows:,} source rows "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    result = points_accrue(actor=SYSTEM, root=root, year=YEAR)
    accrual_s = time.perf_counter() - started
    print(f"accrual: {accrual_s:.3f} s ({result.posted:,} entries for {result.members:,} members)")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(REFERENCE)
        grouped = cursor.fetchall()
    reference_s = time.perf_counter() - started
    print(f"reference GROUP BY member: {reference_s:.3f} s ({len(grouped):,} rows)")
    started = time.perf_counter()
    again = points_accrue(actor=SYSTEM, root=root, year=YEAR)
    rerun_s = time.perf_counter() - started
    print(f"second accrual (writes nothing): {rerun_s:.3f} s, posted {again.posted}")
    print(
        json.dumps(
            {
                "members": args.members,
                "accrual_s": round(accrual_s, 3),
                "reference_s": round(reference_s, 3),
                "ratio": round(accrual_s / reference_s, 2),
                "entries": PointEntry.objects.count(),
                "rerun_s": round(rerun_s, 3),
                "idempotent": again.posted == 0 and again.reversed == 0,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

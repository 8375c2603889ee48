"""What the job fault tests (test_job_recovery.py) run in processes of their own, against a
live database of their own (not pytest's test database, which other processes cannot see):

    python -m tests.roster_io.live_jobs setup            → prints the administrator's user id
    python -m tests.roster_io.live_jobs queue USER FILE  → queues an import job, prints its id
    python -m tests.roster_io.live_jobs roster N FILE    → writes a roster of N members in R1
"""

import datetime as dt
import os
import sys
from pathlib import Path

TERM = (dt.date(2024, 6, 1), dt.date(2029, 6, 1))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from chuangxian.audit.services import SYSTEM
    from chuangxian.orgs.models import Organization
    from chuangxian.orgs.models.account import Role
    from chuangxian.orgs.services.accounts import role_grant
    from chuangxian.roster_io.services.imports import roster_import
    from chuangxian.roster_io.services.jobs import import_job_create
    from chuangxian.roster_io.workbook import roster_workbook

    command = sys.argv[1]
    if command == "roster":
        from tests.factories import make_id_number

        first = dt.date(1960, 1, 1)
        borns = [(n, first + dt.timedelta(days=n // 400)) for n in range(int(sys.argv[2]))]
        members = [
            [
                *("党员" + str(n), "男", "汉族", born, make_id_number(born, n), "", "大学本科"),
                *(dt.date(2005, 7, 1), dt.date(2006, 7, 1), "正式党员", "R1", "", ""),
                *(False, False, "在册"),
            ]
            for n, born in borns
        ]
        Path(sys.argv[3]).write_bytes(roster_workbook([], members))
    elif command == "setup":
        established = dt.date(2000, 1, 1)
        orgs = [
            ["R", "某县委", "", "党委", "机关", established, None, None],
            ["R1", "第一村党支部", "R", "党支部", "农村", established, *TERM],
        ]
        report = roster_import(actor=SYSTEM, source=roster_workbook(orgs, []))
        assert report.ok, report.error_lines()
        user = get_user_model().objects.create_user(username="admin", password="x" * 16)
        role_grant(
            actor=SYSTEM,
            user=user,
            organization=Organization.objects.get(code="R"),
            role=Role.ADMIN,
        )
        print(user.pk)
    elif command == "queue":
        user = get_user_model().objects.get(pk=int(sys.argv[2]))
        content = Path(sys.argv[3]).read_bytes()
        job = import_job_create(
            actor=SYSTEM, user=user, file_name="roster.xlsx", content=content, dry_run=False
        )
        print(job.pk)


if __name__ == "__main__":
    main()

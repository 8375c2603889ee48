"""Benchmark: importing a big roster .xlsx end to end, against parsing it with calamine alone.

    python -m bench.roster_import [--members 100000] [--orgs 300] [--keep FILE]

Without DATABASE_URL the import runs on a fresh SQLite file in a temporary directory. With a
PostgreSQL DATABASE_URL it creates a fresh database next to the given one (name suffixed with
_bench_<pid>), runs there and drops it afterwards. The target is ratio ≤ 3. The last line of
output is one JSON object.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REGIONS = ("430102", "430103", "430104", "430105", "430111", "430112", "430121", "430124")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰志强海燕春梅"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--orgs", type=int, default=300, help="branches (plus towns and a root)")
    parser.add_argument("--keep", type=Path, help="also save the generated .xlsx here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="chuangxian-bench-"))
    drop_database = _prepare_database(workdir)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from chuangxian.roster_io.parse_child import limit_memory

    # As an import job's own process (and `import_roster`) runs: under the import memory
    # limit, parsing the workbook in place.
    limit_memory()
    try:
        path = workdir / "roster.xlsx"
        started = time.perf_counter()
        path.write_bytes(_workbook(args.members, args.orgs))
        print(
            f"generated {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s"
        )
        if args.keep:
            args.keep.write_bytes(path.read_bytes())
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        parse_s = _time_parse(path)
        import_s, report = _time_import(path)
        again_s, again = _time_import(path)
        print(f"calamine parse only : {parse_s:7.2f} s")
        print(f"full import         : {import_s:7.2f} s  ({report.summary()})")
        print(f"re-import (no-op)   : {again_s:7.2f} s  ({again.counts.changed} changes)")
        ratio = import_s / parse_s
        print(f"ratio               : {ratio:7.2f}  (target ≤ 3)")
        print(
            json.dumps(
                {
                    "members": args.members,
                    "parse_s": round(parse_s, 3),
                    "import_s": round(import_s, 3),
                    "ratio": round(ratio, 2),
                    "reimport_s": round(again_s, 3),
                }
            )
        )
        if not report.ok:
            sys.exit("the generated file did not import: " + "; ".join(report.error_lines()[:5]))
    finally:
        connection.close()
        drop_database()


def _prepare_database(workdir: Path) -> Any:
    """Point Django at a fresh, empty database; return how to remove it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        os.environ["CHUANGXIAN_DATA_DIR"] = str(workdir)
        os.environ.pop("DATABASE_URL", None)
        return lambda: None
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_bench_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return drop


def _workbook(members: int, branches: int) -> bytes:
    from chuangxian.roster_io.workbook import roster_workbook

    towns = max(1, branches // 15)
    org_rows: list[list[Any]] = [
        ["R", "某县委", "", "党委", "机关", dt.date(1950, 1, 1), None, None]
    ]
    for t in range(towns):
        org_rows.append([f"T{t:03d}", f"第{t + 1}镇党委", "R", "党委", "农村", None, None, None])
    branch_codes = []
    for b in range(branches):
        code = f"T{b % towns:03d}B{b:04d}"
        branch_codes.append(code)
        org_rows.append([code, f"第{b + 1}村党支部", f"T{b % towns:03d}", "党支部", "农村"])
        org_rows[-1] += [dt.date(2000, 1, 1), dt.date(2021, 6, 1), dt.date(2026, 6, 1)]
    return roster_workbook(org_rows, _member_rows(members, branch_codes))


def _member_rows(count: int, branch_codes: list[str]) -> Iterator[list[Any]]:
    from chuangxian.orgs import idnumber

    rng = random.Random(20260701)
    seen: set[str] = set()
    today = dt.date(2026, 1, 1)
    while len(seen) < count:
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 62))
        female = rng.random() < 0.3
        sequence = rng.randrange(500) * 2 + (0 if female else 1)
        first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{sequence:03d}"
        number = first17 + idnumber.check_digit(first17)
        if number in seen:
            continue
        seen.add(number)
        joined = born + dt.timedelta(days=365 * 19 + rng.randrange(365 * 20))
        joined = min(joined, today - dt.timedelta(days=400))
        probationary = rng.random() < 0.03
        yield [
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN)),
            "女" if female else "男",
            "汉族" if rng.random() < 0.9 else "土家族",
            born,
            number,
            f"13{rng.randrange(10**9):09d}",
            rng.choice(("大学本科", "大学专科", "高中", "初中", "硕士研究生")),
            joined,
            None if probationary else joined + dt.timedelta(days=365),
            "预备党员" if probationary else "正式党员",
            rng.choice(branch_codes),
            "",
            "村民",
            rng.random() < 0.02,
            rng.random() < 0.05,
            "在册",
        ]


def _time_parse(path: Path) -> float:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return time.perf_counter() - started


def _time_import(path: Path) -> tuple[float, Any]:
    from chuangxian.audit.services import SYSTEM
    from chuangxian.roster_io.services.imports import roster_import

    started = time.perf_counter()
    report = roster_import(actor=SYSTEM, source=path)
    return time.perf_counter() - started, report


if __name__ == "__main__":
    main()

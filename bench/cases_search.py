"""Case-library search on a few thousand cases: the bigram index against a plain LIKE scan.

    CHUANGXIAN_DATA_DIR=$(mktemp -d) python -m bench.cases_search [--cases 3000] [--repeat 20]
    DATABASE_URL=postgres://…/chuangxian_cases_bench python -m bench.cases_search

Seeds `--cases` published cases of about 400 characters (clauses drawn from the demo texts, so
words repeat as they do in a real library) into the configured database, through the same
`index_case` the services call, then times `cases.search.search` and, for comparison, the
same query as `search_text LIKE '%word%'` alone, for a query one case matches, a rare, a middling and a common one.
Prints the medians and, last, one JSON line. On PostgreSQL the database must be a scratch one
(its name ends in `_bench`): it is dropped and created again."""

import argparse
import json
import os
import random
import statistics
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        from bench.scratch_db import DatabaseUnreachable, prepare_database

        try:
            prepare_database(url, recreate=True, scratch_suffix="_bench", refuse_foreign=True)
        except DatabaseUnreachable as error:
            print(error, file=sys.stderr)
            return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from chuangxian.cases.demo import CASES, PENDING
    from chuangxian.cases.models import Case, CaseStatus, Visibility
    from chuangxian.cases.search import index_case, search
    from chuangxian.orgs.models import Organization, OrgKind, Sector

    call_command("migrate", verbosity=0)
    if Case.objects.exists():
        print("the database already holds cases: use an empty one", file=sys.stderr)
        return 2
    rng = random.Random(2026)
    texts = [c[3] for c in CASES] + [PENDING[3]]
    clauses = [part for text in texts for part in text.replace("。", "，").split("，") if part]
    org = Organization.objects.create(
        code="BENCH", name="基准党委", kind=OrgKind.COMMITTEE, sector=Sector.ORGAN, path=""
    )
    org.path = f"/{org.pk}/"
    org.save()
    started = time.perf_counter()
    now = timezone.now()
    for i in range(args.cases):
        body = "，".join(rng.choice(clauses) for _ in range(12)) + "。"
        case = Case.objects.create(
            organization=org,
            title=f"案例{i}：{rng.choice(clauses)[:20]}",
            sector=Sector.RURAL,
            mechanism="service",
            summary=rng.choice(clauses),
            body=body,
            status=CaseStatus.PUBLISHED,
            visibility=Visibility.PUBLIC,
            created_by_label="bench",
            published_at=now,
        )
        index_case(case)
    seed_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    queries = {"one": "案例1234", "rare": "二维码", "middling": "网格 群众", "common": "党员"}
    figures: dict[str, dict[str, float]] = {}
    for label, query in queries.items():
        words = query.split()

        def bigram() -> int:
            return len(list(search(Case.objects.all(), query).values_list("pk", flat=True)))

        def like() -> int:
            found = Case.objects.all()
            for word in words:
                found = found.filter(search_text__contains=word)
            return len(list(found.values_list("pk", flat=True)))

        assert bigram() == like(), query
        row: dict[str, float] = {"hits": bigram()}
        for name, run in (("bigram", bigram), ("like", like)):
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                run()
                times.append((time.perf_counter() - t) * 1000)
            row[f"{name}_ms"] = round(statistics.median(times), 2)
        figures[label] = row
        print(
            f"{label:9} {query!r:10} hits {row['hits']:5.0f}  bigram {row['bigram_ms']:7.2f} ms"
            f"  LIKE {row['like_ms']:7.2f} ms"
        )
    print(f"seeded {args.cases} cases in {seed_seconds:.1f} s on {connection.vendor}")
    print(json.dumps({"cases": args.cases, "vendor": connection.vendor, **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

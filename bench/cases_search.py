"""Case-library search on a few thousand cases: the words of a query as LIKE over the
normalized text (cases.search).

    CHUANGXIAN_DATA_DIR=$(mktemp -d) python -m bench.cases_search [--cases 3000] [--repeat 20]
    DATABASE_URL=postgres://…/chuangxian_cases_bench python -m bench.cases_search

Seeds `--cases` published cases of about 400 characters (clauses drawn from the demo texts, so
words repeat as they do in a real library) into the configured database, with the search text
the services write, then times `cases.search.search` — the whole list of hits and, as a page
shows it, the first 50 with the count — for a query one case matches, a third, two thirds and
nearly all of them.
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
    from chuangxian.cases.search import search, search_text_of
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
        case = Case(
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
        case.search_text = search_text_of(case)
        case.save()
    seed_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    queries = {"one": "案例1234", "third": "二维码", "two_thirds": "网格 群众", "all": "党员"}
    figures: dict[str, dict[str, float]] = {}
    for label, query in queries.items():

        def hits(query: str = query) -> int:
            return len(list(search(Case.objects.all(), query).values_list("pk", flat=True)))

        def page(query: str = query) -> int:
            found = search(Case.objects.all(), query).order_by("-published_at", "-id")
            return found.count() + len(list(found[:50]))

        row: dict[str, float] = {"hits": hits()}
        for name, run in (("all_hits", hits), ("page", page)):
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                run()
                times.append((time.perf_counter() - t) * 1000)
            row[f"{name}_ms"] = round(statistics.median(times), 2)
        figures[label] = row
        print(
            f"{label:10} {query!r:10} hits {row['hits']:5.0f}"
            f"  all hits {row['all_hits_ms']:7.2f} ms"
            f"  page of 50 {row['page_ms']:7.2f} ms"
        )
    print(f"seeded {args.cases} cases in {seed_seconds:.1f} s on {connection.vendor}")
    print(json.dumps({"cases": args.cases, "vendor": connection.vendor, **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

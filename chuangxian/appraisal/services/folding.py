"""Folding: sheets out of the ballot box into the tallies and the archive — each exactly once.

Intake puts a sheet in the ballot box (BoxedSheet) as one row with its scores in a compact
payload (services/ballots.store_sheet). Folding takes sheets of a round out of the box and, in
the same transaction,
- adds their scores to the (round, subject, leaf) tallies and, per mark, to BallotCount (how
  many sheets gave this mark to this subject on this leaf in this group: no per-sheet scores);
- writes one BallotSheet per sheet — a fresh random key and the kind, nothing else — in the
  order of those keys;
- counts their keyed fingerprints in SheetFingerprint (the identical-sheet flag; deleted at
  close, services/sealing.py);
- deletes them from the box.
So a sheet is either still in the box or counted, never both and never twice:

- PostgreSQL: one statement (`SELECT … FOR UPDATE` of boxed sheets, `DELETE … RETURNING` their
  payloads feeding the tally `UPDATE` and the archive `INSERT`s through CTEs), under a
  per-round advisory lock; a sheet deleted concurrently is skipped, so even without the lock
  it folds once.
- elsewhere (SQLite): the sheets are deleted first (which takes the write lock), then the rest
  is written in Python, in chunks.

Who folds: the background task `fold_round_ballots` (django_tasks, `chuangxian db_worker`),
which re-enqueues itself every FOLD_EVERY_SECONDS while the round is collecting; the command
`chuangxian appraisal_fold`; and always `round_close`, which folds the remainder after locking
the round row (no sheet can be accepted after that: store_sheet checks the status under a
key-share lock on the same row)."""

import random
import uuid
from collections import Counter, defaultdict
from typing import Any

from django.db import connection, transaction

from chuangxian.appraisal.closing import scheme_shape, standings_refresh
from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import GROUP_ORDER, BallotSheet, BoxedSheet, Round
from chuangxian.appraisal.services.ballots import decode_payload

FOLD_EVERY_SECONDS = 5
FOLD_BATCH = 50_000  # sheets per transaction in the background (close folds everything)
_LOCK_CLASS = 0x4150  # pg_advisory_xact_lock(class, round id): one folder per round
_CHUNK = 400  # sheets per step on the portable path

_AGG = ",\n".join(
    f"count(*) FILTER (WHERE g = {i}) AS n{i}, sum(pts) FILTER (WHERE g = {i}) AS s{i}, "
    f"min(pts) FILTER (WHERE g = {i}) AS l{i}, max(pts) FILTER (WHERE g = {i}) AS h{i}"
    for i in range(len(GROUP_ORDER))
)
_SET = ",\n".join(
    f"n_{g} = t.n_{g} + a.n{i}, sum_{g} = t.sum_{g} + COALESCE(a.s{i}, 0), "
    f"min_{g} = LEAST(t.min_{g}, a.l{i}), max_{g} = GREATEST(t.max_{g}, a.h{i})"
    for i, g in enumerate(GROUP_ORDER)
)

_GROUP_ARRAY = "ARRAY[" + ", ".join(f"'{g}'" for g in GROUP_ORDER) + "]"

# Generated from the constants above (column names and group indexes), no input.
# gen_random_uuid is in the PostgreSQL core from version 13.
_PG_FOLD = f"""
WITH p AS (
    SELECT id FROM appraisal_boxedsheet
    WHERE round_id = %(round)s LIMIT %(limit)s FOR UPDATE
), f AS MATERIALIZED (
    DELETE FROM appraisal_boxedsheet b USING p WHERE b.id = p.id
    RETURNING b.kind, b.fingerprint, b.payload
), x AS MATERIALIZED (
    SELECT split_part(e, ':', 1)::bigint AS sid,
        split_part(e, ':', 2)::bigint AS leaf,
        split_part(e, ':', 3)::int AS g,
        split_part(e, ':', 4)::double precision AS pts
    FROM f CROSS JOIN LATERAL unnest(string_to_array(f.payload, ',')) AS e
), a AS (
    SELECT sid, leaf, {_AGG} FROM x GROUP BY sid, leaf
), t AS (
    UPDATE appraisal_tally t SET {_SET}
    FROM a WHERE t.round_id = %(round)s AND t.subject_id = a.sid AND t.indicator_id = a.leaf
    RETURNING 1
), c AS (
    INSERT INTO appraisal_ballotcount AS c
        (round_id, subject_id, indicator_id, "group", points, count)
    SELECT %(round)s, sid, leaf, ({_GROUP_ARRAY})[g + 1], pts, count(*) FROM x
    GROUP BY sid, leaf, g, pts ORDER BY sid, leaf, g, pts
    ON CONFLICT (round_id, subject_id, indicator_id, "group", points)
    DO UPDATE SET count = c.count + excluded.count
    RETURNING 1
), s AS (
    INSERT INTO appraisal_ballotsheet (id, round_id, kind)
    SELECT gen_random_uuid(), %(round)s, kind FROM f ORDER BY 1
    RETURNING 1
), d AS (
    INSERT INTO appraisal_sheetfingerprint AS d (round_id, fingerprint, count)
    SELECT %(round)s, fingerprint, count(*) FROM f WHERE fingerprint <> ''
    GROUP BY fingerprint ORDER BY fingerprint
    ON CONFLICT (round_id, fingerprint) DO UPDATE SET count = d.count + excluded.count
    RETURNING 1
)
SELECT (SELECT count(*) FROM f), (SELECT count(*) FROM a), (SELECT count(*) FROM t),
    (SELECT array_agg(DISTINCT sid) FROM a), (SELECT count(*) FROM c), (SELECT count(*) FROM s),
    (SELECT count(*) FROM d)
"""  # noqa: S608


def ballots_fold(round_id: int, *, limit: int | None = None) -> int:
    """Fold up to `limit` (default: all) pending sheets of the round; returns how many. The
    standings (composite and tie keys) of the subjects they rate are recomputed in the same
    transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            folded, touched = _fold_pg(round_id, limit)
        else:
            folded, touched = _fold_portable(round_id, limit)
        if touched:
            round_ = Round.objects.select_related("scheme").get(pk=round_id)
            standings_refresh(round_id, scheme_shape(round_.scheme), sorted(touched))
        return folded


def _fold_pg(round_id: int, limit: int | None) -> tuple[int, set[int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, round_id])
        cursor.execute(_PG_FOLD, {"round": round_id, "limit": limit})
        sheets, keys, tallied, touched, _, _, _ = cursor.fetchone()
    if keys != tallied:
        raise AppraisalError("考评对象或指标不属于本轮考评")
    return int(sheets), set(touched or ())


def _fold_portable(round_id: int, limit: int | None) -> tuple[int, set[int]]:
    touched: set[int] = set()
    folded = 0
    rng = random.SystemRandom()
    while limit is None or folded < limit:
        step = _CHUNK if limit is None else min(_CHUNK, limit - folded)
        rows = list(
            BoxedSheet.objects.filter(round_id=round_id).values_list(
                "id", "kind", "fingerprint", "payload"
            )[:step]
        )
        if not rows:
            break
        # Delete first: this takes the write lock; a sheet taken by someone else meanwhile
        # makes the count differ and the whole fold roll back.
        deleted, _ = BoxedSheet.objects.filter(id__in=[row[0] for row in rows]).delete()
        if deleted != len(rows):
            raise AppraisalError("评价表正在被另一进程汇总，请稍后再试")
        totals: dict[tuple[str, int, int], list[Any]] = {}
        marks: Counter[tuple[int, int, str, float]] = Counter()
        for _, _, _, payload in rows:
            for sid, leaf, group, points in decode_payload(payload):
                touched.add(sid)
                marks[(sid, leaf, group, points)] += 1
                entry = totals.get((group, sid, leaf))
                if entry is None:
                    totals[(group, sid, leaf)] = [1, points, points, points]
                else:
                    entry[0] += 1
                    entry[1] += points
                    entry[2] = min(entry[2], points)
                    entry[3] = max(entry[3], points)
        by_group: dict[str, list[tuple[int, int, int, float, float, float]]] = defaultdict(list)
        for (group, sid, leaf), (n, total, low, high) in sorted(totals.items()):
            by_group[group].append((sid, leaf, n, total, low, high))
        for group, rows_of_group in by_group.items():
            for start in range(0, len(rows_of_group), 500):
                _tally_add(round_id, group, rows_of_group[start : start + 500])
        sheets = sorted(
            (uuid.UUID(int=rng.getrandbits(128), version=4), kind) for _, kind, _, _ in rows
        )
        BallotSheet.objects.bulk_create(
            [BallotSheet(id=key, round_id=round_id, kind=kind) for key, kind in sheets],
            batch_size=1_000,
        )
        fingerprints = Counter(fp for _, _, fp, _ in rows if fp)
        with connection.cursor() as cursor:
            cursor.executemany(
                _UPSERT_COUNT, [(round_id, *key, n) for key, n in sorted(marks.items())]
            )
            cursor.executemany(
                _UPSERT_FINGERPRINT, [(round_id, fp, n) for fp, n in sorted(fingerprints.items())]
            )
        folded += len(rows)
    return folded, touched


_UPSERT_COUNT = (
    'INSERT INTO appraisal_ballotcount (round_id, subject_id, indicator_id, "group", points, '
    "count) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (round_id, subject_id, indicator_id, "
    '"group", points) DO UPDATE SET count = appraisal_ballotcount.count + excluded.count'
)
_UPSERT_FINGERPRINT = (
    "INSERT INTO appraisal_sheetfingerprint (round_id, fingerprint, count) VALUES (%s, %s, %s) "
    "ON CONFLICT (round_id, fingerprint) "
    "DO UPDATE SET count = appraisal_sheetfingerprint.count + excluded.count"
)


def _tally_add(
    round_id: int, group: str, rows: list[tuple[int, int, int, float, float, float]]
) -> None:
    """Add (subject, leaf, n, sum, min, max) of one group to the tallies: one
    UPDATE … FROM (VALUES …), portable to SQLite ≥ 3.33. `group` is one of GROUP_ORDER (the
    interpolated column names, `noqa: S608`); every value is a bound parameter."""
    if group not in GROUP_ORDER:
        raise ValueError(group)
    n, total, low, high = (f"{c}_{group}" for c in ("n", "sum", "min", "max"))
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = [v for row in rows for v in row] + [round_id]
    t = "appraisal_tally"
    lo = "CAST(v.column5 AS DOUBLE PRECISION)"
    hi = "CAST(v.column6 AS DOUBLE PRECISION)"
    sql = (
        f"UPDATE {t} SET {n} = {n} + v.column3, "  # noqa: S608
        f"{total} = {total} + CAST(v.column4 AS DOUBLE PRECISION), "
        f"{low} = CASE WHEN {low} IS NULL OR {lo} < {low} THEN {lo} ELSE {low} END, "
        f"{high} = CASE WHEN {high} IS NULL OR {hi} > {high} THEN {hi} ELSE {high} END "
        f"FROM (VALUES {values}) AS v "
        f"WHERE {t}.round_id = %s AND {t}.subject_id = v.column1 AND {t}.indicator_id = v.column2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != len(rows):
            raise AppraisalError("考评对象或指标不属于本轮考评")


def rounds_with_pending() -> list[int]:
    return sorted(set(BoxedSheet.objects.values_list("round_id", flat=True)))

"""Folding pending ballot sheets into the running tallies — each sheet exactly once.

Intake puts a sheet in the ballot box as one pending row with its scores in a compact payload
(services/ballots.store_sheet). Folding takes pending sheets of a round, adds their scores to
the (round, subject, leaf) tallies and marks the sheets folded (pending false; the payload
stays in the box until sealing, services/sealing.py, writes the secret archive at close) — all
in one transaction, so a sheet is either still pending or counted, never both and never twice:

- PostgreSQL: one statement (`SELECT … FOR UPDATE` of pending sheets, `UPDATE … RETURNING`
  the payloads feeding a set-based tally `UPDATE` through CTEs), under a per-round advisory
  lock; `pending` is re-checked on rows locked or changed concurrently, so even without the
  lock a sheet folds once.
- elsewhere (SQLite): the sheets are marked first (which takes the write lock), then the
  tallies are updated in Python, in chunks.

Who folds: the background task `fold_round_ballots` (django_tasks, `chuangxian db_worker`),
which re-enqueues itself every FOLD_EVERY_SECONDS while the round is collecting; the command
`chuangxian appraisal_fold`; and always `round_close`, which folds the remainder after locking
the round row (no sheet can be accepted after that: store_sheet checks the status under a
key-share lock on the same row)."""

from collections import defaultdict
from typing import Any

from django.db import connection, transaction

from chuangxian.appraisal.closing import scheme_shape, standings_refresh
from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import GROUP_ORDER, BoxedSheet, Round
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

# Generated from the constants above (column names and group indexes), no input.
_PG_FOLD = f"""
WITH p AS (
    SELECT id, payload FROM appraisal_boxedsheet
    WHERE round_id = %(round)s AND pending LIMIT %(limit)s FOR UPDATE
), f AS (
    UPDATE appraisal_boxedsheet b SET pending = FALSE
    FROM p WHERE b.id = p.id AND b.pending
    RETURNING b.id, p.payload
), x AS (
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
)
SELECT (SELECT count(*) FROM f), (SELECT count(*) FROM a),
    (SELECT count(*) FROM t), (SELECT array_agg(DISTINCT sid) FROM a)
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
        sheets, keys, tallied, touched = cursor.fetchone()
    if keys != tallied:
        raise AppraisalError("考评对象或指标不属于本轮考评")
    return int(sheets), set(touched or ())


def _fold_portable(round_id: int, limit: int | None) -> tuple[int, set[int]]:
    touched: set[int] = set()
    folded = 0
    while limit is None or folded < limit:
        step = _CHUNK if limit is None else min(_CHUNK, limit - folded)
        rows = list(
            BoxedSheet.objects.filter(round_id=round_id, pending=True).values_list("id", "payload")[
                :step
            ]
        )
        if not rows:
            break
        ids = [sheet_id for sheet_id, _ in rows]
        # Mark first: this takes the write lock; a sheet marked by someone else meanwhile
        # makes the count differ and the whole fold roll back.
        marked = BoxedSheet.objects.filter(id__in=ids, pending=True).update(pending=False)
        if marked != len(ids):
            raise AppraisalError("评价表正在被另一进程汇总，请稍后再试")
        totals: dict[tuple[str, int, int], list[Any]] = {}
        for _, payload in rows:
            for sid, leaf, group, points in decode_payload(payload):
                touched.add(sid)
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
        folded += len(rows)
    return folded, touched


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
    return sorted(set(BoxedSheet.objects.filter(pending=True).values_list("round_id", flat=True)))

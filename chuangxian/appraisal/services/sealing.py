"""Sealing: a closed round's ballot box emptied into the secret archive.

While a round collects, each accepted sheet waits in the ballot box (`BoxedSheet`) in arrival
order, written by the same statement as its participation row, with a member's self-rating in
its payload: whoever reads the box can link it to the rater. Sealing, run by round_close under
the round's FOR UPDATE lock after the last fold, replaces the box by what the archive keeps:

- one `BallotSheet` per sheet under a fresh random key, the round's sheets inserted in the
  order of those keys — a uniformly random order, unrelated to arrival — with its kind and,
  for sheets identical to another, a random label shared by the identical ones (the box's
  keyed fingerprint is not kept: whoever holds the key could match it against every sheet a
  small branch could have cast and so read the sheet back);
- `BallotCount`: for each subject, leaf, rater group and mark, how many sheets gave it — no row
  per sheet, so no set of marks can be grouped back into one rater's sheet, and a member's
  self-rating is one count on their own row, beside no other mark of theirs;

and deletes the box rows (on SQLite with `secure_delete`, which overwrites the freed content).
A round reopened and closed again seals its new sheets the same way; their counts are added.
"""

import random
import uuid
from collections import Counter

from django.db import connection, transaction

from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import GROUP_ORDER, BallotSheet, BoxedSheet, Round, RoundStatus
from chuangxian.appraisal.services.ballots import decode_payload

_GROUP_ARRAY = "ARRAY[" + ", ".join(f"'{g}'" for g in GROUP_ORDER) + "]"

# Generated from the constants above (group names), no input. gen_random_uuid is in the
# PostgreSQL core from version 13.
_PG_SEAL = f"""
WITH b AS MATERIALIZED (
    DELETE FROM appraisal_boxedsheet WHERE round_id = %(round)s AND NOT pending
    RETURNING kind, fingerprint, payload
), d AS MATERIALIZED (
    SELECT fingerprint, replace(gen_random_uuid()::text, '-', '') AS label FROM b
    WHERE fingerprint <> '' GROUP BY fingerprint HAVING count(*) > 1
), s AS (
    INSERT INTO appraisal_ballotsheet (id, round_id, kind, fingerprint)
    SELECT gen_random_uuid(), %(round)s, b.kind, COALESCE(d.label, '')
    FROM b LEFT JOIN d ON d.fingerprint = b.fingerprint ORDER BY 1
    RETURNING 1
), x AS (
    SELECT split_part(e, ':', 1)::bigint AS sid,
        split_part(e, ':', 2)::bigint AS leaf,
        split_part(e, ':', 3)::int AS g,
        split_part(e, ':', 4)::double precision AS pts
    FROM b CROSS JOIN LATERAL unnest(string_to_array(b.payload, ',')) AS e
), c AS (
    INSERT INTO appraisal_ballotcount AS t
        (round_id, subject_id, indicator_id, "group", points, count)
    SELECT %(round)s, sid, leaf, ({_GROUP_ARRAY})[g + 1], pts, count(*) FROM x
    GROUP BY sid, leaf, g, pts ORDER BY sid, leaf, g, pts
    ON CONFLICT (round_id, subject_id, indicator_id, "group", points)
    DO UPDATE SET count = t.count + excluded.count
    RETURNING 1
)
SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM c)
"""  # noqa: S608

_UPSERT_COUNT = (
    'INSERT INTO appraisal_ballotcount (round_id, subject_id, indicator_id, "group", points, '
    "count) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (round_id, subject_id, indicator_id, "
    '"group", points) DO UPDATE SET count = appraisal_ballotcount.count + excluded.count'
)


def ballots_seal(round_id: int) -> int:
    """Seal the round's ballot box (see the module docstring); returns the number of sheets
    sealed. Guarantees: the round is not collecting and every sheet in its box is folded
    (otherwise nothing is written and AppraisalError says why); afterwards the box holds none
    of the round's sheets, the archive holds each once, and the counts equal the folded
    tallies' n per (subject, leaf, group)."""
    with transaction.atomic():
        status = (
            Round.objects.select_for_update()
            .filter(pk=round_id)
            .values_list("status", flat=True)
            .first()
        )
        if status is None or status == RoundStatus.COLLECTING:
            raise AppraisalError("测评期间不能封存评价表")
        return seal_box(round_id)


def seal_box(round_id: int) -> int:
    """ballots_seal's work, for a caller that holds the round row FOR UPDATE with intake
    stopped (round_close, before its transition commits)."""
    if BoxedSheet.objects.filter(round_id=round_id, pending=True).exists():
        raise AppraisalError("还有未汇总的评价表，请先结算")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_PG_SEAL, {"round": round_id})
            sealed, _ = cursor.fetchone()
        return int(sealed)
    return _seal_portable(round_id)


def _seal_portable(round_id: int) -> int:
    rows = list(
        BoxedSheet.objects.filter(round_id=round_id, pending=False).values_list(
            "kind", "fingerprint", "payload"
        )
    )
    if not rows:
        return 0
    rng = random.SystemRandom()
    repeated = Counter(fp for _, fp, _ in rows if fp)
    labels = {fp: uuid.uuid4().hex for fp, n in repeated.items() if n > 1}
    sheets = sorted(
        (
            BallotSheet(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                kind=kind,
                fingerprint=labels.get(fp, ""),
            )
            for kind, fp, _ in rows
        ),
        key=lambda sheet: sheet.id,
    )
    for sheet in sheets:
        sheet.round_id = round_id
    BallotSheet.objects.bulk_create(sheets, batch_size=1_000)
    counts: Counter[tuple[int, int, str, float]] = Counter(
        entry for _, _, payload in rows for entry in decode_payload(payload)
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            _UPSERT_COUNT,
            [(round_id, *key, n) for key, n in sorted(counts.items())],
        )
        # Overwrite the deleted rows' content in the database file rather than leave it in
        # free pages (a per-connection setting: restored afterwards).
        cursor.execute("PRAGMA secure_delete")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA secure_delete = 1")
        try:
            BoxedSheet.objects.filter(round_id=round_id, pending=False).delete()
        finally:
            cursor.execute(f"PRAGMA secure_delete = {int(previous)}")
    return len(rows)


def rounds_to_seal() -> list[int]:
    """Rounds no longer collecting whose box still holds sheets (sealed by round_close; this
    finds any a crash or an upgrade left behind, for `chuangxian appraisal_fold`)."""
    boxed = set(BoxedSheet.objects.values_list("round_id", flat=True).distinct())
    return sorted(
        Round.objects.filter(pk__in=boxed)
        .exclude(status=RoundStatus.COLLECTING)
        .values_list("pk", flat=True)
    )

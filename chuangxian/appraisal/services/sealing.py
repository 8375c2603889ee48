"""Sealing: what a closed round keeps of its ballots.

Folding (services/folding.py) already takes each sheet out of the ballot box within seconds
and keeps only what cannot link it to its rater: a BallotSheet (random key, kind) and per-mark
BallotCount rows. What it keeps besides, for the identical-sheet flag while the round collects,
is SheetFingerprint: keyed fingerprints of sheet contents, counted — which, with the key, could
be matched against every sheet a small branch could cast, and whose order of first appearance
follows arrival. Sealing, run by round_close under the round's FOR UPDATE lock after the last
fold, checks the box is empty and deletes them (on SQLite with `secure_delete`, which overwrites
the freed content in the database file)."""

from django.db import connection, transaction

from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import BoxedSheet, Round, RoundStatus, SheetFingerprint


def seal_box(round_id: int) -> int:
    """For a caller that holds the round row FOR UPDATE with intake stopped and every sheet
    folded (round_close): refuse if the box still holds a sheet of the round; delete the
    round's fingerprints. Returns how many fingerprints were deleted."""
    if BoxedSheet.objects.filter(round_id=round_id).exists():
        raise AppraisalError("还有未汇总的评价表，请先结算")
    fingerprints = SheetFingerprint.objects.filter(round_id=round_id)
    if connection.vendor != "sqlite":
        return int(fingerprints.delete()[0])
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA secure_delete = 1")
        try:
            return int(fingerprints.delete()[0])
        finally:
            cursor.execute(f"PRAGMA secure_delete = {int(previous)}")


def ballots_seal(round_id: int) -> int:
    """Seal a round that is no longer collecting (folding what is left first): what
    `chuangxian appraisal_fold` does for a round an upgrade or a crash left unsealed."""
    from chuangxian.appraisal.services.folding import ballots_fold

    with transaction.atomic():
        status = (
            Round.objects.select_for_update()
            .filter(pk=round_id)
            .values_list("status", flat=True)
            .first()
        )
        if status is None or status == RoundStatus.COLLECTING:
            raise AppraisalError("测评期间不能封存评价表")
        ballots_fold(round_id)
        return seal_box(round_id)


def rounds_to_seal() -> list[int]:
    """Rounds no longer collecting that still have sheets in the box or fingerprints."""
    kept = set(BoxedSheet.objects.values_list("round_id", flat=True).distinct())
    kept |= set(SheetFingerprint.objects.values_list("round_id", flat=True).distinct())
    return sorted(
        Round.objects.filter(pk__in=kept)
        .exclude(status=RoundStatus.COLLECTING)
        .values_list("pk", flat=True)
    )

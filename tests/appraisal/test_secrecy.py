"""Secrecy: nothing stored joins a participant to what they chose.

The test plays the curious administrator: it casts ballots in a known order with distinct,
recognisable marks, then tries every stored column of the ballot tables to recover who cast
which sheet (ids in order, times, shared values, token references) and must fail."""

import pytest
from django.db import connection

from chuangxian.appraisal.models import BallotScore, BallotSheet, Participation, UsedToken
from chuangxian.appraisal.selectors import participation_proof
from chuangxian.appraisal.services import ballot_submit, tokens_issue
from chuangxian.appraisal.services.folding import ballots_fold
from chuangxian.audit.services import SYSTEM
from tests.appraisal.helpers import democratic_round, mark_sheet, member_subjects
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

MARKS = ["优秀", "合格", "基本合格", "不合格"]


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def test_ballot_tables_hold_nothing_about_the_rater() -> None:
    for column in _columns("appraisal_ballotsheet") + _columns("appraisal_ballotscore"):
        assert not any(
            word in column
            for word in ("member", "user", "token", "rater", "_at", "time", "date", "address")
        )


def test_cannot_join_participants_to_sheets(tree) -> None:  # type: ignore[no-untyped-def]
    people = [tree.member_a1, tree.member_a1g] + [
        MemberFactory(organization=tree.branch_a1) for _ in range(10)
    ]
    round_ = democratic_round(tree.town_a)
    subjects = member_subjects(round_)
    target = subjects[tree.member_a1.pk]
    # Rater i gives 张三 the mark i % 4 and rates only him: the mark is a label of the rater.
    truth = {}
    for i, rater in enumerate(people):
        mark = MARKS[i % 4]
        sheet = {target: mark}
        ballot_submit(round_=round_, sheet=mark_sheet(round_, sheet), rater_member=rater)
        truth[rater.pk] = mark
    _, tokens = tokens_issue(actor=SYSTEM, round_=round_, organization=tree.branch_a1, count=3)
    for token in tokens:
        ballot_submit(round_=round_, sheet=mark_sheet(round_, {target: "合格"}), token=token)
    assert ballots_fold(round_.pk) == 15

    participants = [p.member_id for p in Participation.objects.filter(round=round_).order_by("id")]
    assert participants == [p.pk for p in people]  # who took part is provable, in order

    def marks_in(order: list[BallotSheet]) -> list[str]:
        points = {s.sheet_id: s.points for s in BallotScore.objects.filter(subject=target)}
        label = {100.0: "优秀", 80.0: "合格", 60.0: "基本合格", 0.0: "不合格"}
        return [label[points[s.pk]] for s in order if s.kind == "member"]

    expected = [truth[m] for m in participants]
    sheets = list(BallotSheet.objects.filter(round=round_))
    # 1. By key order: the key is a random UUID, so its order is not the casting order.
    attempts = [sorted(sheets, key=lambda s: s.pk), sorted(sheets, key=lambda s: str(s.pk))]
    # 2. By the fingerprint (the only other column): equally unrelated to time.
    attempts.append(sorted(sheets, key=lambda s: s.fingerprint))
    # 3. By the physical row order as the database returns it without ORDER BY.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM appraisal_ballotsheet")
        by_id = {s.pk: s for s in sheets}
        attempts.append(
            [
                by_id[row[0]]
                if not isinstance(row[0], str)
                else next(s for s in sheets if s.pk.hex == row[0].replace("-", ""))
                for row in cursor.fetchall()
            ]
        )
    recovered = [marks_in(order) == expected for order in attempts]
    # With 12 raters and 4 marks a chance match of the whole sequence is negligible except for
    # the physical order, which is exactly what a random key defeats only in index order:
    assert not any(recovered[:3])
    # 4. No shared column: sheet and participation share only the round.
    shared = set(_columns("appraisal_ballotsheet")) & set(_columns("appraisal_participation"))
    assert shared <= {"id", "round_id", "kind"}
    # 5. Tokens: the used-token row holds a keyed hash and a day, the sheet nothing of either.
    used = UsedToken.objects.filter(round=round_)
    assert used.count() == 3
    assert not set(_columns("appraisal_usedtoken")) & (
        set(_columns("appraisal_ballotsheet")) - {"id", "round_id"}
    )
    assert all(token not in u.token_hash for u in used for token in tokens)
    # Counts stay provable.
    proof = participation_proof(round_)
    assert proof.matches and proof.members == 12 and proof.public_tokens == 3

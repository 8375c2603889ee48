"""Secrecy: once sheets are folded, nothing stored joins a participant to what they chose.

The tests play the administrator with full database access: they cast ballots in a known
order with recognisable content, close the round, then try the joins the issue found (the
member sheet's self row, the sheets' physical order against participation, times) and every
other stored column, and must find nothing. They run on SQLite and PostgreSQL alike."""

import pytest
from django.db import DatabaseError, connection, transaction

from chuangxian.appraisal.models import (
    BallotCount,
    BallotSheet,
    BoxedSheet,
    Participation,
    SheetFingerprint,
)
from chuangxian.appraisal.selectors import anomaly_flags, participation_proof
from chuangxian.appraisal.services import ballot_submit, round_close, tokens_issue
from chuangxian.audit.services import SYSTEM
from tests.appraisal.helpers import democratic_round, mark_sheet, member_subjects
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

MARKS = ["优秀", "合格", "基本合格", "不合格"]
ARCHIVE = ("appraisal_ballotsheet", "appraisal_ballotcount")


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def _physical_order(table: str, round_id: int) -> list[str]:
    """The rows' keys in storage order: SQLite's rowid, PostgreSQL's ctid."""
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE round_id = %s ORDER BY {position}",  # noqa: S608
            [round_id],
        )
        return [str(row[0]).replace("-", "") for row in cursor.fetchall()]


def _cast(tree):  # type: ignore[no-untyped-def]
    """12 members of one branch each rate every member of the branch (themselves included,
    which is their self-rating) with a pattern of marks of their own; 3 public tokens; the
    township administrator. Returns the round and the casting order of kinds."""
    people = [tree.member_a1, tree.member_a1g] + [
        MemberFactory(organization=tree.branch_a1) for _ in range(10)
    ]
    # The branch's own round: every subject is rated by others, so it may close.
    round_ = democratic_round(tree.branch_a1)
    subjects = member_subjects(round_)
    branch = [subjects[p.pk] for p in people]
    order = []
    _, tokens = tokens_issue(actor=SYSTEM, round_=round_, organization=tree.branch_a1, count=3)
    for i, rater in enumerate(people):
        marks = {s: MARKS[(i + j) % 4] for j, s in enumerate(branch)}
        ballot_submit(round_=round_, sheet=mark_sheet(round_, marks), rater_member=rater)
        order.append("member")
        if i % 4 == 3:
            token = tokens.pop()
            same = dict.fromkeys(branch, "合格")
            ballot_submit(round_=round_, sheet=mark_sheet(round_, same), token=token)
            order.append("public")
    ballot_submit(
        round_=round_, sheet=mark_sheet(round_, {branch[0]: "优秀"}), rater_user=tree.town_admin
    )
    order.append("superior")
    return round_, people, order


def test_archive_tables_hold_nothing_about_the_rater() -> None:
    for table in ARCHIVE:
        for column in _columns(table):
            assert not any(
                word in column
                for word in ("member", "user", "token", "rater", "_at", "time", "date", "address")
            ), (table, column)
    # The folded sheet is a key, a round and a kind: no scores or content hash hang on it, and
    # no table of the app refers to a sheet.
    assert set(_columns("appraisal_ballotsheet")) == {"id", "round_id", "kind"}
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if "appraisal" in t]
    assert all("sheet_id" not in _columns(t) for t in tables)


def test_closed_round_cannot_be_joined_to_its_raters(tree) -> None:  # type: ignore[no-untyped-def]
    round_, people, order = _cast(tree)
    boxed = {str(k).replace("-", "") for k in BoxedSheet.objects.values_list("id", flat=True)}
    assert len(boxed) == len(order)
    assert "identical_sheets" in {f.kind for f in anomaly_flags(round_)}  # the public's
    round_close(actor=SYSTEM, round_=round_)

    # The ballot box is empty: what linked a sheet to its rater while collecting is gone.
    assert not BoxedSheet.objects.filter(round=round_).exists()
    sheets = list(BallotSheet.objects.filter(round=round_))
    assert len(sheets) == len(order)

    # 1. The issue's join by the self row: scores no longer hang on sheets at all.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT bs.sheet_id, rs.member_id FROM appraisal_ballotscore bs "
            "JOIN appraisal_roundsubject rs ON rs.id = bs.subject_id "
            "WHERE bs.\"group\" = 'self'"
        )
    # A self-rating is one count on the subject's own row, beside nobody's other marks.
    selfs = BallotCount.objects.filter(round=round_, group="self")
    assert sum(c.count for c in selfs) == len(people)
    assert set(_columns("appraisal_ballotcount")) == {
        "round_id",
        "subject_id",
        "indicator_id",
        "group",
        "points",
        "count",
    }

    # 2. Physical order (rowid / ctid): within one fold (here: the close's), exactly the order
    # of the fresh random keys, none of which is a key the sheet had in the box. (Across folds
    # the order follows fold batches, but a sheet row holds nothing but its kind.)
    physical = _physical_order("appraisal_ballotsheet", round_.pk)
    assert physical == sorted(physical)
    assert not set(physical) & boxed
    # The participation rows, in their own order, prove who took part — and nothing else.
    participants = [p.member_id for p in Participation.objects.filter(round=round_).order_by("id")]
    assert participants[: len(people)] == [p.pk for p in people]

    # 3. Times: no column of the archive holds a date or a time; on PostgreSQL every sealed row
    # carries the one transaction id of the close, not its participation's.
    with connection.cursor() as cursor:
        for table in ARCHIVE:
            described = connection.introspection.get_table_description(cursor, table)
            kinds = {connection.introspection.get_field_type(c.type_code, c) for c in described}
            assert not kinds & {"DateTimeField", "DateField", "TimeField"}, table
        if connection.vendor == "postgresql":
            for table in ARCHIVE:
                cursor.execute(
                    f"SELECT count(DISTINCT xmin::text) FROM {table} "  # noqa: S608
                    "WHERE round_id = %s",
                    [round_.pk],
                )
                assert cursor.fetchone()[0] == 1, table
            cursor.execute(
                "SELECT count(*) FROM appraisal_participation p, appraisal_ballotsheet b "
                "WHERE p.round_id = %s AND b.round_id = p.round_id AND p.xmin = b.xmin",
                [round_.pk],
            )
            assert cursor.fetchone()[0] == 0

    # 4. Content: no per-sheet content survives, not even a keyed fingerprint (the
    # identical-sheet flag is for before closing).
    assert not SheetFingerprint.objects.filter(round=round_).exists()
    assert "identical_sheets" not in {f.kind for f in anomaly_flags(round_)}

    # Counts stay provable.
    proof = participation_proof(round_)
    assert proof.matches and proof.members == 12 and proof.public_tokens == 3
    assert proof.superiors == 1


def test_box_is_only_readable_while_collecting(tree) -> None:  # type: ignore[no-untyped-def]
    """The stated limit, checked so it is not understated: before close the box does hold a
    member's self-rating with their other marks, and arrival order."""
    round_, people, _ = _cast(tree)
    subjects = member_subjects(round_)
    first = BoxedSheet.objects.filter(round=round_, kind="member")
    own = f"{subjects[people[0].pk].pk}:"
    assert any(f",{own}" in f",{b.payload}" and ":0:" in b.payload for b in first)
    round_close(actor=SYSTEM, round_=round_)
    assert not BoxedSheet.objects.exists()


def test_reopened_round_seals_again_and_adds_counts(tree) -> None:  # type: ignore[no-untyped-def]
    from chuangxian.appraisal.services import round_reopen

    round_, people, order = _cast(tree)
    round_close(actor=SYSTEM, round_=round_)
    before = sum(c.count for c in BallotCount.objects.filter(round=round_))
    round_ = round_reopen(actor=SYSTEM, round_=round_, reason="补充群众测评")
    _, tokens = tokens_issue(actor=SYSTEM, round_=round_, organization=tree.branch_a1, count=1)
    subjects = member_subjects(round_)
    ballot_submit(
        round_=round_,
        sheet=mark_sheet(round_, {subjects[people[0].pk]: "优秀"}),
        token=tokens[0],
    )
    round_close(actor=SYSTEM, round_=round_)
    assert not BoxedSheet.objects.exists()
    assert BallotSheet.objects.filter(round=round_).count() == len(order) + 1
    assert sum(c.count for c in BallotCount.objects.filter(round=round_)) == before + 1


def test_fold_command_seals_a_round_left_unsealed(tree) -> None:  # type: ignore[no-untyped-def]
    """A round closed without its box emptied (a crash, an upgrade): `chuangxian
    appraisal_fold` folds what is left and deletes the fingerprints."""
    from django.core.management import call_command

    from chuangxian.appraisal.models import Round

    round_, _, order = _cast(tree)
    Round.objects.filter(pk=round_.pk).update(status="closed")
    call_command("appraisal_fold", verbosity=0)
    assert not BoxedSheet.objects.filter(round=round_).exists()
    assert not SheetFingerprint.objects.filter(round=round_).exists()
    assert BallotSheet.objects.filter(round=round_).count() == len(order)

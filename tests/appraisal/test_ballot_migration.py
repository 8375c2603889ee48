"""Migration appraisal/0006: the old folded sheets become per-mark counts and content-free
sheet rows under fresh keys (their score rows and plain fingerprints gone); a sheet still
pending goes into the ballot box."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("appraisal", "0005_round_meeting")]
AFTER = [("appraisal", "0006_ballot_box_and_sealed_counts")]


def test_old_sheets_are_sealed_or_boxed(tree) -> None:  # type: ignore[no-untyped-def]
    from tests.appraisal.helpers import democratic_round, leaf_of, member_subjects

    closed = democratic_round(tree.town_a, code="old-closed")
    collecting = democratic_round(tree.town_a, code="old-open")
    subjects = {r.pk: member_subjects(r) for r in (closed, collecting)}
    leaves = {r.pk: leaf_of(r).pk for r in (closed, collecting)}
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Round = old.get_model("appraisal", "Round")
    Sheet = old.get_model("appraisal", "BallotSheet")
    Score = old.get_model("appraisal", "BallotScore")
    Round.objects.filter(pk=closed.pk).update(status="closed")
    self_subject = subjects[closed.pk][tree.member_a1.pk].pk
    peer = subjects[closed.pk][tree.member_a1g.pk].pk
    old_ids = []
    for n, (subject, group, points) in enumerate(
        [(self_subject, "self", 100.0), (peer, "members", 80.0)]
    ):
        sheet = Sheet.objects.create(
            id=uuid.uuid4(), round_id=closed.pk, kind="member", fingerprint=f"plain{n}"
        )
        old_ids.append(sheet.pk)
        Score.objects.create(
            sheet=sheet,
            subject_id=subject,
            indicator_id=leaves[closed.pk],
            group=group,
            points=points,
        )
    open_subject = subjects[collecting.pk][tree.member_a1.pk].pk
    Sheet.objects.create(
        id=uuid.uuid4(),
        round_id=collecting.pk,
        kind="public",
        fingerprint="p",
        payload=f"{open_subject}:{leaves[collecting.pk]}:3:60.0",
        pending=True,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Sealed = new.get_model("appraisal", "BallotSheet")
    Count = new.get_model("appraisal", "BallotCount")
    Boxed = new.get_model("appraisal", "BoxedSheet")
    sealed = list(Sealed.objects.filter(round_id=closed.pk))
    assert len(sealed) == 2 and not {s.pk for s in sealed} & set(old_ids)
    counts = {(c.subject_id, c.group, c.points): c.count for c in Count.objects.all()}
    assert counts == {(self_subject, "self", 100.0): 1, (peer, "members", 80.0): 1}
    boxed = Boxed.objects.get(round_id=collecting.pk)
    assert boxed.payload.endswith(":3:60.0") and boxed.fingerprint == ""
    assert not Sealed.objects.filter(round_id=collecting.pk).exists()
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())

"""The benchmark's bulk writer produces exactly the rows ballot_submit would (PostgreSQL)."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.db import connection

from bench.appraisal import plan_ballots, sheet_for_service, write_ballots
from chuangxian.appraisal.models import BallotSheet, Participation, Tally, UsedToken
from chuangxian.appraisal.services import ballot_submit, round_close, tokens_issue
from chuangxian.appraisal.services.folding import ballots_fold
from chuangxian.audit.services import SYSTEM
from tests.appraisal.helpers import democratic_round, leaf_of, member_subjects, stored_marks
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL")
def test_bulk_writer_equals_service(tree) -> None:  # type: ignore[no-untyped-def]
    for _ in range(8):
        MemberFactory(organization=tree.branch_a1)
    for _ in range(6):
        MemberFactory(organization=tree.branch_a2)
    rounds = [democratic_round(tree.town_a, code=f"bench{i}") for i in range(2)]
    snapshots = []
    for index, round_ in enumerate(rounds):
        subjects = member_subjects(round_)
        branches = []
        for branch in (tree.branch_a1, tree.branch_a2):
            ids = sorted(m for m, s in subjects.items() if s.organization_id == branch.pk)
            branches.append([(subjects[m].pk, m) for m in ids])
        plan = list(plan_ballots(branches, lambda b: tree.town_admin.pk, random.Random(7)))
        leaf = leaf_of(round_)
        if index == 0:
            write_ballots(round_.pk, leaf.pk, iter(plan), dt.date(2026, 12, 1))
        else:
            from chuangxian.orgs.models import Member, User

            public = [s for s in plan if s.kind == "public"]
            _, tokens = tokens_issue(
                actor=SYSTEM, round_=round_, organization=tree.town_a, count=len(public)
            )
            tokens_left = iter(tokens)
            for sheet in plan:
                kwargs: dict[str, object] = {}
                if sheet.kind == "member":
                    kwargs["rater_member"] = Member.objects.get(pk=sheet.rater)
                elif sheet.kind == "superior":
                    kwargs["rater_user"] = User.objects.get(pk=sheet.rater)
                else:
                    kwargs["token"] = next(tokens_left)
                ballot_submit(
                    round_=round_,
                    sheet=sheet_for_service(sheet, leaf.pk),
                    today=dt.date(2026, 12, 1),
                    **kwargs,
                )
            ballots_fold(round_.pk)
        by_subject = {s.pk: m for m, s in subjects.items()}
        tallies = {
            by_subject[t.subject_id]: tuple(
                getattr(t, f"{k}_{g}")
                for g in ("self", "members", "superior", "public")
                for k in ("n", "sum", "min", "max")
            )
            for t in Tally.objects.filter(round=round_)
        }
        round_close(actor=SYSTEM, round_=round_)
        scores = Counter(
            {
                (by_subject[sid], group, points): n
                for (sid, _, group, points), n in stored_marks(round_.pk).items()
            }
        )
        sheets = Counter(BallotSheet.objects.filter(round=round_).values_list("kind", flat=True))
        people = Counter(
            Participation.objects.filter(round=round_).values_list("kind", "member_id", "user_id")
        )
        snapshots.append(
            (tallies, scores, sheets, people, UsedToken.objects.filter(round=round_).count())
        )
    assert snapshots[0] == snapshots[1]

"""Shared builders for the appraisal tests."""

from collections import Counter
from typing import Any

from chuangxian.appraisal.models import Indicator, LeafKind, Round, RoundSubject, SubjectType
from chuangxian.appraisal.schemes import choice_codes, democratic_spec
from chuangxian.appraisal.services import round_collect, round_open, scheme_create
from chuangxian.audit.services import SYSTEM
from chuangxian.orgs.models import Organization


def democratic_round(org: Organization, *, code: str = "democratic", **spec_changes: Any) -> Round:
    spec = democratic_spec()
    spec.code = code
    for name, value in spec_changes.items():
        setattr(spec, name, value)
    scheme = scheme_create(actor=SYSTEM, spec=spec)
    round_ = round_open(
        actor=SYSTEM, scheme=scheme, organization=org, name="2026年民主评议", year=2026
    )
    return round_collect(actor=SYSTEM, round_=round_)


def leaf_of(round_: Round) -> Indicator:
    return Indicator.objects.get(scheme=round_.scheme, kind=LeafKind.RATED)


def member_subjects(round_: Round) -> dict[int, RoundSubject]:
    """member id → subject."""
    return {
        s.member_id: s
        for s in RoundSubject.objects.filter(round=round_, kind=SubjectType.MEMBER)
        if s.member_id is not None
    }


def mark_sheet(round_: Round, marks: dict[RoundSubject, str]) -> dict[int, dict[int, str]]:
    leaf = leaf_of(round_)
    return {s.pk: {leaf.pk: mark} for s, mark in marks.items()}


def posted(round_: Round, mark: str) -> str:
    """What the ballot page posts for `mark` on the round's rated leaf: its code
    (schemes.choice_codes), not the label the rater sees."""
    codes = choice_codes(leaf_of(round_).scale)
    return next(code for code, (label, _) in codes.items() if label == mark)


def superior_rates_everyone(round_: Round, user: Any, mark: str = "合格") -> None:
    """One superior sheet rating every subject of the round: enough for each subject to rest
    on more than its self-rating, so tests about something else may close (close_problems)."""
    from chuangxian.appraisal.services import ballot_submit

    subjects = RoundSubject.objects.filter(round=round_)
    ballot_submit(
        round_=round_, sheet=mark_sheet(round_, dict.fromkeys(subjects, mark)), rater_user=user
    )


def stored_marks(round_id: int) -> "Counter[tuple[int, int, str, float]]":
    """Every folded mark of the round as (subject, leaf, group, points) → how many (BallotCount;
    sheets still in the ballot box are not folded yet)."""
    from chuangxian.appraisal.models import BallotCount

    marks: Counter[tuple[int, int, str, float]] = Counter()
    for c in BallotCount.objects.filter(round_id=round_id):
        marks[(c.subject_id, c.indicator_id, c.group, c.points)] += c.count
    return marks

"""Demo data: two appraisal rounds for the demo township, through the services, with the
shipped schemes that use the records (the modules seeded before appraisal provide them):

- 民主评议党员（测评与平时记录） for the demo branch (the one the demo secretary runs): every
  member rates the branch (themselves included), the township administrator rates as the
  superior, five of the public through tokens; closed, reviewed and published, so each member
  sees their result.
- 五好党支部（测评与工作记录） for the township's branches: three members of each branch, the
  township administrator and three of the public per branch rate it; closed and left for
  review, so the administrator can read the explanations, adjust a grade with a reason and
  publish.
"""

import datetime as dt
import random
from typing import Any

from django.db.models import Q

from chuangxian.appraisal.models import (
    Indicator,
    LeafKind,
    Round,
    RoundSubject,
    Scheme,
)
from chuangxian.appraisal.services import (
    ballot_submit,
    round_close,
    round_collect,
    round_open,
    round_publish,
    round_review,
    schemes_install_defaults,
    tokens_issue,
)
from chuangxian.audit.services import Actor
from chuangxian.orgs.models import (
    Member,
    MemberStatus,
    Organization,
    OrgKind,
    Role,
    RoleGrant,
    User,
)
from chuangxian.orgs.models.organization import BRANCH_KINDS

ACTOR = Actor(label="seed_demo")
MEMBER_RATERS_PER_BRANCH = 3
PUBLIC_PER_BRANCH = 3
MARKS = (("优秀", 0.35), ("合格", 0.52), ("基本合格", 0.11), ("不合格", 0.02))


def _mark(rng: random.Random, bias: float) -> str:
    """A 民主测评 mark; `bias` (−1…1) shifts a member's marks up or down."""
    x = rng.random() - bias * 0.25
    for mark, share in MARKS:
        if x < share:
            return mark
        x -= share
    return MARKS[-1][0]


def _demo_branch(root: Organization) -> Organization | None:
    """The branch of the demo secretary, else the largest branch of the township."""
    grant = (
        RoleGrant.objects.filter(role=Role.SECRETARY, organization__path__startswith=root.path)
        .select_related("organization")
        .order_by("organization__path")
        .first()
    )
    if grant is not None:
        return grant.organization
    branches = Organization.objects.filter(path__startswith=root.path, kind__in=BRANCH_KINDS)
    return max(branches, key=lambda b: Member.objects.filter(organization=b).count(), default=None)


def _administrator(root: Organization) -> Any:
    grant = (
        RoleGrant.objects.filter(role=Role.ADMIN, organization=root).select_related("user").first()
    )
    if grant is not None:
        return grant.user
    return User.objects.create_user(username=f"demo_appraisal_admin_{root.pk}", password=None)


def _branch_members(branch: Organization) -> list[Member]:
    """Active members of the branch and of its 党小组."""
    in_branch = Q(organization=branch) | Q(
        organization__parent=branch, organization__kind=OrgKind.GROUP
    )
    return list(
        Member.objects.filter(in_branch, status=MemberStatus.ACTIVE)
        .select_related("organization")
        .order_by("id")
    )


def _democratic(
    *, root: Organization, branch: Organization, admin: Any, today: dt.date, rng: random.Random
) -> Round:
    scheme = Scheme.objects.get(code="democratic_records")
    round_ = round_open(
        actor=ACTOR,
        scheme=scheme,
        organization=branch,
        name=f"{today.year}年度民主评议党员（{branch.name}）",
        year=today.year,
    )
    round_ = round_collect(actor=ACTOR, round_=round_)
    leaf = Indicator.objects.get(scheme=scheme, kind=LeafKind.RATED)
    subjects = list(RoundSubject.objects.filter(round=round_))
    bias = {s.pk: rng.uniform(-1, 1) for s in subjects}

    def sheet() -> dict[int, dict[int, str]]:
        return {s.pk: {leaf.pk: _mark(rng, bias[s.pk])} for s in subjects}

    for member in _branch_members(branch):
        ballot_submit(round_=round_, sheet=sheet(), rater_member=member, today=today)
    ballot_submit(round_=round_, sheet=sheet(), rater_user=admin, today=today)
    _, tokens = tokens_issue(
        actor=ACTOR, round_=round_, organization=branch, count=5, label="群众代表", today=today
    )
    for token in tokens:
        ballot_submit(round_=round_, sheet=sheet(), token=token, today=today)
    round_ = round_close(actor=ACTOR, round_=round_)
    round_ = round_review(actor=ACTOR, round_=round_)
    return round_publish(actor=ACTOR, round_=round_)


def _five_good(
    *, root: Organization, admin: Any, today: dt.date, rng: random.Random
) -> Round | None:
    scheme = Scheme.objects.get(code="five_good_branch")
    round_ = round_open(
        actor=ACTOR,
        scheme=scheme,
        organization=root,
        name=f"{today.year}年度“五好”党组织考评",
        year=today.year,
    )
    round_ = round_collect(actor=ACTOR, round_=round_)
    leaves = list(Indicator.objects.filter(scheme=scheme, kind=LeafKind.RATED))
    subjects = list(RoundSubject.objects.filter(round=round_).select_related("organization"))
    quality = {s.pk: rng.uniform(62, 97) for s in subjects}

    def points(subject: RoundSubject) -> dict[int, dict[int, float]]:
        base = quality[subject.pk]
        return {
            subject.pk: {
                leaf.pk: round(min(100.0, max(0.0, rng.gauss(base, 6))), 1) for leaf in leaves
            }
        }

    superior: dict[int, dict[int, float]] = {}
    for subject in subjects:
        superior |= points(subject)
        members = Member.objects.filter(
            organization=subject.organization, status=MemberStatus.ACTIVE
        ).select_related("organization")[:MEMBER_RATERS_PER_BRANCH]
        for member in members:
            ballot_submit(round_=round_, sheet=points(subject), rater_member=member, today=today)
        _, tokens = tokens_issue(
            actor=ACTOR,
            round_=round_,
            organization=subject.organization,
            count=PUBLIC_PER_BRANCH,
            label="群众评议",
            today=today,
        )
        for token in tokens:
            ballot_submit(round_=round_, sheet=points(subject), token=token, today=today)
    ballot_submit(round_=round_, sheet=superior, rater_user=admin, today=today)
    return round_close(actor=ACTOR, round_=round_)


def seed_demo_appraisal(*, root: Organization, today: dt.date, rng: random.Random) -> None:
    """Add the two demo rounds under `root` (see the module docstring)."""
    schemes_install_defaults(actor=ACTOR)
    admin = _administrator(root)
    branch = _demo_branch(root)
    if branch is not None:
        _democratic(root=root, branch=branch, admin=admin, today=today, rng=rng)
    if Organization.objects.filter(path__startswith=root.path, kind__in=BRANCH_KINDS).exists():
        _five_good(root=root, admin=admin, today=today, rng=rng)

"""Ballot intake and public tokens.

A sheet is written in one transaction together with (a) the rater's participation row or the
burnt token's keyed hash and (b) the running tallies of every subject and leaf it rates. The
sheet and its scores carry nothing that identifies the rater: see models.py."""

import datetime as dt
import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import (
    BallotScore,
    BallotSheet,
    Indicator,
    IntakeCounter,
    IssuedToken,
    LeafKind,
    Participation,
    RaterGroup,
    RaterKind,
    Round,
    RoundStatus,
    RoundSubject,
    TokenBatch,
    UsedToken,
)
from chuangxian.appraisal.schemes import scale_points
from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.access import scope_for
from chuangxian.orgs.models import Member, MemberStatus, Organization, OrgKind

# A sheet maps a subject id to {leaf indicator id: the answer on the leaf's scale}.
Sheet = Mapping[int, Mapping[int, Any]]

BURST_BUCKET_MINUTES = 10
BURST_LIMIT = 60  # sheets per address per bucket before intake refuses
TOKEN_BATCH_MAX = 5_000


@dataclass(frozen=True)
class Receipt:
    """What the rater is told: how many ratings were counted. Deliberately no ballot id."""

    subjects: int
    ratings: int


def token_hash(token: str) -> str:
    return fieldcrypto.keyed_hash("appraisal-token:" + token.strip())


def address_hash(round_id: int, address: str) -> str:
    return fieldcrypto.keyed_hash(f"appraisal-address:{round_id}:{address}")


def sheet_fingerprint(scores: list[tuple[int, int, float]]) -> str:
    """Equal for sheets giving the same points to the same subjects and leaves."""
    canonical = json.dumps(sorted(scores), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _branch_id(org: Organization) -> int:
    return org.parent_id if org.kind == OrgKind.GROUP and org.parent_id else org.pk


def _rater_groups(
    *,
    round_: Round,
    subjects: dict[int, RoundSubject],
    rater_member: Member | None,
    rater_user: Any,
    batch: TokenBatch | None,
) -> dict[int, str]:
    """The group each rated subject's ratings count in; refuses subjects this rater may not
    rate. Members: themselves (self) and their own branch (members). The superior: subjects
    below an organization they administer (not that organization itself). The public: subjects
    inside the token batch's organization."""
    groups: dict[int, str] = {}
    if rater_member is not None:
        branch_id = _branch_id(rater_member.organization)
        for sid, subject in subjects.items():
            if subject.stable_ref == rater_member.pk and subject.member_id == rater_member.pk:
                groups[sid] = RaterGroup.SELF
            elif subject.organization_id == branch_id:
                groups[sid] = RaterGroup.MEMBERS
            else:
                raise AppraisalError(f"只能评价本支部的对象：“{subject.label}”不在本支部")
    elif batch is not None:
        for sid, subject in subjects.items():
            if not subject.organization.path.startswith(batch.organization.path):
                raise AppraisalError(f"该二维码不能评价“{subject.label}”")
            groups[sid] = RaterGroup.PUBLIC
    else:
        admin_paths = scope_for(rater_user).admin_paths
        for sid, subject in subjects.items():
            path = subject.organization.path
            if not any(path.startswith(p) and path != p for p in admin_paths):
                raise AppraisalError(f"您不是“{subject.label}”的上级组织管理员")
            groups[sid] = RaterGroup.SUPERIOR
    return groups


def _scores_of(
    sheet: Sheet, leaves: dict[int, Indicator], subjects: dict[int, RoundSubject]
) -> list[tuple[int, int, float]]:
    scores: list[tuple[int, int, float]] = []
    for sid, answers in sheet.items():
        if set(answers) != set(leaves):
            raise AppraisalError(f"请对“{subjects[sid].label}”的每一项指标作出评价")
        for leaf_id, answer in answers.items():
            points = scale_points(leaves[leaf_id].scale, answer)
            if points is None:
                raise AppraisalError(
                    f"“{subjects[sid].label}”的“{leaves[leaf_id].name}”评价不在评分标准内"
                )
            scores.append((sid, leaf_id, points))
    return scores


_GROUP_COLUMNS = ("n_{g}", "sum_{g}", "min_{g}", "max_{g}")


def tally_add(round_id: int, group: str, scores: list[tuple[int, int, float]]) -> None:
    """Add one group's scores to the running tallies with one UPDATE … FROM (VALUES …), the
    same SQL on PostgreSQL and SQLite (≥ 3.33). Rows exist from round_open.

    The column names are interpolated (`noqa: S608`): `group` is checked against
    RaterGroup.values first; every value is a bound parameter."""
    if group not in RaterGroup.values:
        raise ValueError(group)
    n, total, low, high = (c.format(g=group) for c in _GROUP_COLUMNS)
    # One order for every sheet, so concurrent sheets lock shared tally rows in the same order
    # (no deadlocks between two sheets rating the same subjects).
    scores = sorted(scores)
    values = ", ".join(["(%s, %s, %s)"] * len(scores))
    params: list[Any] = [round_id]
    for sid, leaf_id, points in scores:
        params += [sid, leaf_id, points]
    table = "appraisal_tally"
    p = "CAST(v.column3 AS DOUBLE PRECISION)"
    sql = (
        f"UPDATE {table} SET {n} = {n} + 1, {total} = {total} + {p}, "  # noqa: S608
        f"{low} = CASE WHEN {low} IS NULL OR {p} < {low} THEN {p} ELSE {low} END, "
        f"{high} = CASE WHEN {high} IS NULL OR {p} > {high} THEN {p} ELSE {high} END "
        f"FROM (VALUES {values}) AS v "
        f"WHERE {table}.round_id = %s AND {table}.subject_id = v.column1 "
        f"AND {table}.indicator_id = v.column2"
    )
    # The round id comes last in the text, first in the list: move it.
    params = params[1:] + params[:1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != len(scores):
            raise AppraisalError("考评对象或指标不属于本轮考评")


def _count_address(round_: Round, address: str | None) -> None:
    if not address:
        return
    now = timezone.now()
    bucket = now.replace(
        minute=now.minute - now.minute % BURST_BUCKET_MINUTES, second=0, microsecond=0
    )
    counter, _ = IntakeCounter.objects.get_or_create(
        round=round_, address_hash=address_hash(round_.pk, address), bucket=bucket
    )
    if counter.count >= BURST_LIMIT:
        raise AppraisalError("提交过于频繁，请稍后再试")
    IntakeCounter.objects.filter(pk=counter.pk).update(count=F("count") + 1)


@transaction.atomic
def ballot_submit(
    *,
    round_: Round,
    sheet: Sheet,
    rater_member: Member | None = None,
    rater_user: Any = None,
    token: str | None = None,
    address: str | None = None,
    today: dt.date | None = None,
) -> Receipt:
    """Record one ballot sheet. Exactly one of `rater_member` (a member: self and own-branch
    peers), `rater_user` (the superior) or `token` (the public) names the rater.

    Guarantees: the round is collecting; the rater submits at most one sheet per round (a
    member or user once, a token once and only in its own round); every subject and leaf
    belongs to the round, every answer is on its leaf's scale and every rated leaf of each
    subject is answered; the sheet, its scores, the participation row or burnt token and the
    tallies commit together or not at all. The stored sheet has no link to the rater.
    """
    today = today or timezone.localdate()
    if sum(x is not None for x in (rater_member, rater_user, token)) != 1:
        raise AppraisalError("评价人须为党员、上级或群众二维码之一")
    round_ = Round.objects.select_related("scheme").get(pk=round_.pk)
    if round_.status != RoundStatus.COLLECTING:
        raise AppraisalError("本轮考评不在测评期间")
    if not sheet:
        raise AppraisalError("请至少评价一个对象")
    subjects = {
        s.pk: s
        for s in RoundSubject.objects.filter(round=round_, pk__in=list(sheet)).select_related(
            "organization"
        )
    }
    if len(subjects) != len(sheet):
        raise AppraisalError("考评对象不属于本轮考评")
    leaves = {
        leaf.pk: leaf
        for leaf in Indicator.objects.filter(scheme=round_.scheme, kind=LeafKind.RATED)
    }
    scores = _scores_of(sheet, leaves, subjects)
    batch: TokenBatch | None = None
    hashed = ""
    if token is not None:
        hashed = token_hash(token)
        issued = IssuedToken.objects.filter(token_hash=hashed).select_related("batch__organization")
        found = issued.first()
        if found is None or found.batch.round_id != round_.pk:
            raise AppraisalError("二维码无效或不属于本轮考评")
        batch = found.batch
    elif rater_member is not None:
        if rater_member.status != MemberStatus.ACTIVE:
            raise AppraisalError("只有在册党员可以参加测评")
        rater_member = Member.objects.select_related("organization").get(pk=rater_member.pk)
    groups = _rater_groups(
        round_=round_,
        subjects=subjects,
        rater_member=rater_member,
        rater_user=rater_user,
        batch=batch,
    )
    _count_address(round_, address)
    kind = RaterKind.PUBLIC if batch else RaterKind.MEMBER if rater_member else RaterKind.SUPERIOR
    try:
        with transaction.atomic():
            if batch is not None:
                UsedToken.objects.create(
                    round=round_, batch=batch, token_hash=hashed, used_on=today
                )
            else:
                Participation.objects.create(
                    round=round_, kind=kind, member=rater_member, user=rater_user
                )
    except IntegrityError:
        raise AppraisalError(
            "该二维码已使用过" if batch else "您已提交过本轮测评，每人只能提交一次"
        ) from None
    ballot = BallotSheet.objects.create(
        round=round_, kind=kind, fingerprint=sheet_fingerprint(scores)
    )
    BallotScore.objects.bulk_create(
        BallotScore(sheet=ballot, subject_id=sid, indicator_id=leaf, group=groups[sid], points=p)
        for sid, leaf, p in scores
    )
    by_group: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for sid, leaf, p in scores:
        by_group[groups[sid]].append((sid, leaf, p))
    for group, group_scores in by_group.items():
        tally_add(round_.pk, group, group_scores)
    return Receipt(subjects=len(sheet), ratings=len(scores))


@transaction.atomic
def tokens_issue(
    *,
    actor: Actor,
    round_: Round,
    organization: Organization,
    count: int,
    label: str = "",
    today: dt.date | None = None,
) -> tuple[TokenBatch, list[str]]:
    """Issue `count` one-time public tokens for `round_`, good for subjects inside
    `organization`. Returns the batch and the plaintext tokens — shown this once (for QR sheets
    or links) and stored only as keyed hashes."""
    if round_.status not in (RoundStatus.OPEN, RoundStatus.COLLECTING):
        raise AppraisalError("只能在测评结束前发放二维码")
    if not 1 <= count <= TOKEN_BATCH_MAX:
        raise AppraisalError(f"每批数量应在1到{TOKEN_BATCH_MAX}之间")
    if not organization.path.startswith(round_.organization.path):
        raise AppraisalError("发放范围应在本轮考评的组织范围之内")
    batch = TokenBatch.objects.create(
        round=round_,
        organization=organization,
        label=label.strip()[:100],
        size=count,
        issued_on=today or timezone.localdate(),
    )
    tokens = [secrets.token_urlsafe(12) for _ in range(count)]
    IssuedToken.objects.bulk_create(
        IssuedToken(batch=batch, token_hash=token_hash(token)) for token in tokens
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=batch,
        object_type="appraisal_token_batch",
        org_path=organization.path,
        changes={"size": [None, count], "round": [None, round_.pk]},
    )
    return batch, tokens

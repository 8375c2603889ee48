"""Ballot intake and public tokens.

A sheet is written as one pending row (its scores in a compact payload) together with the
rater's participation row or the burnt token's keyed hash — one statement on PostgreSQL — and
folded into scores and running tallies later, in batches (services/folding.py). The sheet
carries nothing that identifies the rater: see models.py. The public ballot page's fast path
(intake.py) calls store_sheet directly with metadata cached per process."""

import datetime as dt
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import (
    GROUP_ORDER,
    Indicator,
    IssuedToken,
    LeafKind,
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
# Sheets rating fewer subjects (besides the rater) get no fingerprint: see sheet_fingerprint.
IDENTICAL_MIN_SUBJECTS = 3


@dataclass(frozen=True)
class Receipt:
    """What the rater is told: how many ratings were counted. Deliberately no ballot id."""

    subjects: int
    ratings: int


def token_hash(token: str) -> str:
    return fieldcrypto.keyed_hash("appraisal-token:" + token.strip())


def address_hash(round_id: int, address: str) -> str:
    return fieldcrypto.keyed_hash(f"appraisal-address:{round_id}:{address}")


def sheet_fingerprint(
    scores: list[tuple[int, int, float]], groups: Mapping[int, str] | None = None
) -> str:
    """Equal for sheets giving the same points to the same subjects and leaves, leaving out
    self-ratings (`groups`); blank for a sheet rating fewer than IDENTICAL_MIN_SUBJECTS other
    subjects, where identical sheets are expected and prove nothing. A keyed hash: without the
    installation's key, a fingerprint cannot be matched against guessed sheets (a plain hash of
    a small branch's sheet could be, which would give its content back)."""
    if groups is not None:
        scores = [s for s in scores if groups[s[0]] != RaterGroup.SELF]
    if len({sid for sid, _, _ in scores}) < IDENTICAL_MIN_SUBJECTS:
        return ""
    canonical = json.dumps(sorted(scores), separators=(",", ":"))
    return fieldcrypto.keyed_hash("appraisal-sheet:" + canonical)[:32]


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


GROUP_INDEX: dict[str, int] = {g: i for i, g in enumerate(GROUP_ORDER)}


def encode_payload(scores: list[tuple[int, int, float]], groups: Mapping[int, str]) -> str:
    """A sheet's scores as one compact text: "subject:leaf:group index:points" joined by
    commas. Points are written with repr, which parses back to the same double in Python and
    in PostgreSQL's float8 input."""
    return ",".join(
        f"{sid}:{leaf}:{GROUP_INDEX[groups[sid]]}:{points!r}" for sid, leaf, points in scores
    )


def decode_payload(payload: str) -> list[tuple[int, int, str, float]]:
    """(subject, leaf, group, points) of an encoded sheet."""
    out: list[tuple[int, int, str, float]] = []
    for item in payload.split(","):
        sid, leaf, group, points = item.split(":")
        out.append((int(sid), int(leaf), GROUP_ORDER[int(group)], float(points)))
    return out


class RateLimiter:
    """Sheets per (round, keyed address hash, 10-minute bucket), counted in memory per process
    and written to IntakeCounter every `flush_every` accepted sheets of an address (and for
    every address whose count is older than `flush_seconds`, at the next sheet of any address,
    swept at most once a second).

    Guarantees: a sheet is refused once the database count as last seen by this process plus
    this process's unwritten sheets reaches BURST_LIMIT. The count is read when the address
    is first seen in a bucket and read back (with the other processes' sheets in it) at each
    of this process's own writes, so with P server processes an address gets BURST_LIMIT plus
    at most the sheets the others took since this process last wrote; the database
    count (what the burst flag reads) lags the truth by at most flush_every − 1 sheets per
    address and process while requests keep arriving, and by those unwritten sheets for good
    if a process dies. Counts are written in their own small statement (autocommit when
    outside a transaction), independent of the sheet; a failed count write is logged and never
    turns an accepted sheet into an error."""

    def __init__(self, *, flush_every: int = 8, flush_seconds: float = 5.0) -> None:
        self.flush_every = flush_every
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        # (round, address hash, bucket) → [count in the database as last seen, unwritten, since]
        self._counts: dict[tuple[int, str, dt.datetime], list[Any]] = {}
        self._hashes: dict[tuple[int, str], str] = {}
        # When the counts were last swept for ones older than flush_seconds (see record).
        self._swept = time.monotonic()

    def reset(self, round_id: int | None = None) -> None:
        with self._lock:
            if round_id is None:
                self._counts.clear()
                self._hashes.clear()
            else:
                for key in [k for k in self._counts if k[0] == round_id]:
                    del self._counts[key]

    def _key(self, round_id: int, address: str) -> tuple[int, str, dt.datetime]:
        hashed = self._hashes.get((round_id, address))
        if hashed is None:
            if len(self._hashes) > 100_000:
                self._hashes.clear()
            hashed = self._hashes[(round_id, address)] = address_hash(round_id, address)
        now = timezone.now()
        bucket = now.replace(
            minute=now.minute - now.minute % BURST_BUCKET_MINUTES, second=0, microsecond=0
        )
        return (round_id, hashed, bucket)

    def check(self, round_id: int, address: str | None) -> None:
        """Refuse when the address has reached BURST_LIMIT in this bucket."""
        if not address:
            return
        key = self._key(round_id, address)
        with self._lock:
            entry = self._counts.get(key)
        if entry is None:
            known = self._read(*key)  # outside the lock: other threads need not wait for it
            with self._lock:
                entry = self._counts.setdefault(key, [known, 0, time.monotonic()])
        if entry[0] + entry[1] >= BURST_LIMIT:
            raise AppraisalError("提交过于频繁，请稍后再试")

    def record(self, round_id: int, address: str | None) -> None:
        """Count one accepted sheet; write counts that are due."""
        if not address:
            return
        key = self._key(round_id, address)
        now = time.monotonic()
        due: list[tuple[tuple[int, str, dt.datetime], int]] = []
        with self._lock:
            entry = self._counts.setdefault(key, [0, 0, now])
            entry[1] += 1
            if entry[1] >= self.flush_every:
                due.append((key, entry[1]))
                entry[0], entry[1], entry[2] = entry[0] + entry[1], 0, now
            # The other addresses' old counts: swept at most once a second, not per sheet
            # (the sweep walks every address seen in the last buckets).
            if now - self._swept >= 1.0:
                self._swept = now
                for k, e in self._counts.items():
                    if e[1] and now - e[2] >= self.flush_seconds:
                        due.append((k, e[1]))
                        e[0], e[1], e[2] = e[0] + e[1], 0, now
            if len(self._counts) > 50_000:  # old buckets: their counts are written above
                for k in [k for k, e in self._counts.items() if not e[1]][:25_000]:
                    del self._counts[k]
        self._write_all(due)

    def flush(self) -> None:
        with self._lock:
            due = [(k, e[1]) for k, e in self._counts.items() if e[1]]
            for e in self._counts.values():
                e[0], e[1] = e[0] + e[1], 0
        self._write_all(due)

    def _write_all(self, due: list[tuple[tuple[int, str, dt.datetime], int]]) -> None:
        """Add each count to the database and take back the total, which includes the other
        processes' sheets. A failure is logged, not raised: the sheets are already accepted."""
        for key, n in due:
            try:
                with transaction.atomic():
                    total = self._write(*key, n)
            except DatabaseError:
                logger.warning("appraisal: could not write the intake counter", exc_info=True)
                continue
            with self._lock:
                entry = self._counts.get(key)
                if entry is not None:
                    entry[0] = max(entry[0], total)

    @staticmethod
    def _read(round_id: int, hashed: str, bucket: dt.datetime) -> int:
        """The count in the database (plain SQL: it runs on the intake's hot path)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count FROM appraisal_intakecounter "
                "WHERE round_id = %s AND address_hash = %s AND bucket = %s",
                [round_id, hashed, connection.ops.adapt_datetimefield_value(bucket)],
            )
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _write(round_id: int, hashed: str, bucket: dt.datetime, n: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO appraisal_intakecounter (round_id, address_hash, bucket, count) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (round_id, address_hash, bucket) "
                "DO UPDATE SET count = appraisal_intakecounter.count + excluded.count "
                "RETURNING count",
                [round_id, hashed, connection.ops.adapt_datetimefield_value(bucket), n],
            )
            return int(cursor.fetchone()[0])


logger = logging.getLogger(__name__)
limiter = RateLimiter()


_PG_PUBLIC = """
WITH r AS (
    SELECT id FROM appraisal_round WHERE id = %(round)s AND status = 'collecting' FOR KEY SHARE
), t AS (
    SELECT i.batch_id FROM appraisal_issuedtoken i, r
    WHERE i.token_hash = %(hash)s AND i.batch_id = %(batch)s
), u AS (
    INSERT INTO appraisal_usedtoken (round_id, batch_id, token_hash, used_on)
    SELECT %(round)s, batch_id, %(hash)s, %(today)s FROM t
    ON CONFLICT (token_hash) DO NOTHING RETURNING round_id
)
INSERT INTO appraisal_boxedsheet (id, round_id, kind, fingerprint, payload)
SELECT %(id)s, round_id, %(kind)s, %(fingerprint)s, %(payload)s FROM u
"""

_PG_PERSON = """
WITH r AS (
    SELECT id FROM appraisal_round WHERE id = %(round)s AND status = 'collecting' FOR KEY SHARE
), p AS (
    INSERT INTO appraisal_participation (round_id, kind, member_id, user_id)
    SELECT id, %(kind)s, %(member)s, %(user)s FROM r
    ON CONFLICT DO NOTHING RETURNING round_id
)
INSERT INTO appraisal_boxedsheet (id, round_id, kind, fingerprint, payload)
SELECT %(id)s, round_id, %(kind)s, %(fingerprint)s, %(payload)s FROM p
"""


def store_sheet(
    *,
    round_id: int,
    kind: str,
    payload: str,
    fingerprint: str,
    today: dt.date,
    token: tuple[str, int] | None = None,
    member_id: int | None = None,
    user_id: int | None = None,
) -> None:
    """Write the participation row (member or user) or the burnt token (keyed hash, batch) and
    the pending sheet together, only while the round is collecting — one statement on
    PostgreSQL (a CTE that also takes a key-share lock on the round row, so a concurrent
    round_close, which holds the row FOR UPDATE, either waits for this sheet or makes it fail),
    a few in one transaction elsewhere. The database enforces once-per-token / once-per-rater
    (unique keys). Raises AppraisalError with the reason when nothing was written."""
    params: dict[str, Any] = {
        "round": round_id,
        "kind": kind,
        "payload": payload,
        "fingerprint": fingerprint,
        "id": uuid.uuid4(),
        "today": today,
        "member": member_id,
        "user": user_id,
    }
    if token is not None:
        params["hash"], params["batch"] = token
    if connection.vendor == "postgresql":
        if _execute_prepared(_PG_PUBLIC if token is not None else _PG_PERSON, params) == 1:
            return
        raise AppraisalError(_refusal(round_id, token))
    if not _store_portable(params, token):
        raise AppraisalError(_refusal(round_id, token))


class _PreparedCursor(psycopg.Cursor[Any]):
    """A server-side-binding cursor whose every statement is prepared (psycopg keeps the
    prepared statements of a connection, keyed by their text)."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=True)


def _execute_prepared(sql: str, params: dict[str, Any]) -> int:
    """Run `sql` as a prepared statement of this connection (PostgreSQL; parsed and planned
    once per connection instead of once per ballot, which halves the server's work for the
    accepting statement); the row count. Through Django's cursor wrapper, so it is counted
    and logged like any query."""
    connection.ensure_connection()
    raw: Any = _PreparedCursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(raw) as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _store_portable(params: dict[str, Any], token: tuple[str, int] | None) -> bool:
    params = params | {"id": params["id"].hex}
    with transaction.atomic(), connection.cursor() as cursor:
        # Write first (this takes SQLite's write lock), then read the status: a close that
        # committed before us is seen; one that starts later waits for us.
        try:
            with transaction.atomic():
                if token is not None:
                    cursor.execute(
                        "INSERT INTO appraisal_usedtoken (round_id, batch_id, token_hash, used_on) "
                        "SELECT %(round)s, batch_id, %(hash)s, %(today)s "
                        "FROM appraisal_issuedtoken WHERE token_hash = %(hash)s "
                        "AND batch_id = %(batch)s",
                        params,
                    )
                else:
                    cursor.execute(
                        "INSERT INTO appraisal_participation (round_id, kind, member_id, user_id) "
                        "VALUES (%(round)s, %(kind)s, %(member)s, %(user)s)",
                        params,
                    )
                written = cursor.rowcount == 1
        except IntegrityError:
            written = False
        cursor.execute("SELECT status FROM appraisal_round WHERE id = %s", [params["round"]])
        row = cursor.fetchone()
        if not written or row is None or row[0] != RoundStatus.COLLECTING:
            transaction.set_rollback(True)
            return False
        cursor.execute(
            "INSERT INTO appraisal_boxedsheet (id, round_id, kind, fingerprint, payload) "
            "VALUES (%(id)s, %(round)s, %(kind)s, %(fingerprint)s, %(payload)s)",
            params,
        )
    return True


def _refusal(round_id: int, token: tuple[str, int] | None) -> str:
    """Why store_sheet wrote nothing (read after the fact, off the fast path)."""
    status = Round.objects.filter(pk=round_id).values_list("status", flat=True).first()
    if token is not None:
        if UsedToken.objects.filter(token_hash=token[0]).exists():
            return "该二维码已使用过"
        if not IssuedToken.objects.filter(
            token_hash=token[0], batch_id=token[1], batch__round_id=round_id
        ).exists():
            return "二维码无效或不属于本轮考评"
    if status != RoundStatus.COLLECTING:
        return "本轮考评不在测评期间"
    return "该二维码已使用过" if token is not None else "您已提交过本轮测评，每人只能提交一次"


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
    subject is answered; the sheet and the participation row or burnt token commit together or
    not at all (store_sheet). The sheet is stored pending, with no link to the rater; folding
    (services/folding.py: the background task, and always round_close) adds it to the scores
    and tallies exactly once.
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
    limiter.check(round_.pk, address)
    kind = RaterKind.PUBLIC if batch else RaterKind.MEMBER if rater_member else RaterKind.SUPERIOR
    store_sheet(
        round_id=round_.pk,
        kind=kind,
        payload=encode_payload(sorted(scores), groups),
        fingerprint=sheet_fingerprint(scores, groups),
        today=today,
        token=(hashed, batch.pk) if batch is not None else None,
        member_id=rater_member.pk if rater_member is not None else None,
        user_id=rater_user.pk if rater_member is None and batch is None else None,
    )
    limiter.record(round_.pk, address)
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

"""Benchmark: close a 民主评议 round of N members with the engine, against one DuckDB query.

    python -m bench.appraisal --members N [--seed 2026]

Builds, in the PostgreSQL named by DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/chuangxian_bench_appraisal, created if missing, dropped and
created again when it is that scratch database), N members in branches of about 17 (one 预备
in ten), and the ballots of one round: every member rates themself and the next five members of
the branch; one superior per township rates every member below it; three public tokens per
branch rate every member of the branch — ten ratings per member. The rows are exactly those
ballot_submit writes (sheets, scores, participation, burnt tokens, tallies; tested in
tests/appraisal/test_bench_builder.py), written with COPY.

Then it times `round_close` (the engine) and, after exporting the raw scores to CSV and loading
them into DuckDB (not timed), one hand-written DuckDB query computing the same composites, ranks
and grades from the raw scores (timed: reference_s). The last line is one JSON object.
"""

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.scratch_db import DatabaseUnreachable, prepare_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chuangxian_bench_appraisal"
BRANCHES_PER_TOWN = 50
MARKS = [
    ("优秀", 100.0, 0.35),
    ("合格", 80.0, 0.5),
    ("基本合格", 60.0, 0.12),
    ("不合格", 0.0, 0.03),
]
WORK = Path(tempfile.gettempdir()) / f"chuangxian_bench_appraisal_{os.getpid()}"


# ------------------------------------------------------------------ the ballot plan


@dataclass
class PlannedSheet:
    kind: str  # "member", "superior", "public"
    rater: int | None  # member id, user id, or None for a token
    scores: list[tuple[int, str, float]] = field(default_factory=list)  # subject, group, points


def _mark(rng: random.Random) -> float:
    x = rng.random()
    for _, points, share in MARKS:
        if x < share:
            return points
        x -= share
    return MARKS[-1][1]


def plan_ballots(
    branches: list[list[tuple[int, int]]],
    superior_of: Callable[[int], int],
    rng: random.Random,
    *,
    peers: int = 5,
    public: int = 3,
) -> Iterator[PlannedSheet]:
    """Sheets for branches given as [(subject id, member id)] lists (branch order, member
    order); `superior_of(branch index)` names the superior user. Superior sheets are yielded
    after every branch, one per superior, covering all its branches."""
    superior_sheets: dict[int, PlannedSheet] = {}
    for index, members in enumerate(branches):
        size = len(members)
        for i, (_, member_id) in enumerate(members):
            sheet = PlannedSheet("member", member_id)
            sheet.scores.append((members[i][0], "self", _mark(rng)))
            for step in range(1, min(peers, size - 1) + 1):
                sheet.scores.append((members[(i + step) % size][0], "members", _mark(rng)))
            yield sheet
        for _ in range(public):
            yield PlannedSheet("public", None, [(sid, "public", _mark(rng)) for sid, _ in members])
        user = superior_of(index)
        sup = superior_sheets.setdefault(user, PlannedSheet("superior", user))
        sup.scores.extend((sid, "superior", _mark(rng)) for sid, _ in members)
    yield from superior_sheets.values()


def sheet_for_service(sheet: PlannedSheet, leaf_id: int) -> dict[int, dict[int, str]]:
    label = {points: name for name, points, _ in MARKS}
    return {sid: {leaf_id: label[points]} for sid, _, points in sheet.scores}


# ------------------------------------------------------------------ the bulk writer


def _tsv(values: list[object]) -> str:
    out = []
    for value in values:
        if value is None:
            out.append("\\N")
        elif isinstance(value, bool):
            out.append("t" if value else "f")
        else:
            out.append(str(value))
    return "\t".join(out) + "\n"


class Copier:
    """Streams rows into one table with COPY, flushing every few megabytes."""

    def __init__(self, cursor: object, table: str, columns: list[str]) -> None:
        self.cursor, self.table, self.columns = cursor, table, columns
        self.buffer = io.StringIO()
        self.rows = 0
        self.file = (WORK / f"{table}.tsv").open("w")

    def add(self, values: list[object]) -> None:
        self.file.write(_tsv(values))
        self.rows += 1

    def finish(self) -> int:
        self.file.close()
        cols = ", ".join(f'"{c}"' for c in self.columns)
        with (WORK / f"{self.table}.tsv").open("rb") as source:  # noqa: SIM117
            with self.cursor.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                while chunk := source.read(8 << 20):
                    copy.write(chunk)
        (WORK / f"{self.table}.tsv").unlink()
        return self.rows


def write_ballots(
    round_id: int, leaf_id: int, sheets: Iterator[PlannedSheet], today: object
) -> dict[str, int]:
    """Write the planned sheets as ballot_submit and the background fold would: folded sheets
    (random UUID, kind), per-mark counts, fingerprint counts, participation rows or burnt
    tokens (one token batch per round), and the tallies (the round's tally rows are rewritten
    with the totals). PostgreSQL only."""
    from django.db import connection

    from chuangxian.appraisal.models import RoundSubject, TokenBatch
    from chuangxian.appraisal.services.ballots import sheet_fingerprint, token_hash

    WORK.mkdir(parents=True, exist_ok=True)
    subjects = {
        s["id"]: s
        for s in RoundSubject.objects.filter(round_id=round_id).values(
            "id", "peer_key", "stable_ref", "scale", "organization_id"
        )
    }
    from chuangxian.appraisal.models import Round

    round_ = Round.objects.get(pk=round_id)
    batch = TokenBatch.objects.create(
        round=round_, organization=round_.organization, label="bench", size=0, issued_on=today
    )
    stats: dict[tuple[int, str], list[float]] = {}
    raw = connection.connection
    counts = {"sheets": 0, "scores": 0, "participation": 0, "tokens": 0}
    with raw.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        sheet_copy = Copier(cursor, "appraisal_ballotsheet", ["id", "round_id", "kind"])
        marks: Counter[tuple[int, str, float]] = Counter()
        fingerprints: Counter[str] = Counter()
        part_copy = Copier(
            cursor, "appraisal_participation", ["round_id", "kind", "member_id", "user_id"]
        )
        issued_copy = Copier(cursor, "appraisal_issuedtoken", ["batch_id", "token_hash"])
        used_copy = Copier(
            cursor, "appraisal_usedtoken", ["round_id", "batch_id", "token_hash", "used_on"]
        )
        for sheet in sheets:
            sheet_id = uuid.uuid4()
            triples = [(sid, leaf_id, points) for sid, _, points in sheet.scores]
            groups = {sid: group for sid, group, _ in sheet.scores}
            # Folded, as the background fold leaves them: a content-free sheet row, per-mark
            # counts and the fingerprint counted (the sheet rows' order does not matter here:
            # they hold only the kind).
            sheet_copy.add([sheet_id, round_id, sheet.kind])
            if fingerprint := sheet_fingerprint(triples, groups):
                fingerprints[fingerprint] += 1
            for sid, group, points in sheet.scores:
                counts["scores"] += 1
                marks[(sid, group, points)] += 1
                entry = stats.get((sid, group))
                if entry is None:
                    stats[(sid, group)] = [1, points, points, points]
                else:
                    entry[0] += 1
                    entry[1] += points
                    entry[2] = min(entry[2], points)
                    entry[3] = max(entry[3], points)
            if sheet.kind == "public":
                hashed = token_hash(uuid.uuid4().hex)
                issued_copy.add([batch.pk, hashed])
                used_copy.add([round_id, batch.pk, hashed, today])
            elif sheet.kind == "member":
                part_copy.add([round_id, "member", sheet.rater, None])
            else:
                part_copy.add([round_id, "superior", None, sheet.rater])
        counts["sheets"] = sheet_copy.finish()
        count_copy = Copier(
            cursor,
            "appraisal_ballotcount",
            ["round_id", "subject_id", "indicator_id", "group", "points", "count"],
        )
        for (sid, group, points), n in sorted(marks.items()):
            count_copy.add([round_id, sid, leaf_id, group, points, n])
        count_copy.finish()
        print_copy = Copier(
            cursor, "appraisal_sheetfingerprint", ["round_id", "fingerprint", "count"]
        )
        for fingerprint, n in sorted(fingerprints.items()):
            print_copy.add([round_id, fingerprint, n])
        print_copy.finish()
        counts["participation"] = part_copy.finish()
        counts["tokens"] = issued_copy.finish()
        used_copy.finish()
        TokenBatch.objects.filter(pk=batch.pk).update(size=counts["tokens"])
        cursor.execute(
            "DELETE FROM appraisal_tally WHERE round_id = %s AND indicator_id = %s",
            [round_id, leaf_id],
        )
        tally_cols = ["round_id", "subject_id", "indicator_id", "peer_key", "stable_ref", "scale"]
        groups = ("self", "members", "superior", "public")
        for g in groups:
            tally_cols += [f"n_{g}", f"sum_{g}", f"min_{g}", f"max_{g}"]
        tally_copy = Copier(cursor, "appraisal_tally", tally_cols)
        for sid, s in subjects.items():
            row: list[object] = [round_id, sid, leaf_id, s["peer_key"], s["stable_ref"], s["scale"]]
            for g in groups:
                entry = stats.get((sid, g))
                row += [0, 0.0, None, None] if entry is None else entry
            tally_copy.add(row)
        tally_copy.finish()
        cursor.execute("SET session_replication_role = DEFAULT")
    # The standings (composite and tie keys per subject) as folding leaves them.
    from chuangxian.appraisal.closing import scheme_shape, standings_refresh

    standings_refresh(round_id, scheme_shape(round_.scheme))
    return counts


# Synthetic figures for the automatic leaves, by metric: (value, weight) choices. The records
# behind them (meetings, study, dues, commitments) are not generated: reading them is
# figures_fill's work when collection starts, not the close's.
FIGURE_CHOICES: dict[str, list[tuple[float | None, int]]] = {
    "orglife.attendance_rate": [(1.0, 40), (0.9, 20), (0.8, 15), (0.7, 10), (0.5, 10), (None, 5)],
    "learning.study_progress": [(1.0, 55), (0.875, 20), (0.75, 15), (0.5, 7), (0.25, 3)],
    "dues.dues_compliance": [(1.0, 80), (11 / 12, 10), (0.75, 7), (None, 3)],
    "commitments.member_fulfilment_rate": [(1.0, 60), (0.5, 20), (0.0, 5), (None, 15)],
}


def write_figures(round_id: int, rng: random.Random) -> int:
    """The tallies of the scheme's automatic leaves as figures_fill leaves them — a drawn
    value and its points by the leaf's rule — for every subject of the round (COPY), and the
    round's figures_at. Returns the rows written. PostgreSQL only."""
    from django.db import connection
    from django.utils import timezone

    from chuangxian.appraisal import scoring
    from chuangxian.appraisal.models import Indicator, Round, RoundSubject

    round_ = Round.objects.get(pk=round_id)
    leaves = list(
        Indicator.objects.filter(scheme=round_.scheme, kind="automatic").order_by("position")
    )
    subjects = list(
        RoundSubject.objects.filter(round_id=round_id)
        .order_by("id")
        .values_list("id", "peer_key", "stable_ref", "scale")
    )
    columns = ["round_id", "subject_id", "indicator_id", "peer_key", "stable_ref", "scale"]
    for g in ("self", "members", "superior", "public"):
        columns += [f"n_{g}", f"sum_{g}"]
    columns += ["auto_value", "auto_points"]
    written = 0
    with connection.connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        copy = Copier(cursor, "appraisal_tally", columns)
        for leaf in leaves:
            choices = FIGURE_CHOICES.get(leaf.metric, [(None, 1)])
            values, weights = [v for v, _ in choices], [w for _, w in choices]
            for sid, peer_key, stable_ref, scale in subjects:
                value = rng.choices(values, weights)[0]
                points = scoring.rule_points(
                    value,
                    rule=leaf.metric_rule,
                    floor=leaf.metric_floor,
                    target=leaf.metric_target,
                    higher_is_better=leaf.direction == "higher",
                )
                row = [round_id, sid, leaf.pk, peer_key, stable_ref, scale, *([0, 0.0] * 4)]
                copy.add([*row, value, points])
        written = copy.finish()
        cursor.execute("SET session_replication_role = DEFAULT")
    Round.objects.filter(pk=round_id).update(figures_at=timezone.now())
    return written


# ------------------------------------------------------------------ the data set


def build_population(members: int, rng: random.Random) -> tuple[int, list[list[int]], list[int]]:
    """COPY a province 党委, townships and branches of about 17 members. Returns the root id,
    the member ids per branch and the township index of each branch."""
    import datetime as dt

    from django.db import connection

    from chuangxian.orgs.models import Organization

    WORK.mkdir(parents=True, exist_ok=True)
    sizes: list[int] = []
    left = members
    while left > 0:
        size = min(left, rng.randint(14, 20))
        sizes.append(size)
        left -= size
    towns = -(-len(sizes) // BRANCHES_PER_TOWN)
    start = (Organization.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    from chuangxian.orgs.models import Member

    first_member = (Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    now = dt.datetime.now(dt.UTC).isoformat()
    raw = connection.connection
    root = start
    branch_ids: list[list[int]] = []
    town_of: list[int] = []
    with raw.cursor() as cursor:
        orgs = Copier(
            cursor,
            "orgs_organization",
            [
                "id",
                "code",
                "name",
                "kind",
                "sector",
                "parent_id",
                "path",
                "depth",
                "created_at",
                "updated_at",
            ],
        )
        orgs.add([root, f"P{root}", "某省委", "党委", "机关", None, f"/{root}/", 0, now, now])
        member_copy = Copier(
            cursor,
            "orgs_member",
            [
                "id",
                "name",
                "gender",
                "ethnicity",
                "birth_date",
                "id_number_ciphertext",
                "id_number_hash",
                "phone",
                "education",
                "joined_on",
                "category",
                "organization_id",
                "party_post",
                "work_post",
                "in_hardship",
                "is_mobile",
                "status",
                "created_at",
                "updated_at",
            ],
        )
        next_org = root + 1
        next_member = first_member
        town_ids = []
        for t in range(towns):
            town_ids.append(next_org)
            orgs.add(
                [
                    next_org,
                    f"T{next_org}",
                    f"第{t + 1}乡镇党委",
                    "党委",
                    "农村",
                    root,
                    f"/{root}/{next_org}/",
                    1,
                    now,
                    now,
                ]
            )
            next_org += 1
        for b, size in enumerate(sizes):
            town = town_ids[b // BRANCHES_PER_TOWN]
            branch = next_org
            next_org += 1
            orgs.add(
                [
                    branch,
                    f"B{branch}",
                    f"第{b + 1}村党支部",
                    "党支部",
                    "农村",
                    town,
                    f"/{root}/{town}/{branch}/",
                    2,
                    now,
                    now,
                ]
            )
            ids = []
            for _ in range(size):
                category = "预备党员" if rng.random() < 0.1 else "正式党员"
                member_copy.add(
                    [
                        next_member,
                        f"党员{next_member}",
                        "男",
                        "汉族",
                        "1970-01-01",
                        "",
                        f"bench{next_member}",
                        "",
                        "",
                        "2000-07-01",
                        category,
                        branch,
                        "",
                        "",
                        False,
                        False,
                        "在册",
                        now,
                        now,
                    ]
                )
                ids.append(next_member)
                next_member += 1
            branch_ids.append(ids)
            town_of.append(b // BRANCHES_PER_TOWN)
        cursor.execute("SET session_replication_role = replica")
        orgs.finish()
        member_copy.finish()
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in ("orgs_organization", "orgs_member"):
            # The table names are the two constants of this loop, not input.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
    return root, branch_ids, town_of


def open_round(
    root_id: int, branch_ids: list[list[int]]
) -> tuple[int, int, list[list[tuple[int, int]]]]:
    """The round and its subjects (as round_open enrols them, written with COPY)."""
    from django.db import connection

    from chuangxian.appraisal.models import Indicator, Round, RoundStatus, Scheme
    from chuangxian.appraisal.services import schemes_install_defaults
    from chuangxian.audit.services import SYSTEM
    from chuangxian.orgs.models import Member, Organization

    schemes_install_defaults(actor=SYSTEM)
    scheme = Scheme.objects.get(code=SCHEME)
    leaf = Indicator.objects.get(scheme=scheme, kind="rated")
    round_ = Round.objects.create(
        scheme=scheme,
        organization=Organization.objects.get(pk=root_id),
        name="基准测试",
        year=2026,
        status=RoundStatus.COLLECTING,
    )
    categories = dict(
        Member.objects.filter(organization__path__startswith=f"/{root_id}/").values_list(
            "pk", "category"
        )
    )
    next_subject = 1
    subjects: list[list[tuple[int, int]]] = []
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM appraisal_roundsubject")
        next_subject = cursor.fetchone()[0]
        copy = Copier(
            cursor,
            "appraisal_roundsubject",
            [
                "id",
                "round_id",
                "kind",
                "member_id",
                "organization_id",
                "stable_ref",
                "peer_key",
                "peer_label",
                "scale",
                "label",
            ],
        )
        for ids in branch_ids:
            members = []
            for member_id in ids:
                org_id = None
                probationary = categories[member_id] == "预备党员"
                members.append((next_subject, member_id))
                org_id = _branch_of_member.get(member_id)
                copy.add(
                    [
                        next_subject,
                        round_.pk,
                        "member",
                        member_id,
                        org_id,
                        member_id,
                        org_id * 2 + int(probationary),
                        f"{org_id}·{categories[member_id]}",
                        int(probationary),
                        f"党员{member_id}",
                    ]
                )
                next_subject += 1
            subjects.append(members)
        cursor.execute("SET session_replication_role = replica")
        copy.finish()
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('appraisal_roundsubject', 'id'), "
            "(SELECT MAX(id) FROM appraisal_roundsubject))"
        )
    return round_.pk, leaf.pk, subjects


_branch_of_member: dict[int, int] = {}
# The shipped 民主评议党员 scheme with the records: the vote (60 %) and four automatic figures.
SCHEME = "democratic_records"


def superior_users(towns: int) -> list[int]:
    from chuangxian.orgs.models import User

    users = User.objects.bulk_create(
        User(username=f"bench_superior_{uuid.uuid4().hex[:10]}", password="!")  # noqa: S106  (unusable password marker)
        for _ in range(towns)
    )
    return [u.pk for u in users]


# ------------------------------------------------------------------ the reference

REFERENCE_SQL = """
WITH g AS (
    SELECT subject_id,
        count(*) FILTER (WHERE grp = 'self') AS n_self,
        sum(points) FILTER (WHERE grp = 'self') AS sum_self,
        min(points) FILTER (WHERE grp = 'self') AS min_self,
        max(points) FILTER (WHERE grp = 'self') AS max_self,
        count(*) FILTER (WHERE grp = 'members') AS n_members,
        sum(points) FILTER (WHERE grp = 'members') AS sum_members,
        min(points) FILTER (WHERE grp = 'members') AS min_members,
        max(points) FILTER (WHERE grp = 'members') AS max_members,
        count(*) FILTER (WHERE grp = 'superior') AS n_superior,
        sum(points) FILTER (WHERE grp = 'superior') AS sum_superior,
        min(points) FILTER (WHERE grp = 'superior') AS min_superior,
        max(points) FILTER (WHERE grp = 'superior') AS max_superior,
        count(*) FILTER (WHERE grp = 'public') AS n_public,
        sum(points) FILTER (WHERE grp = 'public') AS sum_public,
        min(points) FILTER (WHERE grp = 'public') AS min_public,
        max(points) FILTER (WHERE grp = 'public') AS max_public
    FROM scores GROUP BY subject_id
), m AS (
    SELECT subject_id,
        CASE WHEN n_self >= 5 THEN (sum_self - max_self - min_self) / (n_self - 2)
             WHEN n_self > 0 THEN sum_self / n_self END AS m_self, n_self >= 1 AS p_self,
        CASE WHEN n_members >= 5
             THEN (sum_members - max_members - min_members) / (n_members - 2)
             WHEN n_members > 0 THEN sum_members / n_members END AS m_members,
        n_members >= 3 AS p_members,
        CASE WHEN n_superior >= 5
             THEN (sum_superior - max_superior - min_superior) / (n_superior - 2)
             WHEN n_superior > 0 THEN sum_superior / n_superior END AS m_superior,
        n_superior >= 1 AS p_superior,
        CASE WHEN n_public >= 5 THEN (sum_public - max_public - min_public) / (n_public - 2)
             WHEN n_public > 0 THEN sum_public / n_public END AS m_public, n_public >= 3 AS p_public
    FROM g
), f AS (
    SELECT subject_id, {figure_columns} FROM figures GROUP BY subject_id
), c AS (
    SELECT s.id AS subject_id, s.peer_key, s.stable_ref, s.scale,
        {composite_head}COALESCE(
            ((((0.0 + CASE WHEN p_self THEN 10.0 * m_self ELSE 0 END)
                    + CASE WHEN p_members THEN 30.0 * m_members ELSE 0 END)
                    + CASE WHEN p_superior THEN 40.0 * m_superior ELSE 0 END)
                    + CASE WHEN p_public THEN 20.0 * m_public ELSE 0 END)
            / NULLIF(((((0.0 + CASE WHEN p_self THEN 10.0 ELSE 0 END)
                    + CASE WHEN p_members THEN 30.0 ELSE 0 END)
                    + CASE WHEN p_superior THEN 40.0 ELSE 0 END)
                    + CASE WHEN p_public THEN 20.0 ELSE 0 END), 0), 0){composite_tail} AS composite,
        CASE WHEN p_superior THEN m_superior END AS sup,
        CASE WHEN p_members THEN m_members END AS mem
    FROM subjects s LEFT JOIN m ON m.subject_id = s.id LEFT JOIN f ON f.subject_id = s.id
), r AS (
    SELECT *, row_number() OVER (PARTITION BY peer_key ORDER BY composite DESC,
               sup DESC NULLS LAST, mem DESC NULLS LAST, stable_ref) AS rnk,
           count(*) OVER (PARTITION BY peer_key) AS peer_size
    FROM c
)
SELECT subject_id, composite, rnk,
    CASE WHEN scale = 1 THEN
        CASE WHEN composite >= 75 THEN '合格' WHEN composite >= 60 THEN '基本合格' ELSE '不合格' END
    ELSE
        CASE WHEN composite >= 90 AND rnk <= peer_size * 1 // 3 THEN '优秀'
             WHEN composite >= 70 THEN '合格' WHEN composite >= 55 THEN '基本合格' ELSE '不合格' END
    END AS grade
FROM r
"""


def reference_sql(leaves: list[tuple[int, str, float]]) -> str:
    """REFERENCE_SQL for the scheme's leaves (id, kind, effective weight) in scheme order: the
    composite adds each leaf's weighted points left to right, the rated leaf (the vote) from
    the raw scores, each automatic leaf from the figures table."""

    def weight(value: float) -> str:
        return f"'{value!r}'::DOUBLE"

    automatic = [(pk, eff) for pk, kind, eff in leaves if kind == "automatic"]
    columns = (
        ", ".join(f"max(points) FILTER (WHERE leaf = {pk}) AS p_{pk}" for pk, _ in automatic)
        or "NULL AS p_none"
    )
    head, tail = "", ""
    for pk, kind, eff in leaves:
        if kind == "rated":
            head = f"(0.0 + {weight(eff)} * "
            tail = ")"
        else:
            head = "(" + head
            tail += f" + {weight(eff)} * COALESCE(p_{pk}, 0))"
    return REFERENCE_SQL.format(figure_columns=columns, composite_head=head, composite_tail=tail)


def reference(round_id: int) -> tuple[float, dict[int, tuple[float, int, str]]]:
    """Export the raw scores (not timed), then time the one DuckDB query."""
    import duckdb
    from django.db import connection

    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with connection.connection.cursor() as cursor:
        for name, query in (
            (
                "scores",
                # round_id is an int from our own database (the bench's round), not input.
                # The sealed counts, one row per mark again.
                'SELECT c.subject_id, c."group", c.points FROM appraisal_ballotcount c '  # noqa: S608
                "CROSS JOIN LATERAL generate_series(1, c.count) "
                f"WHERE c.round_id = {int(round_id)}",
            ),
            (
                "subjects",
                "SELECT id, peer_key, stable_ref, scale FROM appraisal_roundsubject "  # noqa: S608
                f"WHERE round_id = {int(round_id)}",
            ),
            (
                "figures",
                "SELECT t.subject_id, t.indicator_id, t.auto_points FROM appraisal_tally t "  # noqa: S608
                "JOIN appraisal_indicator i ON i.id = t.indicator_id "
                f"WHERE t.round_id = {int(round_id)} AND i.kind = 'automatic'",
            ),
        ):
            with (WORK / f"{name}.csv").open("wb") as out:  # noqa: SIM117
                with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                    for chunk in copy:
                        out.write(chunk)
    db = duckdb.connect()
    # WORK is this process's own temporary directory, not input.
    db.execute(
        f"CREATE TABLE scores AS SELECT * FROM read_csv('{WORK}/scores.csv', header=false, "  # noqa: S608
        "columns={'subject_id': 'BIGINT', 'grp': 'VARCHAR', 'points': 'DOUBLE'})"
    )
    db.execute(
        f"CREATE TABLE subjects AS SELECT * FROM read_csv('{WORK}/subjects.csv', "  # noqa: S608
        "header=false, "
        "columns={'id': 'BIGINT', 'peer_key': 'BIGINT', 'stable_ref': 'BIGINT', "
        "'scale': 'INTEGER'})"
    )
    db.execute(
        f"CREATE TABLE figures AS SELECT * FROM read_csv('{WORK}/figures.csv', header=false, "  # noqa: S608
        "columns={'subject_id': 'BIGINT', 'leaf': 'BIGINT', 'points': 'DOUBLE'})"
    )
    for name in ("scores", "subjects", "figures"):
        (WORK / f"{name}.csv").unlink()
    from chuangxian.appraisal.models import Indicator, Round

    scheme_id = Round.objects.get(pk=round_id).scheme_id
    leaves = [
        (pk, kind, eff)
        for pk, kind, eff in Indicator.objects.filter(scheme_id=scheme_id)
        .exclude(kind="")
        .order_by("position")
        .values_list("pk", "kind", "effective_weight")
    ]
    print(f"exported and loaded into DuckDB in {time.perf_counter() - started:.1f} s (not timed)")
    started = time.perf_counter()
    rows = db.execute(reference_sql(leaves)).fetchall()
    seconds = time.perf_counter() - started
    return seconds, {sid: (composite, rank, grade) for sid, composite, rank, grade in rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench.appraisal needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    try:
        prepare_database(url, recreate=True, scratch_suffix="_bench_appraisal")
    except DatabaseUnreachable as error:
        print(
            f"PostgreSQL is not reachable ({error}); start it or set DATABASE_URL.", file=sys.stderr
        )
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from chuangxian.appraisal.models import Round, SubjectResult
    from chuangxian.appraisal.services import round_close
    from chuangxian.audit.services import SYSTEM

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with transaction.atomic():
        root, branch_ids, town_of = build_population(args.members, rng)
        from chuangxian.orgs.models import Member

        _branch_of_member.update(
            Member.objects.filter(organization__path__startswith=f"/{root}/").values_list(
                "pk", "organization_id"
            )
        )
        round_id, leaf_id, subjects = open_round(root, branch_ids)
        figures = write_figures(round_id, rng)
        superiors = superior_users(max(town_of) + 1)
        counts = write_ballots(
            round_id,
            leaf_id,
            plan_ballots(subjects, lambda b: superiors[town_of[b]], rng),
            dt.date(2026, 12, 1),
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE appraisal_tally")
        cursor.execute("VACUUM ANALYZE appraisal_standing")
        cursor.execute("ANALYZE")
    seed_s = time.perf_counter() - started
    print(
        f"seeded {args.members:,} members in {len(branch_ids):,} branches, "
        f"{counts['sheets']:,} sheets, {counts['scores']:,} ratings, {figures:,} automatic "
        f"figures in {seed_s:.1f} s"
    )
    round_ = Round.objects.get(pk=round_id)
    started = time.perf_counter()
    round_close(actor=SYSTEM, round_=round_)
    close_s = time.perf_counter() - started
    print(f"engine close: {close_s:.3f} s")
    reference_s, expected = reference(round_id)
    print(f"DuckDB reference query: {reference_s:.3f} s")
    got = {
        sid: (composite, rank, grade)
        for sid, composite, rank, grade in SubjectResult.objects.filter(round_id=round_id)
        .values_list("subject_id", "composite", "rank", "grade")
        .iterator(chunk_size=50_000)
    }
    mismatches = [
        sid
        for sid, (composite, rank, grade) in expected.items()
        if sid not in got
        or abs(got[sid][0] - composite) > 1e-9
        or got[sid][1] != rank
        or got[sid][2] != grade
    ]
    equal = not mismatches and len(got) == len(expected) == args.members
    if mismatches:
        print(
            f"{len(mismatches)} mismatches, e.g. "
            f"{[(s, got.get(s), expected[s]) for s in mismatches[:3]]}"
        )
    print(
        json.dumps(
            {
                "members": args.members,
                "ballots": counts["scores"],
                "close_s": round(close_s, 3),
                "reference_s": round(reference_s, 3),
                "ratio": round(close_s / reference_s, 2),
                "equal": equal,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

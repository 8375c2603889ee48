"""Closing a round: from the running tallies to composites, ranks, grades and tiers.

Two interchangeable paths compute the same results (tests run both on the same data):

- `_close_sql`: one INSERT … SELECT with one window function, run inside the database. Used
  on PostgreSQL (it also runs on SQLite ≥ 3.30). It reads one standing row per subject — the
  composite and tie keys that folding keeps up to date from the tallies with the same SQL
  expression (`subjects_sql`, `standings_refresh`) — never the individual ratings, so closing
  is only the ranking sort, the grades and the insert.
- `_close_python`: the same formulas from scoring.py in Python; the portable reference.

Automatic leaves are read from the records by `figures_fill` (metric registry, one call per
metric for all subjects) when collection starts and whenever an administrator refreshes them —
not inside the close: the figures raters see on their sheets are the figures scored, and the
close stays one ranking statement. The inactivity rule is applied with the figures.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from chuangxian.appraisal import metrics, scoring
from chuangxian.appraisal.models import (
    GROUP_ORDER,
    DirectGrade,
    Indicator,
    LeafKind,
    Round,
    RoundSubject,
    Scheme,
    Standing,
    SubjectResult,
    Tally,
)

BULK = 5_000


@dataclass(frozen=True)
class SchemeShape:
    """What closing needs to know of a scheme, read once."""

    leaves: list[Indicator]
    rules: dict[str, scoring.GroupRule]
    trim: bool
    trim_min_count: int
    grades: list[dict[str, Any]]
    probationary_grades: list[dict[str, Any]]
    numerator: int
    denominator: int
    tiers: list[dict[str, Any]]

    def grades_for(self, scale: int) -> list[dict[str, Any]]:
        return self.probationary_grades if scale == 1 and self.probationary_grades else self.grades


def scheme_shape(scheme: Scheme) -> SchemeShape:
    leaves = list(Indicator.objects.filter(scheme=scheme).exclude(kind="").order_by("position"))
    rules = {
        r.group: scoring.GroupRule(float(r.weight), r.min_count) for r in scheme.group_rules.all()
    }
    return SchemeShape(
        leaves=leaves,
        rules=rules,
        trim=scheme.trim_enabled,
        trim_min_count=scheme.trim_min_count,
        grades=list(scheme.grades),
        probationary_grades=list(scheme.probationary_grades),
        numerator=scheme.quota_numerator,
        denominator=scheme.quota_denominator,
        tiers=list(scheme.tiers),
    )


def compute_results(round_: Round, *, fast: bool | None = None) -> int:
    """Write the results of `round_.version` from the standings and tallies (the automatic
    figures as last read by `figures_fill`); returns the number of subjects."""
    shape = scheme_shape(round_.scheme)
    SubjectResult.objects.filter(round=round_, version=round_.version).delete()
    if fast is None:
        fast = connection.vendor == "postgresql"
    if fast:
        return _close_sql(round_, shape)
    return _close_python(round_, shape)


def figures_fill(round_: Round) -> int:
    """Read every automatic figure of the round from the records (one metric call for all
    subjects per leaf), score it by the leaf's rule into the tallies, apply the inactivity
    rule, and recompute every standing. Returns the number of figures written."""
    shape = scheme_shape(round_.scheme)
    written = _fill_automatic(round_, shape)
    _apply_inactivity(round_)
    standings_refresh(round_.pk, shape)
    return written


def _subject_refs(round_: Round, metric: metrics.Metric | None) -> dict[int, int]:
    """subject id → the id the metric is asked about (the member, or the organization)."""
    by_org = metric is None or metric.subject_type == "organization"
    return {
        pk: (org_id if by_org or member_id is None else member_id)
        for pk, member_id, org_id in RoundSubject.objects.filter(round=round_).values_list(
            "pk", "member_id", "organization_id"
        )
    }


def _fill_automatic(round_: Round, shape: SchemeShape) -> int:
    automatic = [leaf for leaf in shape.leaves if leaf.kind == LeafKind.AUTOMATIC]
    period = metrics.Period.of_year(round_.year)
    written = 0
    for leaf in automatic:
        refs = _subject_refs(round_, metrics.get_metric(leaf.metric))
        values = metrics.compute_metric(leaf.metric, sorted(set(refs.values())), period)
        rows = []
        for pk, ref in refs.items():
            value = values.get(ref)
            points = scoring.rule_points(
                value,
                rule=leaf.metric_rule,
                floor=leaf.metric_floor,
                target=leaf.metric_target,
                higher_is_better=leaf.direction == "higher",
            )
            rows.append((pk, value, points))
        _write_automatic(round_.pk, leaf.pk, rows)
        written += len(rows)
    return written


def _write_automatic(
    round_id: int, leaf_id: int, rows: Sequence[tuple[int, float | None, float | None]]
) -> None:
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                "UPDATE appraisal_tally SET auto_value = %s, auto_points = %s "
                "WHERE round_id = %s AND subject_id = %s AND indicator_id = %s",
                [(value, points, round_id, pk, leaf_id) for pk, value, points in rows],
            )
            return
        for start in range(0, len(rows), BULK):
            chunk = rows[start : start + BULK]
            values = ", ".join(["(%s, %s::float8, %s::float8)"] * len(chunk))
            cursor.execute(
                "UPDATE appraisal_tally t SET auto_value = v.value, auto_points = v.points "  # noqa: S608
                f"FROM (VALUES {values}) v(subject_id, value, points) "
                "WHERE t.round_id = %s AND t.indicator_id = %s AND t.subject_id = v.subject_id",
                [x for row in chunk for x in row] + [round_id, leaf_id],
            )


def _apply_inactivity(round_: Round) -> None:
    """全年无活动: a subject whose inactivity metric is 0 or missing gets the scheme's
    inactivity grade directly (recomputed with every reading of the figures; a 一票否决 set by
    hand wins)."""
    scheme = round_.scheme
    DirectGrade.objects.filter(round=round_, rule="inactivity").delete()
    if not scheme.inactivity_metric:
        return
    metric = metrics.get_metric(scheme.inactivity_metric)
    if metric is None:
        return
    vetoed = set(DirectGrade.objects.filter(round=round_).values_list("subject_id", flat=True))
    refs = _subject_refs(round_, metric)
    values = metrics.compute_metric(
        metric.name, sorted(set(refs.values())), metrics.Period.of_year(round_.year)
    )
    DirectGrade.objects.bulk_create(
        DirectGrade(
            round=round_,
            subject_id=pk,
            rule="inactivity",
            grade=scheme.inactivity_grade,
            reason=f"全年无活动（{metric.label}为0）",
        )
        for pk, ref in refs.items()
        if pk not in vetoed and not values.get(ref)
    )


# ---------------------------------------------------------------- the Python path


def _tally_stats(row: dict[str, Any]) -> dict[str, scoring.GroupStats]:
    return {
        g: scoring.GroupStats(row[f"n_{g}"], row[f"sum_{g}"], row[f"min_{g}"], row[f"max_{g}"])
        for g in GROUP_ORDER
    }


@dataclass
class SubjectScore:
    composite: float
    superior_mean: float | None
    members_mean: float | None
    renormalized: bool


def subject_scores(rows: Sequence[dict[str, Any]], shape: SchemeShape) -> SubjectScore:
    """A subject's composite and tie keys from its tally rows (one per leaf)."""
    by_leaf = {row["indicator_id"]: row for row in rows}
    composite = 0.0
    tie: dict[str, list[float]] = {"superior": [0.0, 0.0], "members": [0.0, 0.0]}
    renormalized = False
    for leaf in shape.leaves:
        row = by_leaf[leaf.pk]
        eff = leaf.effective_weight
        if leaf.kind == LeafKind.AUTOMATIC:
            score = row["auto_points"]
        else:
            leaf_result = scoring.leaf_score(
                _tally_stats(row), shape.rules, trim=shape.trim, trim_min_count=shape.trim_min_count
            )
            score = leaf_result.score
            renormalized = renormalized or bool(leaf_result.missing)
            for group, acc in tie.items():
                mean = leaf_result.means.get(group)
                if group in leaf_result.present and mean is not None:
                    acc[0] = acc[0] + eff * mean
                    acc[1] = acc[1] + eff
        composite = composite + eff * (score if score is not None else 0.0)
    return SubjectScore(
        composite=composite,
        superior_mean=tie["superior"][0] / tie["superior"][1] if tie["superior"][1] else None,
        members_mean=tie["members"][0] / tie["members"][1] if tie["members"][1] else None,
        renormalized=renormalized,
    )


def _close_python(round_: Round, shape: SchemeShape) -> int:
    rows_by_subject: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in Tally.objects.filter(round=round_).values():
        rows_by_subject[row["subject_id"]].append(dict(row))
    direct = dict(DirectGrade.objects.filter(round=round_).values_list("subject_id", "grade"))
    peers: dict[int, list[tuple[scoring.Ranked, SubjectScore, int]]] = defaultdict(list)
    for sid, rows in rows_by_subject.items():
        score = subject_scores(rows, shape)
        first = rows[0]
        ranked = scoring.Ranked(
            key=sid,
            composite=score.composite,
            superior_mean=score.superior_mean,
            members_mean=score.members_mean,
            stable_ref=first["stable_ref"],
            direct=sid in direct,
        )
        peers[first["peer_key"]].append((ranked, score, first["scale"]))
    results: list[SubjectResult] = []
    for peer_key, members in peers.items():
        info = {r.key: (s, scale) for r, s, scale in members}
        ordered = scoring.rank_order([r for r, _, _ in members])
        size = len(ordered)
        quota = scoring.quota_of(size, shape.numerator, shape.denominator)
        for rank, ranked in enumerate(ordered, start=1):
            score, scale = info[ranked.key]
            if ranked.direct:
                grade = direct[ranked.key]
                tier = str(shape.tiers[-1]["name"]) if shape.tiers else ""
            else:
                grade = scoring.grade_for(score.composite, rank, quota, shape.grades_for(scale))
                tier = scoring.tier_for(rank, size, shape.tiers)
            results.append(
                SubjectResult(
                    round=round_,
                    version=round_.version,
                    subject_id=ranked.key,
                    peer_key=peer_key,
                    composite=score.composite,
                    superior_mean=score.superior_mean,
                    members_mean=score.members_mean,
                    rank=rank,
                    peer_size=size,
                    quota=quota,
                    renormalized=score.renormalized,
                    direct=ranked.direct,
                    proposed_grade=grade,
                    grade=grade,
                    tier=tier,
                )
            )
    SubjectResult.objects.bulk_create(results, batch_size=BULK)
    return len(results)


# ---------------------------------------------------------------- the SQL path


def _num(value: float) -> str:
    """A float as an SQL literal that parses back to the same double."""
    return f"CAST({float(value)!r} AS DOUBLE PRECISION)"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _mean_sql(group: str, shape: SchemeShape) -> str:
    n, total, low, high = f"n_{group}", f"sum_{group}", f"min_{group}", f"max_{group}"
    plain = f"{total} / {n}"
    if shape.trim:
        threshold = max(shape.trim_min_count, 3)
        return (
            f"(CASE WHEN {n} = 0 THEN NULL WHEN {n} >= {threshold} "
            f"THEN ({total} - {high} - {low}) / ({n} - 2) ELSE {plain} END)"
        )
    return f"(CASE WHEN {n} = 0 THEN NULL ELSE {plain} END)"


def _grade_sql(grades: list[dict[str, Any]]) -> str:
    parts = []
    for grade in grades[:-1]:
        condition = f"composite >= {_num(float(grade['min']))}"
        if grade.get("quota"):
            condition += " AND rnk <= quota"
        parts.append(f"WHEN {condition} THEN {_text(str(grade['name']))}")
    # The last grade has threshold 0 but a composite can be anything; it is the fallback.
    return "CASE " + " ".join(parts) + f" ELSE {_text(str(grades[-1]['name']))} END"


def _tier_sql(tiers: list[dict[str, Any]]) -> str:
    if not tiers:
        return "''"
    parts, cumulative = [], 0
    for tier in tiers[:-1]:
        cumulative += int(tier["share"])
        parts.append(f"WHEN rnk * 100 <= peer_size * {cumulative} THEN {_text(str(tier['name']))}")
    last = _text(str(tiers[-1]["name"]))
    return (
        f"CASE WHEN direct_grade IS NOT NULL THEN {last} " + " ".join(parts) + f" ELSE {last} END"
    )


def subjects_sql(shape: SchemeShape, *, subset: str = "") -> str:
    """The SELECT computing each subject's composite, tie keys (sup, mem) and renormalization
    flag from appraisal_tally for round %(round)s (optionally only `subset`, an SQL condition
    on subject_id). Mirrors scoring.py term by term (same order of additions), so both paths
    give the same doubles.

    Generated SQL (hence the `noqa: S608` below): every interpolated piece is a column name
    from GROUP_ORDER, an integer id or weight of the scheme, or an integer list built by the
    caller; no request input reaches this text, and the round id is a bound parameter."""
    rated_rows: list[str] = []
    means = {g: _mean_sql(g, shape) for g in GROUP_ORDER}
    present = {
        g: f"(n_{g} >= {max(shape.rules[g].min_count, 1)})"
        for g in GROUP_ORDER
        if g in shape.rules and shape.rules[g].weight > 0
    }
    numerator = "CAST(0 AS DOUBLE PRECISION)"
    denominator = "CAST(0 AS DOUBLE PRECISION)"
    for g, cond in present.items():
        weight = _num(shape.rules[g].weight)
        numerator = f"({numerator} + CASE WHEN {cond} THEN {weight} * {means[g]} ELSE 0 END)"
        denominator = f"({denominator} + CASE WHEN {cond} THEN {weight} ELSE 0 END)"
    missing = " OR ".join(f"NOT {cond}" for cond in present.values()) or "FALSE"
    # No group but the subject's own self-rating counts on a rated leaf: such a leaf may not
    # decide a grade (closing refuses, see selectors.close_problems).
    others = [cond for g, cond in present.items() if g != "self"]
    unsupported = "NOT (" + " OR ".join(others) + ")" if others else "TRUE"
    for leaf in shape.leaves:
        if leaf.kind == LeafKind.RATED:
            rated_rows.append(str(leaf.pk))
    rated_list = ", ".join(rated_rows) or "NULL"
    score = (
        f"CASE WHEN indicator_id IN ({rated_list}) "
        f"THEN {numerator} / NULLIF({denominator}, 0) ELSE auto_points END"
    )
    eff = (
        "CASE indicator_id "
        + " ".join(f"WHEN {leaf.pk} THEN {_num(leaf.effective_weight)}" for leaf in shape.leaves)
        + " END"
    )

    def tie(group: str) -> tuple[str, str]:
        cond = present.get(group)
        if cond is None:
            return "NULL", "NULL"
        return (
            f"CASE WHEN indicator_id IN ({rated_list}) AND {cond} THEN {eff} * {means[group]} END",
            f"CASE WHEN indicator_id IN ({rated_list}) AND {cond} THEN {eff} END",
        )

    sup_num, sup_den = tie("superior")
    mem_num, mem_den = tie("members")
    renorm = f"(indicator_id IN ({rated_list}) AND ({missing}))"
    weak = f"(indicator_id IN ({rated_list}) AND ({unsupported}))"
    where = "round_id = %(round)s" + (f" AND {subset}" if subset else "")
    if len(shape.leaves) == 1:
        return (
            f"SELECT subject_id, peer_key, stable_ref, scale, "  # noqa: S608
            f"{eff} * COALESCE({score}, 0) AS composite, "
            f"({sup_num}) / ({sup_den}) AS sup, ({mem_num}) / ({mem_den}) AS mem, "
            f"{renorm} AS renorm, {weak} AS weak FROM appraisal_tally WHERE {where}"
        )
    # Several leaves: one conditional SUM per leaf (each picks exactly one row, so it is that
    # row's value exactly), added left to right in the scheme's leaf order — the order of
    # scoring.py — so the composite is the same double whatever order the rows are read in
    # (a plain SUM over the rows could differ in the last bit and break a tie differently).
    zero = "CAST(0 AS DOUBLE PRECISION)"

    def in_order(terms: list[str]) -> str:
        total = zero
        for term in terms:
            total = f"({total} + COALESCE({term}, 0))"
        return total

    def pick(leaf: Indicator, value: str, extra: str = "") -> str:
        return f"SUM(CASE WHEN indicator_id = {leaf.pk}{extra} THEN {value} END)"

    composite = in_order(
        [
            pick(
                leaf,
                f"{_num(leaf.effective_weight)} * COALESCE("
                + (
                    f"{numerator} / NULLIF({denominator}, 0)"
                    if leaf.kind == LeafKind.RATED
                    else "auto_points"
                )
                + ", 0)",
            )
            for leaf in shape.leaves
        ]
    )
    rated = [leaf for leaf in shape.leaves if leaf.kind == LeafKind.RATED]

    def tie_of(group: str) -> str:
        cond = present.get(group)
        if cond is None:
            return "NULL"
        num = in_order(
            [pick(x, f"{_num(x.effective_weight)} * {means[group]}", f" AND {cond}") for x in rated]
        )
        den = in_order([pick(x, _num(x.effective_weight), f" AND {cond}") for x in rated])
        return f"{num} / NULLIF({den}, 0)"

    return (
        f"SELECT subject_id, peer_key, stable_ref, scale, "  # noqa: S608
        f"{composite} AS composite, "
        f"{tie_of('superior')} AS sup, {tie_of('members')} AS mem, "
        f"MAX(CASE WHEN {renorm} THEN 1 ELSE 0 END) = 1 AS renorm, "
        f"MAX(CASE WHEN {weak} THEN 1 ELSE 0 END) = 1 AS weak "
        f"FROM appraisal_tally WHERE {where} "
        f"GROUP BY subject_id, peer_key, stable_ref, scale"
    )


_STANDING_COLUMNS = (
    "round_id, subject_id, peer_key, peer_size, stable_ref, scale, composite, sup, mem, renorm, "
    "weak"
)


def standings_refresh(
    round_id: int, shape: SchemeShape, subject_ids: list[int] | None = None
) -> None:
    """Recompute the standings (composite, tie keys, renormalized) from the tallies: of every
    subject of the round (created on first use, with the peer group sizes), or only of
    `subject_ids` (after a fold touched them)."""
    with connection.cursor() as cursor:
        if subject_ids is None:
            select = subjects_sql(shape)
            cursor.execute(
                f"INSERT INTO appraisal_standing ({_STANDING_COLUMNS}) "  # noqa: S608
                "SELECT %(round)s, subject_id, peer_key, COUNT(*) OVER (PARTITION BY peer_key), "
                f"stable_ref, scale, composite, sup, mem, renorm, weak FROM ({select}) x "
                "WHERE TRUE ON CONFLICT (round_id, subject_id) DO UPDATE SET "
                "composite = excluded.composite, sup = excluded.sup, mem = excluded.mem, "
                "renorm = excluded.renorm, weak = excluded.weak",
                {"round": round_id},
            )
            return
        ids = sorted(set(subject_ids))
        step = 50_000 if connection.vendor == "postgresql" else 500
        for start in range(0, len(ids), step):
            chunk = ", ".join(str(int(i)) for i in ids[start : start + step])
            select = subjects_sql(shape, subset=f"subject_id IN ({chunk})")
            cursor.execute(
                "UPDATE appraisal_standing SET composite = x.composite, sup = x.sup, "  # noqa: S608
                f"mem = x.mem, renorm = x.renorm, weak = x.weak FROM ({select}) x "
                "WHERE appraisal_standing.round_id = %(round)s "
                "AND appraisal_standing.subject_id = x.subject_id",
                {"round": round_id},
            )
            if cursor.rowcount != min(step, len(ids) - start):
                missing = True
                break
        else:
            missing = False
    if missing:  # standings never created for this round (older data): create them all
        standings_refresh(round_id, shape)


def results_select_sql(shape: SchemeShape, *, from_standings: bool = True) -> str:
    """The SELECT computing every result column for round %(round)s: from the standings, only
    the ranking (one window, one sort), the quota, the grade and the tier; or, when
    `from_standings` is false (schemes with automatic leaves, filled at close), the composites
    straight from the tallies and the peer group sizes with a second window. Generated SQL:
    see subjects_sql."""
    if from_standings:
        source = "(SELECT * FROM appraisal_standing WHERE round_id = %(round)s)"
        size = "s.peer_size"
    else:
        source = f"({subjects_sql(shape)})"
        size = "COUNT(*) OVER (PARTITION BY s.peer_key)"
    ranked = (
        "SELECT s.subject_id, s.peer_key, s.scale, s.composite, s.sup, s.mem, s.renorm, "  # noqa: S608
        f"{size} AS peer_size, d.grade AS direct_grade, "
        "ROW_NUMBER() OVER (PARTITION BY s.peer_key ORDER BY "
        "CASE WHEN d.grade IS NULL THEN 0 ELSE 1 END, s.composite DESC, "
        "s.sup DESC NULLS LAST, s.mem DESC NULLS LAST, s.stable_ref) AS rnk "
        f"FROM {source} s LEFT JOIN appraisal_directgrade d "
        "ON d.subject_id = s.subject_id AND d.round_id = %(round)s"
    )
    quota = f"peer_size * {shape.numerator} / {shape.denominator}"
    main = _grade_sql(shape.grades)
    probationary = _grade_sql(shape.grades_for(1))
    grade = (
        f"CASE WHEN direct_grade IS NOT NULL THEN direct_grade "
        f"WHEN scale = 1 THEN {probationary} ELSE {main} END"
    )
    return (
        f"SELECT subject_id, peer_key, composite, sup, mem, rnk, peer_size, quota, renorm, "  # noqa: S608
        f"direct_grade IS NOT NULL AS direct, {grade} AS grade, {_tier_sql(shape.tiers)} AS tier "
        f"FROM (SELECT r.*, {quota} AS quota FROM ({ranked}) r) q"
    )


def _close_sql(round_: Round, shape: SchemeShape) -> int:
    # The standings carry the automatic figures too (figures_fill refreshes them all).
    if not Standing.objects.filter(round=round_).exists():
        standings_refresh(round_.pk, shape)  # a round opened before standings existed
    select = results_select_sql(shape)
    sql = (
        "INSERT INTO appraisal_subjectresult (round_id, version, subject_id, peer_key, "  # noqa: S608
        "composite, superior_mean, members_mean, rank, peer_size, quota, renormalized, direct, "
        "proposed_grade, grade, tier, override_reason) "
        "SELECT %(round)s, %(version)s, subject_id, peer_key, composite, sup, mem, rnk, "
        f"peer_size, quota, renorm, direct, grade, grade, tier, '' FROM ({select}) x"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The window sort of a province's subjects fits in memory instead of spilling.
            cursor.execute("SET LOCAL work_mem = '1GB'")
        cursor.execute(sql, {"round": round_.pk, "version": round_.version})
        return int(cursor.rowcount)

"""The formulas, as plain functions: the portable close, the explanation, the hypothesis tests
and (mirrored in SQL) the PostgreSQL close all follow these, in the same order of operations,
so they agree to the last bit for the same tallies.

- group mean: with trimming on and n ≥ trim_min_count, (Σx − max − min) / (n − 2); else Σx / n;
- a group is *present* for a leaf when it has at least its minimum count of ratings;
- leaf score: Σ w_g·mean_g / Σ w_g over present groups, groups summed in GROUP_ORDER (the
  weights of absent groups are spread over the present ones — renormalization);
- composite: Σ effective_weight(leaf) · leaf score, effective weight = product of the weights
  from the root to the leaf, each / 100;
- rank inside a peer group: direct-graded subjects last, then composite ↓, superior-group
  mean ↓, member-group mean ↓ (missing means count as lowest), then the stable id ↑;
- grade: the first grade whose threshold the composite reaches; a grade with a quota is given
  only to ranks ≤ ⌊peer size × numerator / denominator⌋;
- tier: the first tier with rank × 100 ≤ peer size × cumulative share; else the last tier.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from chuangxian.appraisal.models import GROUP_ORDER


@dataclass(frozen=True)
class GroupStats:
    n: int = 0
    total: float = 0.0
    low: float | None = None
    high: float | None = None

    def add(self, points: float) -> "GroupStats":
        return GroupStats(
            self.n + 1,
            self.total + points,
            points if self.low is None else min(self.low, points),
            points if self.high is None else max(self.high, points),
        )


@dataclass(frozen=True)
class GroupRule:
    weight: float
    min_count: int


def group_mean(stats: GroupStats, *, trim: bool, trim_min_count: int) -> float | None:
    """The (trimmed) mean of a group's ratings; None without ratings."""
    if stats.n == 0:
        return None
    if trim and stats.n >= trim_min_count and stats.n >= 3:
        assert stats.high is not None and stats.low is not None
        return (stats.total - stats.high - stats.low) / (stats.n - 2)
    return stats.total / stats.n


def trimmed_mean_by_definition(values: Sequence[float], *, trim: bool, min_count: int) -> float:
    """The definition the tallies must match: sort, drop one of each end, average."""
    ordered = sorted(values)
    if trim and len(ordered) >= min_count and len(ordered) >= 3:
        ordered = ordered[1:-1]
    return sum(ordered) / len(ordered)


@dataclass
class LeafScore:
    score: float | None
    means: dict[str, float | None] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    weight_sum: float = 0.0


def leaf_score(
    stats: Mapping[str, GroupStats],
    rules: Mapping[str, GroupRule],
    *,
    trim: bool,
    trim_min_count: int,
) -> LeafScore:
    """A rated leaf's score from its per-group tallies, renormalizing over present groups."""
    result = LeafScore(score=None)
    acc = 0.0
    weight_sum = 0.0
    for group in GROUP_ORDER:
        rule = rules.get(group)
        if rule is None or rule.weight == 0:
            continue
        group_stats = stats.get(group, GroupStats())
        mean = group_mean(group_stats, trim=trim, trim_min_count=trim_min_count)
        result.means[group] = mean
        result.counts[group] = group_stats.n
        if mean is not None and group_stats.n >= max(rule.min_count, 1):
            acc = acc + rule.weight * mean
            weight_sum = weight_sum + rule.weight
            result.present.append(group)
        else:
            result.missing.append(group)
    result.weight_sum = weight_sum
    result.score = acc / weight_sum if weight_sum > 0 else None
    return result


def renormalized_weights(
    rules: Mapping[str, GroupRule], present: Iterable[str]
) -> dict[str, float]:
    """The shares the present groups actually carry; they sum to 1 (or nothing is present)."""
    chosen = [g for g in GROUP_ORDER if g in set(present) and g in rules]
    total = sum(rules[g].weight for g in chosen)
    return {g: rules[g].weight / total for g in chosen} if total else {}


def metric_points(
    value: float | None, *, floor: float, target: float, higher_is_better: bool
) -> float | None:
    """Linear between `floor` (0 points) and `target` (100 points), clamped; None stays None.
    With lower-is-better the floor is the worst (largest) value and the target the best."""
    if value is None:
        return None
    if floor == target:
        reached = value >= target if higher_is_better else value <= target
        return 100.0 if reached else 0.0
    share = (value - floor) / (target - floor)
    return max(0.0, min(100.0, share * 100.0))


def rule_points(
    value: float | None,
    *,
    rule: Mapping[str, object],
    floor: float | None,
    target: float | None,
    higher_is_better: bool,
) -> float | None:
    """An automatic leaf's points by its rule: linear (floor → 0, target → 100) or
    thresholds (the points of the first step the value reaches, best step first; 0 below the
    last). None (no record to judge by) scores the rule's "missing" points if it states them
    (e.g. no dues month due yet), else stays None (counted as 0)."""
    if value is None:
        missing = rule.get("missing")
        return None if missing is None else float(missing)  # type: ignore[arg-type]
    if rule.get("kind") == "thresholds":
        for bound, points in rule.get("steps") or []:  # type: ignore[attr-defined]
            reached = value >= float(bound) if higher_is_better else value <= float(bound)
            if reached:
                return float(points)
        return 0.0
    return metric_points(
        value,
        floor=float(floor or 0.0),
        target=float(target or 0.0),
        higher_is_better=higher_is_better,
    )


def rule_text(
    rule: Mapping[str, object], floor: float | None, target: float | None, *, percent: bool
) -> str:
    """The rule in one Chinese phrase, values shown as the metric shows them."""

    def show(x: object) -> str:
        number = float(x)  # type: ignore[arg-type]
        return f"{number * 100:g}%" if percent else f"{number:g}"

    missing = rule.get("missing")
    none = "无记录按0分计" if missing is None else f"无记录按{float(missing):g}分计"  # type: ignore[arg-type]
    if rule.get("kind") == "thresholds":
        steps = [f"达到{show(b)}得{float(p):g}分" for b, p in rule.get("steps") or []]  # type: ignore[attr-defined]
        return "分档计分：" + "，".join(steps) + f"，低于最后一档得0分，{none}"
    return f"线性计分：{show(floor or 0)}为0分、{show(target or 0)}为满分，之间按比例，{none}"


@dataclass
class Ranked:
    key: int  # subject id
    composite: float
    superior_mean: float | None
    members_mean: float | None
    stable_ref: int
    direct: bool


def rank_order(items: Sequence[Ranked]) -> list[Ranked]:
    """The stated order of a peer group (see module docstring)."""

    def low_first(value: float | None) -> float:
        return float("inf") if value is None else -value

    return sorted(
        items,
        key=lambda r: (
            r.direct,
            -r.composite,
            low_first(r.superior_mean),
            low_first(r.members_mean),
            r.stable_ref,
        ),
    )


def quota_of(peer_size: int, numerator: int, denominator: int) -> int:
    return peer_size * numerator // denominator


def grade_for(
    composite: float, rank: int, quota: int, grades: Sequence[Mapping[str, object]]
) -> str:
    """The first grade whose threshold is reached and, for a quota grade, whose quota holds."""
    for grade in grades:
        if composite >= float(grade["min"]):  # type: ignore[arg-type]
            if grade.get("quota") and rank > quota:
                continue
            return str(grade["name"])
    return str(grades[-1]["name"])


def tier_for(rank: int, peer_size: int, tiers: Sequence[Mapping[str, object]]) -> str:
    if not tiers:
        return ""
    cumulative = 0
    for tier in tiers[:-1]:
        cumulative += int(tier["share"])  # type: ignore[call-overload]
        if rank * 100 <= peer_size * cumulative:
            return str(tier["name"])
    return str(tiers[-1]["name"])

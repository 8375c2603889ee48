"""Reads: results, the explanation of one subject, participation proof and anomaly flags.

Callers (views) scope first through chuangxian.orgs.access; these functions take objects the
caller may already see."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from chuangxian.appraisal import scoring
from chuangxian.appraisal.closing import _tally_stats, scheme_shape
from chuangxian.appraisal.models import (
    BallotSheet,
    BoxedSheet,
    DirectGrade,
    Indicator,
    IntakeCounter,
    LeafKind,
    Participation,
    RaterGroup,
    RaterKind,
    Round,
    RoundSubject,
    SheetFingerprint,
    SubjectResult,
    Tally,
    TokenBatch,
    UsedToken,
)

IDENTICAL_SHEETS_MIN = 3  # this many identical sheets (rating ≥ 3 others) raise a flag
BURST_FLAG = 20  # sheets from one address in ten minutes
TOKEN_LATE_DAYS = 14  # a token used this long after its batch was issued


def results_of(round_: Round, *, version: int | None = None) -> QuerySet[SubjectResult]:
    """The results of a version (default: the published snapshot if any, else the current)."""
    if version is None:
        version = round_.published_version or round_.version
    return (
        SubjectResult.objects.filter(round=round_, version=version)
        .select_related("subject")
        .order_by("peer_key", "rank")
    )


@dataclass
class GroupLine:
    group: str
    label: str
    count: int
    min_count: int
    mean: float | None
    trimmed: bool
    weight: int
    share: float  # after renormalization, 0 when absent
    present: bool


@dataclass
class LeafLine:
    code: str
    name: str
    path: str  # "工作机制好 › 三会一课按期召开"
    effective_weight: float
    kind: str
    score: float | None
    groups: list[GroupLine] = field(default_factory=list)
    metric_value: float | None = None
    metric_floor: float | None = None
    metric_target: float | None = None
    renormalized: bool = False


@dataclass
class Explanation:
    subject: str
    peer_label: str
    leaves: list[LeafLine]
    composite: float
    rank: int
    peer_size: int
    quota: int
    quota_grade: str
    quota_cutoff: float | None  # composite of the last subject inside the quota grade
    proposed_grade: str
    grade: str
    tier: str
    direct_reason: str
    override_reason: str
    renormalized: bool
    tie_rule: str = (
        "综合得分相同时，依次比较上级评价得分、党员互评得分（高者在前），仍相同按对象编号从小到大"
    )


def subject_explanation(
    round_: Round, subject: RoundSubject, *, version: int | None = None
) -> Explanation:
    """indicator → rater group → (trimmed) mean → weight → composite → rank → grade."""
    result = results_of(round_, version=version).get(subject=subject)
    shape = scheme_shape(round_.scheme)
    tallies: dict[int, dict[str, Any]] = {
        t["indicator_id"]: dict(t)
        for t in Tally.objects.filter(round=round_, subject=subject).values()
    }
    names = {leaf.pk: leaf for leaf in round_.scheme.indicators.all()}
    leaves: list[LeafLine] = []
    for leaf in shape.leaves:
        trail: list[str] = []
        node: Indicator | None = leaf
        while node is not None:
            trail.append(node.name)
            node = names.get(node.parent_id) if node.parent_id else None
        row = tallies[leaf.pk]
        line = LeafLine(
            code=leaf.code,
            name=leaf.name,
            path=" › ".join(reversed(trail)),
            effective_weight=leaf.effective_weight,
            kind=leaf.kind,
            score=None,
        )
        if leaf.kind == LeafKind.AUTOMATIC:
            line.score = row["auto_points"]
            line.metric_value = row["auto_value"]
            line.metric_floor, line.metric_target = leaf.metric_floor, leaf.metric_target
        else:
            stats = _tally_stats(row)
            scored = scoring.leaf_score(
                stats, shape.rules, trim=shape.trim, trim_min_count=shape.trim_min_count
            )
            shares = scoring.renormalized_weights(shape.rules, scored.present)
            line.score = scored.score
            line.renormalized = bool(scored.missing)
            for group in scored.means:
                rule = shape.rules[group]
                line.groups.append(
                    GroupLine(
                        group=group,
                        label=str(RaterGroup(group).label),
                        count=stats[group].n,
                        min_count=rule.min_count,
                        mean=scored.means[group],
                        trimmed=shape.trim and stats[group].n >= max(shape.trim_min_count, 3),
                        weight=int(rule.weight),
                        share=shares.get(group, 0.0),
                        present=group in scored.present,
                    )
                )
        leaves.append(line)
    grades = shape.grades_for(subject.scale)
    quota_grade = next((str(g["name"]) for g in grades if g.get("quota")), "")
    cutoff = None
    if quota_grade:
        last = (
            SubjectResult.objects.filter(
                round=round_,
                version=result.version,
                peer_key=result.peer_key,
                proposed_grade=quota_grade,
            )
            .order_by("-rank")
            .values_list("composite", flat=True)
            .first()
        )
        cutoff = last
    direct = DirectGrade.objects.filter(subject=subject).first()
    return Explanation(
        subject=subject.label,
        peer_label=subject.peer_label,
        leaves=leaves,
        composite=result.composite,
        rank=result.rank,
        peer_size=result.peer_size,
        quota=result.quota,
        quota_grade=quota_grade,
        quota_cutoff=cutoff,
        proposed_grade=result.proposed_grade,
        grade=result.grade,
        tier=result.tier,
        direct_reason=direct.reason if direct and result.direct else "",
        override_reason=result.override_reason,
        renormalized=result.renormalized,
    )


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def explanation_text(explanation: Explanation) -> list[str]:
    """The explanation in Chinese sentences, one per line."""
    e = explanation
    lines = [f"{e.subject}（{e.peer_label}）"]
    for leaf in e.leaves:
        head = f"指标“{leaf.path}”占总分{leaf.effective_weight * 100:.1f}%"
        if leaf.kind == LeafKind.AUTOMATIC:
            if leaf.metric_value is None:
                lines.append(f"{head}，自动计算：无数据，按0分计。")
            else:
                lines.append(
                    f"{head}，自动计算：实际值{leaf.metric_value:.2f}，"
                    f"{_f(leaf.metric_floor)}为0分、{_f(leaf.metric_target)}为满分，"
                    f"折合{_f(leaf.score)}分。"
                )
            continue
        parts = []
        for g in leaf.groups:
            if g.present:
                how = "去掉一个最高分和一个最低分后平均" if g.trimmed else "平均"
                parts.append(
                    f"{g.label}{g.count}份，{how}{_f(g.mean)}分，原权重{g.weight}%，"
                    f"实际占{g.share * 100:.1f}%"
                )
            else:
                parts.append(
                    f"{g.label}{g.count}份，少于最少{g.min_count}份，不计入，"
                    f"其权重{g.weight}%按比例分给其他评价主体"
                )
        score = "无有效评价，按0分计" if leaf.score is None else f"得{_f(leaf.score)}分"
        lines.append(f"{head}：" + "；".join(parts) + f"；本项{score}。")
    if e.renormalized:
        lines.append(
            "因部分评价主体评价数不足，其权重已按其他主体原权重的比例重新分配（合计仍为100%）。"
        )
    lines.append(
        f"综合得分{e.composite:.2f}分，在“{e.peer_label}”{e.peer_size}个对象中排第{e.rank}名。"
    )
    lines.append(e.tie_rule + "。")
    if e.direct_reason:
        lines.append(f"直接定为“{e.proposed_grade}”：{e.direct_reason}（排在本组最后）。")
    elif e.quota_grade:
        cutoff = (
            f"，最后一名入选者综合得分{_f(e.quota_cutoff)}分" if e.quota_cutoff is not None else ""
        )
        lines.append(
            f"“{e.quota_grade}”名额不超过本组人数的比例上限，即{e.quota}名{cutoff}；"
            f"建议等次为“{e.proposed_grade}”。"
        )
    else:
        lines.append(f"建议等次为“{e.proposed_grade}”。")
    if e.tier:
        lines.append(f"星级档次：{e.tier}。")
    if e.grade != e.proposed_grade:
        lines.append(f"党组织研究决定为“{e.grade}”，理由：{e.override_reason}")
    return lines


@dataclass(frozen=True)
class ParticipationProof:
    members: int
    superiors: int
    public_tokens: int
    sheets_by_kind: dict[str, int]
    matches: bool


def participation_proof(round_: Round) -> ParticipationProof:
    """Participation counted on one side, sheets on the other: the counts must agree."""
    people = dict(
        Participation.objects.filter(round=round_).values_list("kind").annotate(n=Count("id"))
    )
    tokens = UsedToken.objects.filter(round=round_).count()
    sheets: Counter[str] = Counter()
    for model in (BoxedSheet, BallotSheet):  # in the box while collecting, sealed after
        sheets.update(
            dict(model.objects.filter(round=round_).values_list("kind").annotate(n=Count("id")))
        )
    expected = {
        RaterKind.MEMBER: people.get(RaterKind.MEMBER, 0),
        RaterKind.SUPERIOR: people.get(RaterKind.SUPERIOR, 0),
        RaterKind.PUBLIC: tokens,
    }
    return ParticipationProof(
        members=expected[RaterKind.MEMBER],
        superiors=expected[RaterKind.SUPERIOR],
        public_tokens=tokens,
        sheets_by_kind={str(k): int(v) for k, v in sheets.items()},
        matches=all(sheets.get(k, 0) == v for k, v in expected.items())
        and sum(sheets.values()) == sum(expected.values()),
    )


@dataclass(frozen=True)
class AnomalyFlag:
    kind: str  # "burst", "identical_sheets", "late_tokens"
    message: str
    count: int
    detail: dict[str, Any] = field(default_factory=dict)


def anomaly_flags(round_: Round) -> list[AnomalyFlag]:
    """What the administrator should look at before closing."""
    flags: list[AnomalyFlag] = []
    for counter in IntakeCounter.objects.filter(round=round_, count__gte=BURST_FLAG).order_by(
        "-count"
    ):
        flags.append(
            AnomalyFlag(
                "burst",
                f"同一网络地址在{counter.bucket:%H:%M}起10分钟内提交{counter.count}份",
                counter.count,
                {"address": counter.address_hash[:8], "bucket": counter.bucket.isoformat()},
            )
        )
    # Only sheets rating at least IDENTICAL_MIN_SUBJECTS others carry a fingerprint; folded
    # ones are counted in SheetFingerprint, which is deleted when the round closes.
    identical: Counter[str] = Counter(
        dict(SheetFingerprint.objects.filter(round=round_).values_list("fingerprint", "count"))
    )
    identical.update(
        BoxedSheet.objects.filter(round=round_)
        .exclude(fingerprint="")
        .values_list("fingerprint", flat=True)
    )
    for fingerprint, n in sorted(identical.items(), key=lambda item: (-item[1], item[0])):
        if n >= IDENTICAL_SHEETS_MIN:
            flags.append(
                AnomalyFlag(
                    "identical_sheets",
                    f"有{n}份评价表内容完全相同",
                    n,
                    {"fingerprint": fingerprint[:8]},
                )
            )
    for batch in TokenBatch.objects.filter(round=round_):
        late = UsedToken.objects.filter(
            batch=batch, used_on__gt=batch.issued_on + _days(TOKEN_LATE_DAYS)
        ).count()
        early = UsedToken.objects.filter(batch=batch, used_on__lt=batch.issued_on).count()
        if late or early:
            flags.append(
                AnomalyFlag(
                    "late_tokens",
                    f"二维码批次“{batch}”（{batch.issued_on}发放）有{late + early}个"
                    f"在发放{TOKEN_LATE_DAYS}天之后（或之前）使用",
                    late + early,
                    {"batch": batch.pk},
                )
            )
    return flags


def _days(n: int) -> Any:
    import datetime as dt

    return dt.timedelta(days=n)

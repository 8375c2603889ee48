"""Reads: results, the explanation of one subject, participation proof and anomaly flags.

Callers (views) scope first through chuangxian.orgs.access; these functions take objects the
caller may already see."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from chuangxian.appraisal import metrics, scoring
from chuangxian.appraisal.closing import _tally_stats, scheme_shape
from chuangxian.appraisal.models import (
    GROUP_ORDER,
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
    Standing,
    SubjectResult,
    Tally,
    ThinRule,
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
    metric_label: str = ""
    metric_source: str = ""
    metric_records: str = ""  # the records behind this subject's value
    metric_rule: str = ""
    metric_percent: bool = True
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
    thin_rule: str = ""
    figures_at: str = ""
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
            _describe_metric(line, leaf, subject, round_.year)
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
        thin_rule=str(ThinRule(round_.scheme.thin_rule).label),
        figures_at=(
            f"{timezone.localtime(round_.figures_at):%Y-%m-%d %H:%M}" if round_.figures_at else ""
        ),
    )


def _describe_metric(line: LeafLine, leaf: Indicator, subject: RoundSubject, year: int) -> None:
    """Which figure, from which records (this subject's), by which rule."""
    metric = metrics.get_metric(leaf.metric)
    percent = metric is None or metric.unit == "rate"
    line.metric_percent = percent
    line.metric_rule = scoring.rule_text(
        leaf.metric_rule, leaf.metric_floor, leaf.metric_target, percent=percent
    )
    if metric is None:
        line.metric_label = leaf.metric
        line.metric_source = "该数据指标所在的模块未安装"
        return
    line.metric_label, line.metric_source = metric.label, metric.source
    ref = subject.organization_id
    if metric.subject_type == "member" and subject.member_id is not None:
        ref = subject.member_id
    line.metric_records = metrics.explain_metric(metric.name, ref, metrics.Period.of_year(year))


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def explanation_text(explanation: Explanation) -> list[str]:
    """The explanation in Chinese sentences, one per line."""
    e = explanation
    lines = [f"{e.subject}（{e.peer_label}）"]
    for leaf in e.leaves:
        head = f"指标“{leaf.path}”占总分{leaf.effective_weight * 100:.1f}%"
        if leaf.kind == LeafKind.AUTOMATIC:
            source = f"，数据来源：{leaf.metric_source}" if leaf.metric_source else ""
            records = f"；本对象的记录：{leaf.metric_records}" if leaf.metric_records else ""
            if leaf.metric_value is None:
                points = _f(leaf.score) if leaf.score is not None else "0"
                value = f"无记录；{leaf.metric_rule}；计{points}分"
            else:
                shown = (
                    f"{leaf.metric_value * 100:.1f}%"
                    if leaf.metric_percent
                    else f"{leaf.metric_value:.2f}"
                )
                value = f"实际值{shown}；{leaf.metric_rule}；折合{_f(leaf.score)}分"
            lines.append(
                f"{head}，自动计算“{leaf.metric_label or leaf.name}”{source}{records}；{value}。"
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
            f"本方案的规则：{e.thin_rule}。"
        )
    if e.figures_at and any(leaf.kind == LeafKind.AUTOMATIC for leaf in e.leaves):
        lines.append(f"自动计算的数据读取于{e.figures_at}（测评开始时读取，结算前可更新）。")
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
class GroupParticipation:
    """One rater group of a round against its minimum, over the subjects of the round."""

    group: str
    label: str
    weight: int
    min_count: int
    subjects: int
    reaching: int  # subjects with at least min_count sheets of this group
    fewest: int
    most: int

    @property
    def below(self) -> int:
        return self.subjects - self.reaching


def participation_by_group(round_: Round) -> list[GroupParticipation]:
    """Per rater group (weight > 0): how many subjects reach its minimum number of sheets,
    and the fewest and most sheets a subject got. Counted on the scheme's first rated leaf
    (every sheet rates every leaf of a subject). One grouped query."""
    shape = scheme_shape(round_.scheme)
    leaf = next((x for x in shape.leaves if x.kind == LeafKind.RATED), None)
    groups = [g for g in GROUP_ORDER if g in shape.rules and shape.rules[g].weight > 0]
    if leaf is None or not groups:
        return []
    aggregates: dict[str, Any] = {"subjects": Count("subject_id")}
    for g in groups:
        minimum = max(shape.rules[g].min_count, 1)
        aggregates[f"reach_{g}"] = Count("subject_id", filter=Q(**{f"n_{g}__gte": minimum}))
        aggregates[f"min_{g}"] = Min(f"n_{g}")
        aggregates[f"max_{g}"] = Max(f"n_{g}")
    row = Tally.objects.filter(round=round_, indicator=leaf).aggregate(**aggregates)
    return [
        GroupParticipation(
            group=g,
            label=str(RaterGroup(g).label),
            weight=int(shape.rules[g].weight),
            min_count=max(shape.rules[g].min_count, 1),
            subjects=row["subjects"],
            reaching=row[f"reach_{g}"],
            fewest=row[f"min_{g}"] or 0,
            most=row[f"max_{g}"] or 0,
        )
        for g in groups
    ]


def close_problems(round_: Round) -> list[str]:
    """Why the round may not be closed yet, in Chinese (empty: it may). Read from the
    standings that folding and figures_fill keep current; subjects graded directly (一票否决,
    全年无活动) need no ratings.

    - always: a subject whose rated leaves rest on its self-rating alone, or on nothing (no
      group but 本人自评 reaches its minimum) — a self-rating never decides a grade;
    - under ThinRule.REFUSE: any subject with a rater group below its minimum."""
    direct = DirectGrade.objects.filter(round=round_).values("subject_id")
    standings = Standing.objects.filter(round=round_).exclude(subject_id__in=direct)
    problems: list[str] = []
    weak = standings.filter(weak=True)
    count = weak.count()
    if count:
        names = "、".join(
            RoundSubject.objects.filter(
                pk__in=weak.order_by("subject_id").values("subject_id")[:5]
            ).values_list("label", flat=True)
        )
        problems.append(
            f"有{count}个考评对象除本人自评外没有达到最少份数的评价（如：{names}），"
            "只凭自评或没有评价不能定等，请继续收集评价后再结算"
        )
    if round_.scheme.thin_rule == ThinRule.REFUSE and standings.filter(renorm=True).exists():
        for line in participation_by_group(round_):
            if line.below:
                problems.append(
                    f"{line.label}：有{line.below}个考评对象少于最少{line.min_count}份"
                    f"（最少的{line.fewest}份）；本方案规定评价数不足时不能结算"
                )
    return problems


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


@dataclass(frozen=True)
class BranchParticipation:
    """A round's participation in one branch, as the branch's 民主评议党员 meeting shows it."""

    round: Round
    organization_id: int
    meeting_id: int
    enrolled: int
    submitted: int


def meeting_participation(links: Sequence[Any]) -> list[BranchParticipation]:
    """For RoundMeeting links: members enrolled in the branch and member sheets submitted by
    them (who took part, never what they chose). Two queries per link."""
    found = []
    for link in links:
        members = RoundSubject.objects.filter(
            round_id=link.round_id, organization_id=link.organization_id, member__isnull=False
        ).values("member_id")
        submitted = Participation.objects.filter(
            round_id=link.round_id, kind=RaterKind.MEMBER, member_id__in=members
        ).count()
        found.append(
            BranchParticipation(
                round=link.round,
                organization_id=link.organization_id,
                meeting_id=link.meeting_id,
                enrolled=members.count(),
                submitted=submitted,
            )
        )
    return found

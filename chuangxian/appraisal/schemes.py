"""Schemes as data: the spec a scheme is created from, its validation, and the shipped defaults
(五好 for branches, 五带头 for members, 民主评议党员)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chuangxian.appraisal.models import (
    Direction,
    LeafKind,
    RaterGroup,
    SubjectType,
    ThinRule,
)

DEFAULT_GROUP_WEIGHTS: dict[str, tuple[int, int]] = {
    # group: (weight, minimum count)
    RaterGroup.SELF: (10, 1),
    RaterGroup.MEMBERS: (30, 3),
    RaterGroup.SUPERIOR: (40, 1),
    RaterGroup.PUBLIC: (20, 3),
}

DEMOCRATIC_GRADES = [
    {"name": "优秀", "min": 90, "quota": True},
    {"name": "合格", "min": 70},
    {"name": "基本合格", "min": 55},
    {"name": "不合格", "min": 0},
]
# 预备党员 are graded on their own scale: no 优秀, and a higher bar for 合格.
PROBATIONARY_GRADES = [
    {"name": "合格", "min": 75},
    {"name": "基本合格", "min": 60},
    {"name": "不合格", "min": 0},
]
ORG_GRADES = [
    {"name": "好", "min": 90, "quota": True},
    {"name": "较好", "min": 75},
    {"name": "一般", "min": 60},
    {"name": "差", "min": 0},
]
STAR_TIERS = [
    {"name": "五星", "share": 10},
    {"name": "四星", "share": 40},
    {"name": "三星", "share": 30},
    {"name": "二星", "share": 20},
]
DEMOCRATIC_SCALE = {
    "kind": "choices",
    "choices": [["优秀", 100], ["合格", 80], ["基本合格", 60], ["不合格", 0]],
}
POINTS_SCALE = {"kind": "points", "min": 0, "max": 100}


@dataclass
class IndicatorSpec:
    code: str
    name: str
    weight: int
    kind: str = ""  # "" for an inner node
    scale: dict[str, Any] = field(default_factory=dict)
    metric: str = ""
    metric_floor: float | None = None
    metric_target: float | None = None
    direction: str = Direction.HIGHER
    metric_rule: dict[str, Any] = field(default_factory=dict)
    children: list["IndicatorSpec"] = field(default_factory=list)


@dataclass
class SchemeSpec:
    code: str
    name: str
    subject_type: str
    indicators: list[IndicatorSpec]
    grades: list[dict[str, Any]]
    sector: str = ""
    description: str = ""
    probationary_grades: list[dict[str, Any]] = field(default_factory=list)
    group_weights: dict[str, tuple[int, int]] = field(
        default_factory=lambda: dict(DEFAULT_GROUP_WEIGHTS)
    )
    trim_enabled: bool = True
    trim_min_count: int = 5
    quota_numerator: int = 1
    quota_denominator: int = 3
    tiers: list[dict[str, Any]] = field(default_factory=list)
    veto_grade: str = ""
    inactivity_metric: str = ""
    inactivity_grade: str = ""
    thin_rule: str = ThinRule.DROP


def check_scheme(spec: SchemeSpec) -> list[str]:
    """Every problem of the spec, in Chinese; empty when the scheme may be created."""
    problems: list[str] = []
    if spec.subject_type not in SubjectType.values:
        problems.append("考评对象应为：党组织、党员或书记述职")
    if not spec.code.strip() or not spec.name.strip():
        problems.append("方案编码和名称不能为空")
    total = sum(w for w, _ in spec.group_weights.values())
    unknown = set(spec.group_weights) - set(RaterGroup.values)
    if unknown:
        problems.append("未知的评价主体：" + "、".join(sorted(unknown)))
    if total != 100:
        problems.append(f"各评价主体权重之和应为100，现为{total}")
    if spec.trim_enabled and spec.trim_min_count < 3:
        problems.append("去掉最高分和最低分至少需要3个评价")
    if spec.quota_denominator == 0 or spec.quota_numerator > spec.quota_denominator:
        problems.append("优秀名额比例应在0到1之间")
    problems += _check_grades(spec.grades, "等次")
    if spec.probationary_grades:
        problems += _check_grades(spec.probationary_grades, "预备党员等次")
    names = {str(g["name"]) for g in spec.grades} | {
        str(g["name"]) for g in spec.probationary_grades
    }
    for label, grade in (("一票否决", spec.veto_grade), ("全年无活动", spec.inactivity_grade)):
        if grade and grade not in names:
            problems.append(f"{label}的定等“{grade}”不在等次中")
    if spec.thin_rule not in ThinRule.values:
        problems.append("评价数不足时的处理规则应为：不计入或不能结算")
    if spec.inactivity_metric and not spec.inactivity_grade:
        problems.append("设置了全年无活动判定指标，还需设置其定等")
    if spec.tiers:
        shares = sum(int(t["share"]) for t in spec.tiers)
        if shares != 100:
            problems.append(f"星级档次比例之和应为100，现为{shares}")
    if not spec.indicators:
        problems.append("至少需要一个指标")
    problems += _check_level(spec.indicators, "一级指标", set(), spec.subject_type)
    return problems


def _check_grades(grades: Sequence[Mapping[str, Any]], label: str) -> list[str]:
    problems: list[str] = []
    if not grades:
        return [f"{label}不能为空"]
    thresholds = [float(g["min"]) for g in grades]
    if thresholds != sorted(thresholds, reverse=True) or len(set(thresholds)) != len(thresholds):
        problems.append(f"{label}的分数线应从高到低且互不相同")
    if thresholds[-1] != 0:
        problems.append(f"{label}的最后一档分数线应为0，使每个对象都有等次")
    if any(g.get("quota") for g in grades[1:]):
        problems.append(f"{label}只有最高一档可以设名额限制")
    return problems


def _check_level(
    nodes: Sequence[IndicatorSpec], where: str, codes: set[str], subject_type: str
) -> list[str]:
    problems: list[str] = []
    if not nodes:
        return problems
    total = sum(node.weight for node in nodes)
    if total != 100:
        problems.append(f"{where}的权重之和应为100，现为{total}")
    for node in nodes:
        if node.code in codes:
            problems.append(f"指标编码“{node.code}”重复")
        codes.add(node.code)
        if node.children:
            if node.kind:
                problems.append(f"指标“{node.name}”有下级指标，不能直接计分")
            problems += _check_level(node.children, f"“{node.name}”的下级指标", codes, subject_type)
        elif node.kind == LeafKind.RATED:
            problems += _check_scale(node)
        elif node.kind == LeafKind.AUTOMATIC:
            problems += _check_automatic(node, subject_type)
        else:
            problems.append(f"末级指标“{node.name}”应选择评分或自动计算")
    return problems


def _check_automatic(node: IndicatorSpec, subject_type: str) -> list[str]:
    from chuangxian.appraisal.metrics import get_metric

    problems: list[str] = []
    metric = get_metric(node.metric) if node.metric else None
    if not node.metric:
        problems.append(f"指标“{node.name}”为自动计算，需指定数据指标")
    elif metric is None:
        problems.append(f"指标“{node.name}”的数据指标“{node.metric}”不存在（相关模块未安装）")
    elif metric.subject_type == "member" and subject_type == SubjectType.ORGANIZATION:
        problems.append(f"指标“{node.name}”：党员的数据指标“{metric.label}”不能用于考评党组织")
    if node.direction not in Direction.values:
        problems.append(f"指标“{node.name}”的方向应为越高越好或越低越好")
    rule = node.metric_rule or {}
    if rule.get("kind") == "thresholds":
        steps = rule.get("steps") or []
        bounds = [float(b) for b, _ in steps]
        best_first = sorted(bounds, reverse=node.direction == Direction.HIGHER)
        if not steps:
            problems.append(f"指标“{node.name}”的分档计分至少需要一档")
        elif bounds != best_first or len(set(bounds)) != len(bounds):
            problems.append(f"指标“{node.name}”的分档应从最好的一档起排列，且互不相同")
        if any(not 0 <= float(p) <= 100 for _, p in steps):
            problems.append(f"指标“{node.name}”每档得分应在0到100之间")
    elif rule.get("kind", "linear") == "linear":
        if node.metric_floor is None or node.metric_target is None:
            problems.append(f"指标“{node.name}”需设置零分值和满分值")
    else:
        problems.append(f"指标“{node.name}”的计分规则应为线性或分档")
    missing = rule.get("missing")
    if missing is not None and not 0 <= float(missing) <= 100:
        problems.append(f"指标“{node.name}”无记录时的得分应在0到100之间")
    return problems


def _check_scale(node: IndicatorSpec) -> list[str]:
    scale = node.scale
    if scale.get("kind") == "points":
        if float(scale.get("max", 0)) <= float(scale.get("min", 0)):
            return [f"指标“{node.name}”的评分上限应大于下限"]
        return []
    if scale.get("kind") == "choices":
        choices = scale.get("choices") or []
        if len(choices) < 2 or any(not 0 <= float(p) <= 100 for _, p in choices):
            return [f"指标“{node.name}”至少需要两个选项，每项0到100分"]
        return []
    return [f"指标“{node.name}”需设置评分标准（分值或选项）"]


def spec_of(scheme: Any) -> SchemeSpec:
    """The spec a stored scheme was created from (for copying and the editor)."""
    nodes = list(scheme.indicators.order_by("position"))
    children: dict[int | None, list[Any]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def build(parent: int | None) -> list[IndicatorSpec]:
        return [
            IndicatorSpec(
                code=n.code,
                name=n.name,
                weight=n.weight,
                kind=n.kind,
                scale=dict(n.scale),
                metric=n.metric,
                metric_floor=n.metric_floor,
                metric_target=n.metric_target,
                direction=n.direction,
                metric_rule=dict(n.metric_rule),
                children=build(n.pk),
            )
            for n in children.get(parent, [])
        ]

    return SchemeSpec(
        code=scheme.code,
        name=scheme.name,
        subject_type=scheme.subject_type,
        indicators=build(None),
        grades=list(scheme.grades),
        sector=scheme.sector,
        description=scheme.description,
        probationary_grades=list(scheme.probationary_grades),
        group_weights={r.group: (r.weight, r.min_count) for r in scheme.group_rules.all()},
        trim_enabled=scheme.trim_enabled,
        trim_min_count=scheme.trim_min_count,
        quota_numerator=scheme.quota_numerator,
        quota_denominator=scheme.quota_denominator,
        tiers=list(scheme.tiers),
        veto_grade=scheme.veto_grade,
        inactivity_metric=scheme.inactivity_metric,
        inactivity_grade=scheme.inactivity_grade,
        thin_rule=scheme.thin_rule,
    )


def choice_codes(scale: Mapping[str, Any]) -> dict[str, tuple[str, float]]:
    """What a sheet posts for each choice of a choices scale: its position ("0", "1", …), so
    that a sheet of 17 members is plain ASCII to parse; position → (label, points)."""
    return {str(i): (str(label), float(p)) for i, (label, p) in enumerate(scale["choices"])}


def scale_points(scale: Mapping[str, Any], value: object) -> float | None:
    """A rater's answer on the leaf's scale as points 0–100; None when not on the scale."""
    if scale.get("kind") == "choices":
        for label, points in scale["choices"]:
            if value == label:
                return float(points)
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    low, high = float(scale["min"]), float(scale["max"])
    if not low <= number <= high:
        return None
    return (number - low) / (high - low) * 100.0


def _rated(code: str, name: str, weight: int, scale: dict[str, Any]) -> IndicatorSpec:
    return IndicatorSpec(code=code, name=name, weight=weight, kind=LeafKind.RATED, scale=scale)


def five_good_spec(*, sector: str = "") -> SchemeSpec:
    """五好 for branches: five dimensions, rated, plus two automatic leaves of 工作机制好."""
    mechanism = IndicatorSpec(
        code="mechanism",
        name="工作机制好",
        weight=20,
        children=[
            IndicatorSpec(
                code="meetings",
                name="三会一课按期召开",
                weight=50,
                kind=LeafKind.AUTOMATIC,
                metric="orglife.meetings_held_vs_required",
                metric_floor=0.5,
                metric_target=1.0,
            ),
            _rated("mechanism_rated", "制度落实评价", 50, POINTS_SCALE),
        ],
    )
    suffix = f"_{sector}" if sector else ""
    return SchemeSpec(
        code=f"five_good{suffix}",
        name="五好党组织考评" + (f"（{sector}）" if sector else ""),
        subject_type=SubjectType.ORGANIZATION,
        sector=sector,
        indicators=[
            _rated("leadership", "领导班子好", 20, POINTS_SCALE),
            _rated("membership", "党员队伍好", 20, POINTS_SCALE),
            mechanism,
            _rated("performance", "工作业绩好", 20, POINTS_SCALE),
            _rated("reputation", "群众反映好", 20, POINTS_SCALE),
        ],
        grades=ORG_GRADES,
        tiers=STAR_TIERS,
        veto_grade="差",
        inactivity_metric="orglife.meetings_held_vs_required",
        inactivity_grade="差",
        quota_numerator=1,
        quota_denominator=3,
    )


def five_lead_spec() -> SchemeSpec:
    """五带头 for members: the five dimensions, each rated 0–100."""
    return SchemeSpec(
        code="five_lead",
        name="五带头党员考评",
        subject_type=SubjectType.MEMBER,
        indicators=[
            _rated("study", "带头学习提高", 20, POINTS_SCALE),
            _rated("excel", "带头争创佳绩", 20, POINTS_SCALE),
            _rated("serve", "带头服务群众", 20, POINTS_SCALE),
            _rated("discipline", "带头遵纪守法", 20, POINTS_SCALE),
            _rated("integrity", "带头弘扬正气", 20, POINTS_SCALE),
        ],
        grades=DEMOCRATIC_GRADES,
        probationary_grades=PROBATIONARY_GRADES,
        veto_grade="不合格",
    )


def democratic_spec() -> SchemeSpec:
    """民主评议党员 by the vote alone: one 民主测评 mark per rater (优秀/合格/基本合格/不合格),
    优秀 ≤ one third. democratic_records_spec adds the year's records."""
    return SchemeSpec(
        code="democratic",
        name="民主评议党员（仅民主测评）",
        subject_type=SubjectType.MEMBER,
        indicators=[_rated("overall", "民主测评", 100, DEMOCRATIC_SCALE)],
        grades=DEMOCRATIC_GRADES,
        probationary_grades=PROBATIONARY_GRADES,
        veto_grade="不合格",
    )


def _auto(
    code: str,
    name: str,
    weight: int,
    metric: str,
    *,
    floor: float | None = None,
    target: float | None = None,
    steps: list[list[float]] | None = None,
    missing: float | None = None,
) -> IndicatorSpec:
    """An automatic leaf: linear between floor and target, or by threshold steps."""
    rule: dict[str, Any] = {"kind": "thresholds", "steps": steps} if steps else {"kind": "linear"}
    if missing is not None:
        rule["missing"] = missing
    return IndicatorSpec(
        code=code,
        name=name,
        weight=weight,
        kind=LeafKind.AUTOMATIC,
        metric=metric,
        metric_floor=floor,
        metric_target=target,
        metric_rule=rule,
    )


def democratic_records_spec() -> SchemeSpec:
    """民主评议党员 from the vote and the year's records: 民主测评 (本人自评, 党员互评, 群众评价,
    and the branch's / superior's 组织评价, each weighted as the group rules say) 60%, and the
    figures the branch already keeps 40% — 组织生活出席 (orglife), 学时 (learning), 党费
    (dues), 承诺兑现 (commitments). 优秀 ≤ one third; 预备党员 on their own scale."""
    records = IndicatorSpec(
        code="records",
        name="平时表现（来自记录）",
        weight=40,
        children=[
            _auto(
                "attendance",
                "参加组织生活",
                30,
                "orglife.attendance_rate",
                steps=[[0.9, 100], [0.75, 80], [0.6, 60]],
                missing=100,
            ),
            _auto("study", "学时完成", 30, "learning.study_progress", floor=0.5, target=1.0),
            _auto(
                "dues",
                "按时交纳党费",
                20,
                "dues.dues_compliance",
                steps=[[1.0, 100], [0.9, 80], [0.75, 60]],
                missing=100,
            ),
            _auto(
                "commitments",
                "承诺兑现",
                20,
                "commitments.member_fulfilment_rate",
                floor=0.0,
                target=1.0,
                missing=100,
            ),
        ],
    )
    return SchemeSpec(
        code="democratic_records",
        name="民主评议党员（测评与平时记录）",
        subject_type=SubjectType.MEMBER,
        description=(
            "依据：《中国共产党支部工作条例（试行）》（民主评议党员每年一次：个人自评、党员互评、"
            "民主测评、组织评价）、《中国共产党党员教育管理工作条例》（每年至少32学时，支委56"
            "学时）、《关于中国共产党党费收缴、使用和管理的规定》（按月交纳）。民主测评占60%，"
            "平时记录占40%：组织生活出席率（90%以上满分，75%、60%分档）、学时完成率（50%为0分，"
            "100%满分）、按时交纳党费比例（全部按时满分，90%、75%分档）、承诺兑现率。没有应到"
            "会议、没有到期党费、没有已有结果的承诺时按满分计（没有可扣分的记录）。评价数不足"
            "最少份数的评价主体不计入，权重按比例分给其他主体；只有本人自评时不能结算。"
        ),
        indicators=[_rated("vote", "民主测评", 60, DEMOCRATIC_SCALE), records],
        grades=DEMOCRATIC_GRADES,
        probationary_grades=PROBATIONARY_GRADES,
        veto_grade="不合格",
    )


def five_good_branch_spec() -> SchemeSpec:
    """五好党支部 from ratings and records: each 好 a dimension, the measurable parts automatic
    (meeting compliance, members' attendance coverage, targets, commitments)."""
    return SchemeSpec(
        code="five_good_branch",
        name="五好党支部（测评与工作记录）",
        subject_type=SubjectType.ORGANIZATION,
        description=(
            "依据：创先争优“五好”标准（领导班子好、党员队伍好、工作机制好、工作业绩好、群众反映好）"
            "与《中国共产党支部工作条例（试行）》的会议要求。自动计算：三会一课按期召开率"
            "（orglife）、党员参加组织生活覆盖率（orglife）、目标任务完成进度（campaigns，责任书）、"
            "承诺兑现率（commitments）。“群众意见办结率”和“群众满意度”尚无数据指标（公开模块还"
            "没有提供），群众反映好暂由群众评价打分，指标建成后可在方案中改为自动计算。"
            "全年三会一课按期召开率为0的支部直接定为“差”。"
        ),
        indicators=[
            _rated("leadership", "领导班子好", 20, POINTS_SCALE),
            IndicatorSpec(
                code="membership",
                name="党员队伍好",
                weight=20,
                children=[
                    _auto(
                        "coverage",
                        "党员参加组织生活覆盖率",
                        50,
                        "orglife.organization_attendance_rate",
                        floor=0.5,
                        target=0.95,
                    ),
                    _rated("membership_rated", "党员队伍评价", 50, POINTS_SCALE),
                ],
            ),
            IndicatorSpec(
                code="mechanism",
                name="工作机制好",
                weight=20,
                children=[
                    _auto(
                        "meetings",
                        "三会一课按期召开",
                        60,
                        "orglife.meetings_held_vs_required",
                        floor=0.5,
                        target=1.0,
                    ),
                    _rated("mechanism_rated", "制度落实评价", 40, POINTS_SCALE),
                ],
            ),
            IndicatorSpec(
                code="performance",
                name="工作业绩好",
                weight=20,
                children=[
                    _auto(
                        "targets",
                        "目标任务完成",
                        40,
                        "campaigns.target_progress",
                        floor=0.0,
                        target=1.0,
                        missing=0,
                    ),
                    _auto(
                        "commitments",
                        "承诺兑现",
                        30,
                        "commitments.fulfilment_rate",
                        floor=0.0,
                        target=1.0,
                        missing=0,
                    ),
                    _rated("performance_rated", "工作业绩评价", 30, POINTS_SCALE),
                ],
            ),
            _rated("reputation", "群众反映好", 20, POINTS_SCALE),
        ],
        grades=ORG_GRADES,
        tiers=STAR_TIERS,
        veto_grade="差",
        inactivity_metric="orglife.meetings_held_vs_required",
        inactivity_grade="差",
    )


SECRETARY_SCALE = {
    "kind": "choices",
    "choices": [["好", 100], ["较好", 80], ["一般", 60], ["差", 0]],
}


def secretary_report_spec() -> SchemeSpec:
    """书记抓党建述职评议: the secretary's report rated by members and the superior, and the
    branch's own figures (the work the report is about)."""
    return SchemeSpec(
        code="secretary_report",
        name="书记抓党建述职评议",
        subject_type=SubjectType.SECRETARY,
        description=(
            "依据：党组织书记抓基层党建工作述职评议考核（书记述职，党员和上级评议）。述职评议"
            "占60%（好/较好/一般/差）；本支部工作数据占40%：三会一课按期召开率、党员参加组织"
            "生活覆盖率、目标任务完成进度、承诺兑现率，均取自书记所在支部的记录。"
        ),
        indicators=[
            _rated("report", "述职评议", 60, SECRETARY_SCALE),
            IndicatorSpec(
                code="branch_figures",
                name="本支部工作数据",
                weight=40,
                children=[
                    _auto(
                        "meetings",
                        "三会一课按期召开",
                        40,
                        "orglife.meetings_held_vs_required",
                        floor=0.5,
                        target=1.0,
                    ),
                    _auto(
                        "coverage",
                        "党员参加组织生活覆盖率",
                        20,
                        "orglife.organization_attendance_rate",
                        floor=0.5,
                        target=0.95,
                    ),
                    _auto(
                        "targets",
                        "目标任务完成",
                        20,
                        "campaigns.target_progress",
                        floor=0.0,
                        target=1.0,
                        missing=0,
                    ),
                    _auto(
                        "commitments",
                        "承诺兑现",
                        20,
                        "commitments.fulfilment_rate",
                        floor=0.0,
                        target=1.0,
                        missing=0,
                    ),
                ],
            ),
        ],
        grades=ORG_GRADES,
        group_weights={
            RaterGroup.SELF: (0, 1),
            RaterGroup.MEMBERS: (50, 3),
            RaterGroup.SUPERIOR: (50, 1),
            RaterGroup.PUBLIC: (0, 3),
        },
    )


def default_specs() -> list[SchemeSpec]:
    return [
        democratic_records_spec(),
        five_good_branch_spec(),
        secretary_report_spec(),
        five_good_spec(),
        five_lead_spec(),
        democratic_spec(),
    ]

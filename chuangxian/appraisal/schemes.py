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
    if spec.inactivity_metric and not spec.inactivity_grade:
        problems.append("设置了全年无活动判定指标，还需设置其定等")
    if spec.tiers:
        shares = sum(int(t["share"]) for t in spec.tiers)
        if shares != 100:
            problems.append(f"星级档次比例之和应为100，现为{shares}")
    if not spec.indicators:
        problems.append("至少需要一个指标")
    problems += _check_level(spec.indicators, "一级指标", set())
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


def _check_level(nodes: Sequence[IndicatorSpec], where: str, codes: set[str]) -> list[str]:
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
            problems += _check_level(node.children, f"“{node.name}”的下级指标", codes)
        elif node.kind == LeafKind.RATED:
            problems += _check_scale(node)
        elif node.kind == LeafKind.AUTOMATIC:
            if not node.metric:
                problems.append(f"指标“{node.name}”为自动计算，需指定数据指标")
            if node.metric_floor is None or node.metric_target is None:
                problems.append(f"指标“{node.name}”需设置零分值和满分值")
            if node.direction not in Direction.values:
                problems.append(f"指标“{node.name}”的方向应为越高越好或越低越好")
        else:
            problems.append(f"末级指标“{node.name}”应选择评分或自动计算")
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
    """民主评议党员: one 民主测评 mark per rater (优秀/合格/基本合格/不合格), 优秀 ≤ one third."""
    return SchemeSpec(
        code="democratic",
        name="民主评议党员",
        subject_type=SubjectType.MEMBER,
        indicators=[_rated("overall", "民主测评", 100, DEMOCRATIC_SCALE)],
        grades=DEMOCRATIC_GRADES,
        probationary_grades=PROBATIONARY_GRADES,
        veto_grade="不合格",
    )


def default_specs() -> list[SchemeSpec]:
    return [five_good_spec(), five_lead_spec(), democratic_spec()]

"""Schemes that follow the standards: a scheme generated from a campaign's 五好 (organizations)
or 五带头 (members) standard in the version that applies to a sector — each dimension a
first-level indicator, each standard item a rated indicator under it, and the automatic
figures that measure the dimension preselected beside them (an item whose text names a
recorded figure — 三会一课, 学时, 党费, 承诺, 目标 — becomes that figure instead of a rating).

A sector's refinements therefore reach its organizations' schemes: generate the sector's
scheme again after refining (a scheme already used by a round stays as it was)."""

from chuangxian.appraisal.metrics import get_metric
from chuangxian.appraisal.models import LeafKind, SubjectType
from chuangxian.appraisal.schemes import (
    DEMOCRATIC_GRADES,
    ORG_GRADES,
    POINTS_SCALE,
    PROBATIONARY_GRADES,
    STAR_TIERS,
    IndicatorSpec,
    SchemeSpec,
)
from chuangxian.campaigns.dimensions import MemberDimension, OrgDimension
from chuangxian.campaigns.models import Campaign, StandardItem, StandardKind

# The figures that measure each dimension, preselected in a generated scheme.
DIMENSION_FIGURES: dict[str, list[str]] = {
    OrgDimension.MEMBERSHIP: ["orglife.organization_attendance_rate"],
    OrgDimension.MECHANISM: ["orglife.meetings_held_vs_required"],
    OrgDimension.PERFORMANCE: ["campaigns.target_progress", "commitments.fulfilment_rate"],
    MemberDimension.STUDY: ["learning.study_progress"],
    MemberDimension.EXCEL: ["campaigns.member_target_progress"],
    MemberDimension.SERVE: ["commitments.member_fulfilment_rate"],
    MemberDimension.DISCIPLINE: ["orglife.attendance_rate", "dues.dues_compliance"],
}
# Words in a standard item that name a figure already recorded, per subject type.
KEYWORDS: dict[str, list[tuple[str, str]]] = {
    StandardKind.ORG: [
        ("三会一课", "orglife.meetings_held_vs_required"),
        ("组织生活", "orglife.organization_attendance_rate"),
        ("承诺", "commitments.fulfilment_rate"),
        ("目标", "campaigns.target_progress"),
    ],
    StandardKind.MEMBER: [
        ("学时", "learning.study_progress"),
        ("党费", "dues.dues_compliance"),
        ("组织生活", "orglife.attendance_rate"),
        ("承诺", "commitments.member_fulfilment_rate"),
        ("目标", "campaigns.member_target_progress"),
    ],
}


def _shares(count: int) -> list[int]:
    """`count` integer weights summing to 100, the larger ones first."""
    base, extra = divmod(100, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _figure(code: str, metric: str, name: str = "") -> IndicatorSpec:
    found = get_metric(metric)
    return IndicatorSpec(
        code=code,
        name=name or (found.label if found else metric),
        weight=0,
        kind=LeafKind.AUTOMATIC,
        metric=metric,
        metric_floor=0.5 if "orglife" in metric or "learning" in metric else 0.0,
        metric_target=1.0,
        metric_rule={"kind": "linear", **({"missing": 100} if metric.startswith("dues") else {})},
    )


def standard_items(campaign: Campaign, kind: str, sector: str) -> list[StandardItem]:
    """The campaign's items of the standard in the sector's version (the general version when
    the sector has not refined it)."""
    items = StandardItem.objects.filter(campaign=campaign, kind=kind, organization=None)
    refined = items.filter(sector=sector) if sector else items.none()
    chosen = refined if refined.exists() else items.filter(sector="")
    return list(chosen.order_by("dimension", "position", "id"))


def spec_from_standards(campaign: Campaign, *, kind: str, sector: str = "") -> SchemeSpec:
    """The scheme the standard describes (see the module docstring); codes are derived from
    the campaign, the standard and the sector, so generating twice gives the same code."""
    dimensions = OrgDimension if kind == StandardKind.ORG else MemberDimension
    items = standard_items(campaign, kind, sector)
    keywords = KEYWORDS[kind]
    top: list[IndicatorSpec] = []
    for dimension in dimensions:
        leaves: list[IndicatorSpec] = []
        used: set[str] = set()
        for item in (i for i in items if i.dimension == dimension.value):
            metric = next((m for word, m in keywords if word in item.text), "")
            if metric and metric not in used and get_metric(metric) is not None:
                used.add(metric)
                leaves.append(_figure(f"s{item.pk}", metric, item.text[:100]))
            else:
                leaves.append(
                    IndicatorSpec(
                        code=f"s{item.pk}",
                        name=item.text[:100],
                        weight=0,
                        kind=LeafKind.RATED,
                        scale=dict(POINTS_SCALE),
                    )
                )
        for metric in DIMENSION_FIGURES.get(dimension.value, []):
            if metric not in used and get_metric(metric) is not None:
                leaves.append(_figure(f"{dimension.value}_{metric.split('.')[-1]}", metric))
        if not leaves:
            leaves.append(
                IndicatorSpec(
                    code=f"{dimension.value}_rated",
                    name=f"{dimension.label}评价",
                    weight=0,
                    kind=LeafKind.RATED,
                    scale=dict(POINTS_SCALE),
                )
            )
        for leaf, weight in zip(leaves, _shares(len(leaves)), strict=True):
            leaf.weight = weight
        top.append(
            IndicatorSpec(
                code=dimension.value, name=str(dimension.label), weight=0, children=leaves
            )
        )
    for node, weight in zip(top, _shares(len(top)), strict=True):
        node.weight = weight
    organization = kind == StandardKind.ORG
    label = "五好" if organization else "五带头"
    where = sector or "通用"
    return SchemeSpec(
        code=f"std{campaign.pk}_{kind}_{sector or 'all'}"[:40],
        name=f"{campaign.name}·{label}标准（{where}）"[:100],
        subject_type=SubjectType.ORGANIZATION if organization else SubjectType.MEMBER,
        sector=sector if organization else "",
        description=(
            f"由“{campaign.name}”的{label}标准（{where}版本）生成：每项标准一个指标，由评价人"
            "打分；能由记录衡量的标准项和维度预选了自动计算的数据指标。"
        ),
        indicators=top,
        grades=list(ORG_GRADES if organization else DEMOCRATIC_GRADES),
        probationary_grades=[] if organization else list(PROBATIONARY_GRADES),
        tiers=list(STAR_TIERS) if organization else [],
        veto_grade="差" if organization else "不合格",
    )

"""The points rule catalogue: which rule applies where.

A rule belongs to an organization and applies to its whole subtree; a rule with the same code
lower down overrides it for that lower subtree. The default catalogue (DEFAULT_RULES) is what a
root organization starts with; every figure in it is editable."""

from dataclasses import dataclass
from decimal import Decimal

from chuangxian.honors.models import Approver, Bucket, CapPeriod, PointRule, PointSource
from chuangxian.orgs.models import Organization


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    source: str
    points: str
    bucket: str
    cap: str | None = None
    cap_period: str = CapPeriod.YEAR
    evidence_required: bool = False
    approver: str = Approver.NONE
    superior_threshold: str | None = None
    veto: bool = False


DEFAULT_RULES = [
    RuleSpec("attendance", "参加组织生活（每次）", PointSource.ATTENDANCE, "2", Bucket.BASE,
             cap="6", cap_period=CapPeriod.MONTH),
    RuleSpec("study", "全年学时达标", PointSource.STUDY, "10", Bucket.BASE),
    RuleSpec("dues", "按月按时交纳党费（每月）", PointSource.DUES, "1", Bucket.BASE, cap="12"),
    RuleSpec("commitment", "公开承诺兑现并经评议（每项）", PointSource.COMMITMENT, "3",
             Bucket.TASK, cap="9"),
    RuleSpec("target", "完成个人目标任务（每项）", PointSource.TARGET, "3", Bucket.TASK,
             cap="9"),
    RuleSpec("award", "获得表彰（每项）", PointSource.AWARD, "10", Bucket.BONUS, cap="20"),
    RuleSpec("volunteer", "志愿服务（每次）", PointSource.MANUAL, "2", Bucket.BONUS,
             cap="6", cap_period=CapPeriod.QUARTER, evidence_required=True,
             approver=Approver.BRANCH, superior_threshold="5"),
    RuleSpec("urgent_task", "急难险重任务", PointSource.MANUAL, "5", Bucket.TASK, cap="15",
             evidence_required=True, approver=Approver.BRANCH, superior_threshold="5"),
    RuleSpec("violation", "违反纪律受到处理", PointSource.MANUAL, "5", Bucket.DEDUCTION,
             approver=Approver.SUPERIOR),
    RuleSpec("veto", "一票否决事项（受到党纪处分等）", PointSource.MANUAL, "0",
             Bucket.DEDUCTION, approver=Approver.SUPERIOR, veto=True),
]  # fmt: skip


def rule_from_spec(organization: Organization, spec: RuleSpec) -> PointRule:
    return PointRule(
        organization=organization,
        code=spec.code,
        name=spec.name,
        source=spec.source,
        points=Decimal(spec.points),
        cap=None if spec.cap is None else Decimal(spec.cap),
        cap_period=spec.cap_period,
        bucket=spec.bucket,
        evidence_required=spec.evidence_required,
        approver=spec.approver,
        superior_threshold=None
        if spec.superior_threshold is None
        else Decimal(spec.superior_threshold),
        veto=spec.veto,
    )


def _ancestry(org: Organization) -> list[int]:
    return [*org.ancestor_ids, org.pk]


def effective_rules(org: Organization) -> dict[str, PointRule]:
    """{code: rule} in force for `org`: the nearest rule of each code on the way up, active
    or not (an inactive override switches the item off below it)."""
    ancestry = _ancestry(org)
    depth = {org_id: i for i, org_id in enumerate(ancestry)}
    chosen: dict[str, PointRule] = {}
    for rule in PointRule.objects.filter(organization_id__in=ancestry).select_related(
        "organization"
    ):
        current = chosen.get(rule.code)
        if current is None or depth[rule.organization_id] > depth[current.organization_id]:
            chosen[rule.code] = rule
    return chosen


def active_rules(org: Organization) -> dict[str, PointRule]:
    return {code: rule for code, rule in effective_rules(org).items() if rule.active}


def rules_by_organization(root: Organization) -> dict[int, dict[str, PointRule]]:
    """For `root` and every organization below it, {code: rule in force} (active rules only):
    two queries, then one walk down the tree in path order."""
    orgs = list(
        Organization.objects.filter(path__startswith=root.path)
        .order_by("path")
        .values_list("id", "parent_id")
    )
    above = effective_rules(root)
    subtree_ids = [org_id for org_id, _ in orgs]
    own: dict[int, list[PointRule]] = {}
    for rule in PointRule.objects.filter(organization_id__in=subtree_ids).exclude(
        organization_id=root.pk
    ):
        own.setdefault(rule.organization_id, []).append(rule)
    result: dict[int, dict[str, PointRule]] = {root.pk: above}
    for org_id, parent_id in orgs:
        if org_id == root.pk:
            continue
        inherited = result.get(parent_id or 0, above)
        if org_id in own:
            inherited = {**inherited, **{r.code: r for r in own[org_id]}}
        result[org_id] = inherited
    return {
        org_id: {code: rule for code, rule in rules.items() if rule.active}
        for org_id, rules in result.items()
    }

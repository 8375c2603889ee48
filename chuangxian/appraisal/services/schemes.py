"""Creating schemes from a SchemeSpec, and installing the shipped defaults."""

from django.db import transaction

from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import Indicator, RaterGroupRule, Scheme
from chuangxian.appraisal.schemes import IndicatorSpec, SchemeSpec, check_scheme, default_specs
from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record


@transaction.atomic
def scheme_create(*, actor: Actor, spec: SchemeSpec) -> Scheme:
    """Create a scheme with its indicator tree and rater-group rules. Refuses, with every
    problem listed in Chinese and nothing written, a tree whose weights at some level do not
    sum to 100, an incomplete leaf, inconsistent grades or tiers, or a duplicate code."""
    problems = check_scheme(spec)
    if Scheme.objects.filter(code=spec.code).exists():
        problems.append(f"方案编码“{spec.code}”已存在")
    if problems:
        raise AppraisalError(problems)
    scheme = Scheme.objects.create(
        code=spec.code,
        name=spec.name,
        subject_type=spec.subject_type,
        sector=spec.sector,
        description=spec.description,
        trim_enabled=spec.trim_enabled,
        trim_min_count=spec.trim_min_count,
        grades=spec.grades,
        probationary_grades=spec.probationary_grades,
        quota_numerator=spec.quota_numerator,
        quota_denominator=spec.quota_denominator,
        tiers=spec.tiers,
        veto_grade=spec.veto_grade,
        inactivity_metric=spec.inactivity_metric,
        inactivity_grade=spec.inactivity_grade,
    )
    RaterGroupRule.objects.bulk_create(
        RaterGroupRule(scheme=scheme, group=group, weight=weight, min_count=min_count)
        for group, (weight, min_count) in spec.group_weights.items()
    )
    position = [0]

    def add(nodes: list[IndicatorSpec], parent: Indicator | None, share: float) -> None:
        for node in nodes:
            position[0] += 1
            effective = share * node.weight / 100.0
            indicator = Indicator.objects.create(
                scheme=scheme,
                parent=parent,
                code=node.code,
                name=node.name,
                weight=node.weight,
                position=position[0],
                kind="" if node.children else node.kind,
                scale=node.scale,
                metric=node.metric,
                metric_floor=node.metric_floor,
                metric_target=node.metric_target,
                direction=node.direction,
                effective_weight=effective,
            )
            add(node.children, indicator, effective)

    add(spec.indicators, None, 1.0)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=scheme,
        changes={"code": [None, scheme.code], "name": [None, scheme.name]},
    )
    return scheme


def schemes_install_defaults(*, actor: Actor) -> list[Scheme]:
    """The shipped schemes (五好, 五带头, 民主评议党员); those already installed are kept."""
    installed = []
    for spec in default_specs():
        existing = Scheme.objects.filter(code=spec.code).first()
        installed.append(existing or scheme_create(actor=actor, spec=spec))
    return installed

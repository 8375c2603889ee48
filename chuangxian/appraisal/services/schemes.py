"""Creating schemes from a SchemeSpec, and installing the shipped defaults."""

from typing import Any

from django.db import transaction

from chuangxian.appraisal.errors import AppraisalError
from chuangxian.appraisal.models import Indicator, RaterGroupRule, Round, Scheme
from chuangxian.appraisal.schemes import (
    IndicatorSpec,
    SchemeSpec,
    check_scheme,
    default_specs,
    spec_of,
)
from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs.models import Organization


@transaction.atomic
def scheme_create(
    *,
    actor: Actor,
    spec: SchemeSpec,
    owner: Organization | None = None,
    copied_from: Scheme | None = None,
) -> Scheme:
    """Create a scheme with its indicator tree and rater-group rules. Refuses, with every
    problem listed in Chinese and nothing written, a tree whose weights at some level do not
    sum to 100, an incomplete leaf (no scale; no metric, an unknown one or no scoring rule),
    inconsistent grades or tiers, or a duplicate code. `owner`: the organization whose
    administrators maintain it (None for the shipped schemes)."""
    problems = check_scheme(spec)
    if Scheme.objects.filter(code=spec.code).exists():
        problems.append(f"方案编码“{spec.code}”已存在")
    if problems:
        raise AppraisalError(problems)
    scheme = Scheme.objects.create(
        owner=owner,
        copied_from=copied_from,
        thin_rule=spec.thin_rule,
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
    _write_tree(scheme, spec)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=scheme,
        org_path=owner.path if owner else "",
        changes={"code": [None, scheme.code], "name": [None, scheme.name]},
    )
    return scheme


def _write_tree(scheme: Scheme, spec: SchemeSpec) -> None:
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
                metric_rule=node.metric_rule if node.kind else {},
                effective_weight=effective,
            )
            add(node.children, indicator, effective)

    add(spec.indicators, None, 1.0)


def scheme_in_use(scheme: Scheme) -> bool:
    """A scheme some round uses is frozen: its rounds' tallies, results and explanations
    read its indicators. Changes go into a copy."""
    return Round.objects.filter(scheme=scheme).exists()


@transaction.atomic
def scheme_update(*, actor: Actor, scheme: Scheme, spec: SchemeSpec) -> Scheme:
    """Replace a scheme's settings and indicator tree with `spec` (same checks as
    scheme_create). Refuses a shipped scheme (no owner) and a scheme any round uses — copy
    it instead — with nothing written."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.owner_id is None:
        raise AppraisalError("内置方案不能修改，请复制后修改副本")
    if scheme_in_use(scheme):
        raise AppraisalError("该方案已被考评使用，不能修改，请复制后修改副本")
    problems = check_scheme(spec)
    if Scheme.objects.filter(code=spec.code).exclude(pk=scheme.pk).exists():
        problems.append(f"方案编码“{spec.code}”已存在")
    if problems:
        raise AppraisalError(problems)
    before = {"name": scheme.name, "code": scheme.code}
    for name in (
        "code", "name", "subject_type", "sector", "description", "trim_enabled",
        "trim_min_count", "grades", "probationary_grades", "quota_numerator",
        "quota_denominator", "tiers", "veto_grade", "inactivity_metric", "inactivity_grade",
        "thin_rule",
    ):  # fmt: skip
        setattr(scheme, name, getattr(spec, name))
    scheme.full_clean(exclude=["owner", "copied_from"])
    scheme.save()
    Indicator.objects.filter(scheme=scheme, parent__isnull=False).delete()
    Indicator.objects.filter(scheme=scheme).delete()
    RaterGroupRule.objects.filter(scheme=scheme).delete()
    _write_tree(scheme, spec)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=scheme,
        org_path=scheme.owner.path if scheme.owner else "",
        changes={
            "name": [before["name"], scheme.name],
            "code": [before["code"], scheme.code],
        },
    )
    return scheme


def scheme_copy(
    *, actor: Actor, scheme: Scheme, owner: Organization, code: str, name: str
) -> Scheme:
    """A new scheme maintained by `owner`, identical to `scheme` but for its code and name."""
    spec = spec_of(scheme)
    spec.code, spec.name = code.strip(), name.strip()
    return scheme_create(actor=actor, spec=spec, owner=owner, copied_from=scheme)


def schemes_install_defaults(*, actor: Actor) -> list[Scheme]:
    """The shipped schemes (民主评议党员 with and without the records, 五好党支部 with the
    records, 书记抓党建述职评议, 五好, 五带头); those already installed are kept."""
    installed = []
    for spec in default_specs():
        existing = Scheme.objects.filter(code=spec.code).first()
        installed.append(existing or scheme_create(actor=actor, spec=spec))
    return installed


def scheme_from_standards(
    *, actor: Actor, campaign: Any, kind: str, sector: str, owner: Organization
) -> Scheme:
    """Generate (standards.spec_from_standards) the scheme of a campaign's standard for a
    sector, maintained by `owner`. Generating again after the sector refined its standard
    replaces the scheme while no round uses it; once used, a new version is created beside
    it (the used one stays as its rounds need it)."""
    from chuangxian.appraisal.standards import spec_from_standards

    spec = spec_from_standards(campaign, kind=kind, sector=sector)
    existing = Scheme.objects.filter(code=spec.code).first()
    if existing is not None and existing.owner_id is not None and not scheme_in_use(existing):
        return scheme_update(actor=actor, scheme=existing, spec=spec)
    base, version = spec.code, 2
    while Scheme.objects.filter(code=spec.code).exists():
        spec.code = f"{base[:34]}_v{version}"
        version += 1
    return scheme_create(actor=actor, spec=spec, owner=owner)

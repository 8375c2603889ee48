"""The scheme editor's forms: the scheme's settings and one row per indicator (its parent named
by code), turned into a SchemeSpec that schemes.check_scheme validates. Every problem comes
back as one Chinese message; nothing is written until the whole spec passes."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from chuangxian.appraisal.metrics import all_metrics
from chuangxian.appraisal.models import Direction, RaterGroup, SubjectType, ThinRule
from chuangxian.appraisal.schemes import (
    DEMOCRATIC_GRADES,
    DEMOCRATIC_SCALE,
    ORG_GRADES,
    POINTS_SCALE,
    PROBATIONARY_GRADES,
    SECRETARY_SCALE,
    STAR_TIERS,
    IndicatorSpec,
    SchemeSpec,
)

SCALES: dict[str, dict[str, Any]] = {
    "democratic": DEMOCRATIC_SCALE,
    "secretary": SECRETARY_SCALE,
    "points": POINTS_SCALE,
}
SCALE_CHOICES = [
    ("democratic", _("优秀/合格/基本合格/不合格（100/80/60/0）")),
    ("secretary", _("好/较好/一般/差（100/80/60/0）")),
    ("points", _("打分0–100")),
]
GRADE_PRESETS = [
    ("member", _("党员：优秀（限名额）/合格/基本合格/不合格，预备党员另计")),
    ("organization", _("组织或书记：好（限名额）/较好/一般/差")),
]
KIND_CHOICES = [
    ("", _("分组（有下级指标）")),
    ("rated", _("评价人打分")),
    ("automatic", _("自动计算（数据指标）")),
]
RULE_CHOICES = [("linear", _("线性：零分值到满分值")), ("thresholds", _("分档"))]


def _metric_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [
        (m.name, f"{m.label}（{'党员' if m.subject_type == 'member' else '组织'}）")
        for m in all_metrics()
    ]


class SchemeSettingsForm(forms.Form):
    code = forms.SlugField(label=_("方案编码"), max_length=40, allow_unicode=True)
    name = forms.CharField(label=_("方案名称"), max_length=100)
    subject_type = forms.ChoiceField(label=_("考评对象"), choices=SubjectType.choices)
    description = forms.CharField(
        label=_("说明（依据、数据来源）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    grades = forms.ChoiceField(label=_("等次"), choices=GRADE_PRESETS)
    tiers = forms.BooleanField(label=_("评定星级档次"), required=False)
    thin_rule = forms.ChoiceField(label=_("评价数不足时"), choices=ThinRule.choices)
    veto = forms.BooleanField(label=_("可一票否决（直接定为最低等次）"), required=False)
    inactivity_metric = forms.ChoiceField(
        label=_("全年无活动判定（该数据为0时直接定为最低等次）"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for group, label in RaterGroup.choices:
            self.fields[f"weight_{group}"] = forms.IntegerField(
                label=_("%(group)s权重") % {"group": label}, min_value=0, max_value=100
            )
            self.fields[f"min_{group}"] = forms.IntegerField(
                label=_("%(group)s最少份数") % {"group": label}, min_value=1, max_value=999
            )
        self.fields["inactivity_metric"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (m.name, m.label) for m in all_metrics() if m.subject_type == "organization"
        ]


class IndicatorRowForm(forms.Form):
    code = forms.SlugField(label=_("指标编码"), max_length=40, required=False, allow_unicode=True)
    parent = forms.SlugField(
        label=_("上级指标编码（一级指标留空）"), max_length=40, required=False, allow_unicode=True
    )
    name = forms.CharField(label=_("指标名称"), max_length=100, required=False)
    weight = forms.IntegerField(label=_("权重"), min_value=0, max_value=100, required=False)
    kind = forms.ChoiceField(label=_("计分方式"), choices=KIND_CHOICES, required=False)
    scale = forms.ChoiceField(label=_("评分标准"), choices=SCALE_CHOICES, required=False)
    metric = forms.ChoiceField(label=_("数据指标"), required=False)
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices, required=False)
    rule = forms.ChoiceField(label=_("计分规则"), choices=RULE_CHOICES, required=False)
    floor = forms.FloatField(label=_("零分值（比例填0–1）"), required=False)
    target = forms.FloatField(label=_("满分值"), required=False)
    steps = forms.CharField(
        label=_("分档（如 0.9:100, 0.75:80, 0.6:60）"), max_length=200, required=False
    )
    missing = forms.FloatField(
        label=_("无记录时得分（留空按0分）"), min_value=0, max_value=100, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = _metric_choices()  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("code") or data.get("name"))


IndicatorRowFormSet = formset_factory(IndicatorRowForm, extra=4, max_num=60, absolute_max=60)


def _steps(text: str, name: str, problems: list[str]) -> list[list[float]]:
    steps: list[list[float]] = []
    for part in text.replace("，", ",").split(","):
        if not part.strip():
            continue
        bound, _sep, points = part.replace("：", ":").partition(":")
        try:
            steps.append([float(bound), float(points)])
        except ValueError:
            problems.append(f"指标“{name}”的分档“{part.strip()}”应写成“数值:得分”")
    return steps


def spec_from_forms(
    settings: SchemeSettingsForm, rows: Sequence[IndicatorRowForm]
) -> tuple[SchemeSpec, list[str]]:
    """The spec the editor describes, and the problems found turning rows into a tree (the
    spec's own checks come from check_scheme). Both forms must be valid."""
    data = settings.cleaned_data
    problems: list[str] = []
    nodes: dict[str, IndicatorSpec] = {}
    top: list[IndicatorSpec] = []
    for row in rows:
        if row.is_blank():
            continue
        r = row.cleaned_data
        name = r["name"] or r["code"]
        if not r["code"] or not r["name"]:
            problems.append(f"指标“{name}”需填写编码和名称")
            continue
        if r["weight"] is None:
            problems.append(f"指标“{name}”需填写权重")
        node = IndicatorSpec(code=r["code"], name=r["name"], weight=r["weight"] or 0)
        node.kind = r["kind"] or ""
        if node.kind == "rated":
            node.scale = dict(SCALES.get(r["scale"] or "points", POINTS_SCALE))
        elif node.kind == "automatic":
            node.metric = r["metric"] or ""
            node.direction = r["direction"] or Direction.HIGHER
            rule: dict[str, Any] = {"kind": r["rule"] or "linear"}
            if rule["kind"] == "thresholds":
                rule["steps"] = _steps(r["steps"] or "", name, problems)
            else:
                node.metric_floor, node.metric_target = r["floor"], r["target"]
            if r["missing"] is not None:
                rule["missing"] = r["missing"]
            node.metric_rule = rule
        if r["parent"]:
            parent = nodes.get(r["parent"])
            if parent is None:
                problems.append(f"指标“{name}”的上级指标“{r['parent']}”不存在（上级须写在它前面）")
                continue
            parent.children.append(node)
            if parent.kind:
                problems.append(f"指标“{parent.name}”有下级指标，计分方式应为“分组”")
        else:
            top.append(node)
        nodes[node.code] = node
    member = data["grades"] == "member"
    spec = SchemeSpec(
        code=data["code"],
        name=data["name"],
        subject_type=data["subject_type"],
        description=data["description"],
        indicators=top,
        grades=list(DEMOCRATIC_GRADES if member else ORG_GRADES),
        probationary_grades=list(PROBATIONARY_GRADES) if member else [],
        group_weights={g: (data[f"weight_{g}"], data[f"min_{g}"]) for g in RaterGroup.values},
        tiers=list(STAR_TIERS) if data["tiers"] else [],
        thin_rule=data["thin_rule"],
    )
    lowest = str(spec.grades[-1]["name"])
    spec.veto_grade = lowest if data["veto"] else ""
    if data["inactivity_metric"]:
        spec.inactivity_metric, spec.inactivity_grade = data["inactivity_metric"], lowest
    return spec, problems


def initial_of(spec: SchemeSpec) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The editor's initial data for a spec (editing, or a copy)."""
    settings: dict[str, Any] = {
        "code": spec.code,
        "name": spec.name,
        "subject_type": spec.subject_type,
        "description": spec.description,
        "grades": "member"
        if spec.probationary_grades or spec.grades == DEMOCRATIC_GRADES
        else "organization",
        "tiers": bool(spec.tiers),
        "thin_rule": spec.thin_rule,
        "veto": bool(spec.veto_grade),
        "inactivity_metric": spec.inactivity_metric,
    }
    for group in RaterGroup.values:
        weight, minimum = spec.group_weights.get(group, (0, 1))
        settings[f"weight_{group}"], settings[f"min_{group}"] = weight, minimum
    rows: list[dict[str, Any]] = []

    def walk(nodes: list[IndicatorSpec], parent: str) -> None:
        for node in nodes:
            rule = node.metric_rule or {}
            scale = next((k for k, v in SCALES.items() if v == node.scale), "points")
            rows.append(
                {
                    "code": node.code,
                    "parent": parent,
                    "name": node.name,
                    "weight": node.weight,
                    "kind": "" if node.children else node.kind,
                    "scale": scale,
                    "metric": node.metric,
                    "direction": node.direction,
                    "rule": rule.get("kind", "linear"),
                    "floor": node.metric_floor,
                    "target": node.metric_target,
                    "steps": ", ".join(f"{b:g}:{p:g}" for b, p in rule.get("steps") or []),
                    "missing": rule.get("missing"),
                }
            )
            walk(node.children, node.code)

    walk(spec.indicators, "")
    return settings, rows


def blank_initial() -> dict[str, Any]:
    settings: dict[str, Any] = {
        "subject_type": SubjectType.MEMBER,
        "grades": "member",
        "thin_rule": ThinRule.DROP,
        "veto": True,
    }
    defaults = {"self": (10, 1), "members": (30, 3), "superior": (40, 1), "public": (20, 3)}
    for group, (weight, minimum) in defaults.items():
        settings[f"weight_{group}"], settings[f"min_{group}"] = weight, minimum
    return settings

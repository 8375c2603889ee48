"""Schemes built on screen: create with validation messages, edit, copy, freeze, scoping."""

from typing import Any

import pytest
from django.urls import reverse

from chuangxian.appraisal.models import Indicator, LeafKind, Scheme
from chuangxian.appraisal.schemes import democratic_spec
from chuangxian.appraisal.services import round_open, scheme_create
from chuangxian.audit.services import SYSTEM
from tests.appraisal.test_views import client_for

pytestmark = pytest.mark.django_db


def settings_data(owner: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "town_records",
        "name": "甲镇民主评议（含记录）",
        "subject_type": "member",
        "description": "依据：支部工作条例",
        "grades": "member",
        "thin_rule": "drop",
        "veto": "on",
        "inactivity_metric": "",
        "owner": owner,
        "weight_self": 10,
        "min_self": 1,
        "weight_members": 30,
        "min_members": 3,
        "weight_superior": 40,
        "min_superior": 1,
        "weight_public": 20,
        "min_public": 3,
    }
    return data | changes


def rows_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rows-TOTAL_FORMS": len(rows),
        "rows-INITIAL_FORMS": 0,
        "rows-MIN_NUM_FORMS": 0,
        "rows-MAX_NUM_FORMS": 60,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{i}-{key}"] = value
    return data


ROWS = [
    {"code": "vote", "name": "民主测评", "weight": 60, "kind": "rated", "scale": "democratic"},
    {"code": "records", "name": "平时表现", "weight": 40, "kind": ""},
    {
        "code": "attendance",
        "parent": "records",
        "name": "参加组织生活",
        "weight": 50,
        "kind": "automatic",
        "metric": "orglife.attendance_rate",
        "direction": "higher",
        "rule": "thresholds",
        "steps": "0.9:100, 0.75:80，0.6：60",
        "missing": 100,
    },
    {
        "code": "study",
        "parent": "records",
        "name": "学时完成",
        "weight": 40,
        "kind": "automatic",
        "metric": "learning.study_progress",
        "direction": "higher",
        "rule": "linear",
        "floor": 0.5,
        "target": 1.0,
    },
    {},
]


def test_build_a_scheme_with_validation_messages(tree) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tree.town_admin)
    url = reverse("appraisal:scheme_new")
    assert client.get(url).status_code == 200
    page = client.post(url, settings_data(tree.town_a.pk) | rows_data(ROWS))
    assert page.status_code == 400
    body = page.content.decode()
    assert "“平时表现”的下级指标的权重之和应为100，现为90" in body
    assert not Scheme.objects.filter(code="town_records").exists()
    fixed = [dict(row) for row in ROWS]
    fixed[3]["weight"] = 50
    fixed[3]["metric"] = ""
    page = client.post(url, settings_data(tree.town_a.pk) | rows_data(fixed))
    assert "指标“学时完成”为自动计算，需指定数据指标" in page.content.decode()
    fixed[3]["metric"] = "learning.study_progress"
    page = client.post(url, settings_data(tree.town_a.pk) | rows_data(fixed))
    assert page.status_code == 302
    scheme = Scheme.objects.get(code="town_records")
    assert scheme.owner == tree.town_a and scheme.veto_grade == "不合格"
    attendance = Indicator.objects.get(scheme=scheme, code="attendance")
    assert attendance.kind == LeafKind.AUTOMATIC and attendance.parent.code == "records"
    assert attendance.metric_rule == {
        "kind": "thresholds",
        "steps": [[0.9, 100.0], [0.75, 80.0], [0.6, 60.0]],
        "missing": 100.0,
    }
    assert abs(attendance.effective_weight - 0.2) < 1e-12
    detail = client.get(reverse("appraisal:scheme", args=[scheme.pk])).content.decode()
    assert "组织生活出席率" in detail and "修改" in detail
    assert "分档计分：达到90%得100分" in detail and "无记录按100分计" in detail


def test_edit_copy_and_freeze(tree) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tree.town_admin)
    shipped = scheme_create(actor=SYSTEM, spec=democratic_spec())
    assert client.get(reverse("appraisal:scheme_edit", args=[shipped.pk])).status_code == 404
    copy_url = reverse("appraisal:scheme_copy", args=[shipped.pk])
    page = client.get(copy_url)
    assert page.context["settings_form"].initial["code"] == "democratic_copy"
    rows = [
        {
            "code": "overall",
            "name": "民主测评",
            "weight": 100,
            "kind": "rated",
            "scale": "democratic",
        }
    ]
    page = client.post(copy_url, settings_data(tree.town_a.pk, code="mine") | rows_data(rows))
    mine = Scheme.objects.get(code="mine")
    assert mine.copied_from == shipped and mine.owner == tree.town_a
    edit_url = reverse("appraisal:scheme_edit", args=[mine.pk])
    page = client.post(
        edit_url, settings_data(tree.town_a.pk, code="mine", name="改名") | rows_data(rows)
    )
    assert page.status_code == 302 and Scheme.objects.get(pk=mine.pk).name == "改名"
    round_open(actor=SYSTEM, scheme=mine, organization=tree.branch_a1, name="试用", year=2026)
    page = client.get(edit_url, follow=True)
    assert "已被考评使用，不能修改" in page.content.decode()


@pytest.mark.parametrize(
    ("role", "sees", "edits"),
    [
        ("town_admin", True, True),
        ("county_admin", True, True),
        ("sibling_secretary", False, False),
        ("outsider", False, False),
    ],
)
def test_scheme_scope(tree, role, sees, edits) -> None:  # type: ignore[no-untyped-def]
    spec = democratic_spec()
    spec.code = "town_only"
    scheme = scheme_create(actor=SYSTEM, spec=spec, owner=tree.town_a)
    client = client_for(getattr(tree, role))
    detail = client.get(reverse("appraisal:scheme", args=[scheme.pk]))
    assert (detail.status_code == 200) is sees
    edit = client.get(reverse("appraisal:scheme_edit", args=[scheme.pk]))
    assert (edit.status_code == 200) is edits


def test_superior_scheme_is_usable_below_but_not_editable(tree) -> None:  # type: ignore[no-untyped-def]
    spec = democratic_spec()
    spec.code = "county_scheme"
    scheme = scheme_create(actor=SYSTEM, spec=spec, owner=tree.county)
    client = client_for(tree.town_admin)
    assert client.get(reverse("appraisal:scheme", args=[scheme.pk])).status_code == 200
    assert client.get(reverse("appraisal:scheme_edit", args=[scheme.pk])).status_code == 404
    form = client.get(reverse("appraisal:round_new")).context["form"]
    assert scheme in form.fields["scheme"].queryset
    other = democratic_spec()
    other.code = "town_b_scheme"
    hidden = scheme_create(actor=SYSTEM, spec=other, owner=tree.town_b)
    assert hidden not in form.fields["scheme"].queryset

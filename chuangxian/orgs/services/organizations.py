"""Writes on the organization tree. Each service is atomic and audited."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record, diff_fields
from chuangxian.orgs.models import Organization, OrgKind, Sector
from chuangxian.orgs.models.organization import ALLOWED_CHILD_KINDS
from chuangxian.orgs.services.errors import RosterError

CODE_PATTERN = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
_AUDITED_FIELDS = (
    "code",
    "name",
    "kind",
    "sector",
    "established_on",
    "term_started_on",
    "term_ends_on",
)


@dataclass
class OrganizationValues:
    code: str
    name: str
    kind: str
    sector: str
    established_on: dt.date | None = None
    term_started_on: dt.date | None = None
    term_ends_on: dt.date | None = None


def check_organization(values: OrganizationValues, *, today: dt.date) -> dict[str, str]:
    """{field: message} for every problem of the organization's own fields."""
    errors: dict[str, str] = {}
    values.code = values.code.strip()
    values.name = values.name.strip()
    if not CODE_PATTERN.match(values.code):
        errors["code"] = "应为1-32位字母、数字、下划线或短横线"
    if not values.name:
        errors["name"] = "不能为空"
    elif len(values.name) > 100:
        errors["name"] = "不能超过100个字"
    if values.kind not in OrgKind.values:
        errors["kind"] = "应为：" + "、".join(OrgKind.values)
    if values.sector not in Sector.values:
        errors["sector"] = "应为：" + "、".join(Sector.values)
    if values.established_on and values.established_on > today:
        errors["established_on"] = "不能晚于今天"
    if (
        values.term_started_on
        and values.term_ends_on
        and values.term_ends_on <= values.term_started_on
    ):
        errors["term_ends_on"] = "届满日期应晚于本届开始日期"
    return errors


def kind_allowed_under(kind: str, parent: Organization | None) -> str | None:
    """None when `kind` may sit under `parent`, else the reason in Chinese."""
    if parent is None:
        if kind == OrgKind.GROUP:
            return "党小组只能设在党支部之下"
        return None
    if kind not in ALLOWED_CHILD_KINDS[parent.kind]:
        if kind == OrgKind.GROUP:
            return "党小组只能设在党支部之下"
        if parent.kind == OrgKind.GROUP:
            return "党小组之下不能再设组织"
        return f"{parent.kind}之下不能设{kind}"
    return None


def organization_snapshot(
    org: Organization, *, parent_code: str | None = None
) -> dict[str, object]:
    """The audited view of an organization: its own fields and its parent's code."""
    if parent_code is None:
        parent_code = org.parent.code if org.parent else ""
    return {name: getattr(org, name) for name in _AUDITED_FIELDS} | {"parent": parent_code}


def _set_path(org: Organization) -> None:
    parent_path = org.parent.path if org.parent else "/"
    org.path = f"{parent_path}{org.pk}/"
    org.depth = parent_path.count("/") - 1
    Organization.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)


@transaction.atomic
def organization_create(
    *, actor: Actor, values: OrganizationValues, parent: Organization | None, today: dt.date
) -> Organization:
    """Create an organization under `parent`. Refuses a duplicate code, a kind that may not
    sit there, and invalid fields, all reported at once."""
    errors = check_organization(values, today=today)
    if "kind" not in errors and (reason := kind_allowed_under(values.kind, parent)):
        errors["kind"] = reason
    if "code" not in errors and Organization.objects.filter(code=values.code).exists():
        errors["code"] = "该组织编码已存在"
    if errors:
        raise RosterError(errors)
    org = Organization(parent=parent, path="", **values.__dict__)
    org.full_clean(exclude=["path"])
    org.save()
    _set_path(org)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=org,
        org_path=org.path,
        changes=diff_fields({}, organization_snapshot(org)),
    )
    return org


@transaction.atomic
def organization_update(
    *, actor: Actor, org: Organization, values: OrganizationValues, today: dt.date
) -> Organization:
    """Change an organization's own fields (not its place in the tree: see organization_move)."""
    errors = check_organization(values, today=today)
    if "kind" not in errors and values.kind != org.kind:
        if reason := kind_allowed_under(values.kind, org.parent):
            errors["kind"] = reason
        else:
            for child in org.children.all():
                if child.kind not in ALLOWED_CHILD_KINDS[values.kind]:
                    errors["kind"] = f"下级有{child.kind}，不能改为{values.kind}"
                    break
    if (
        "code" not in errors
        and Organization.objects.filter(code=values.code).exclude(pk=org.pk).exists()
    ):
        errors["code"] = "该组织编码已存在"
    if errors:
        raise RosterError(errors)
    before = organization_snapshot(org)
    for name, value in values.__dict__.items():
        setattr(org, name, value)
    org.full_clean()
    org.save()
    changes = diff_fields(before, organization_snapshot(org))
    if changes:
        audit_record(
            actor=actor, action=AuditAction.UPDATE, obj=org, org_path=org.path, changes=changes
        )
    return org


@transaction.atomic
def organization_move(
    *, actor: Actor, org: Organization, new_parent: Organization, reason: str = ""
) -> Organization:
    """Put `org` and its whole subtree under `new_parent`, rewriting every descendant's path
    in one statement. Refuses cycles and kinds that may not sit there."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    new_parent = Organization.objects.select_for_update().get(pk=new_parent.pk)
    if new_parent.path.startswith(org.path):
        raise RosterError("不能把组织调整到它自己或它的下级之下")
    if org.parent_id == new_parent.pk:
        raise RosterError("该组织已在这个上级之下")
    if problem := kind_allowed_under(org.kind, new_parent):
        raise RosterError(problem)
    old_path, old_parent_code = org.path, org.parent.code if org.parent else ""
    new_path = f"{new_parent.path}{org.pk}/"
    depth_change = new_parent.depth + 1 - org.depth
    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
        depth=F("depth") + depth_change,
    )
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.MOVE,
        obj=org,
        org_path=org.path,
        changes={"parent": [old_parent_code, new_parent.code], "path": [old_path, new_path]},
        reason=reason,
    )
    return org

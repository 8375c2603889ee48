"""党务公开: the catalogue, and each item through 提出 → 审核 → 审批 → 公开.

    draft/returned ──submit──► submitted ──review──► reviewed ──approve──► approved
         ▲                         │                                        │
         └──────── return ─────────┘ (from submitted or reviewed)         publish
                                                                            ▼
                                                   withdrawn ◄──withdraw── published

审核 is the confidentiality check: the reviewer confirms that nothing secret or sensitive is in
it, and any 公民身份号码 or mobile number found in the title, text or tables refuses the step.
审批 needs someone other than the proposer (the organization's 书记 or a 管理员 above it).
Every step writes an audit row; a withdrawal keeps its reason."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.openness import tables as generated
from chuangxian.openness.errors import OpennessError
from chuangxian.openness.models import (
    DEFAULT_INTERVALS,
    CatalogueItem,
    Disclosure,
    DisclosureKind,
    DisclosureScope,
    DisclosureStatus,
)
from chuangxian.openness.sensitive import Finding, find_sensitive
from chuangxian.orgs.models import Organization

S = DisclosureStatus


@dataclass(frozen=True)
class Step:
    label: str
    sources: frozenset[str]
    target: str


STEPS = {
    "submit": Step("提交审核", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
    "review": Step("审核", frozenset({S.SUBMITTED}), S.REVIEWED),
    "return": Step("退回", frozenset({S.SUBMITTED, S.REVIEWED}), S.RETURNED),
    "approve": Step("审批", frozenset({S.REVIEWED}), S.APPROVED),
    "publish": Step("公开", frozenset({S.APPROVED}), S.PUBLISHED),
    "withdraw": Step("撤回", frozenset({S.PUBLISHED}), S.WITHDRAWN),
}
EDITABLE = frozenset({S.DRAFT, S.RETURNED})


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


# ---- the catalogue ------------------------------------------------------------------------


@transaction.atomic
def catalogue_open(*, actor: Actor, organization: Organization, today: dt.date) -> int:
    """Give the organization the default catalogue (every kind with its default interval; a
    scheduled kind first due one interval from today). Kinds already there are left alone.
    Returns how many items were added."""
    have = set(
        CatalogueItem.objects.filter(organization=organization).values_list("kind", flat=True)
    )
    added = []
    for kind in DisclosureKind.values:
        if kind in have:
            continue
        interval = DEFAULT_INTERVALS[DisclosureKind(kind)]
        added.append(
            CatalogueItem(
                organization=organization,
                kind=kind,
                interval_months=interval,
                next_due_on=add_months(today, interval) if interval else None,
            )
        )
    CatalogueItem.objects.bulk_create(added)
    if added:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="catalogueitem",
            object_id=str(organization.pk),
            object_label=f"党务公开目录：{organization.name}",
            org_path=organization.path,
            changes={"kinds": [None, [item.kind for item in added]]},
        )
    return len(added)


@transaction.atomic
def catalogue_item_update(
    *, actor: Actor, item: CatalogueItem, interval_months: int, next_due_on: dt.date | None
) -> CatalogueItem:
    """Change an item's interval and next due date (0 months: as it happens, no due date)."""
    if not 0 <= interval_months <= 36:
        raise OpennessError({"interval_months": "公开周期应在0到36个月之间"})
    locked = (
        CatalogueItem.objects.select_for_update().select_related("organization").get(pk=item.pk)
    )
    before = {"interval_months": locked.interval_months, "next_due_on": locked.next_due_on}
    locked.interval_months = interval_months
    locked.next_due_on = next_due_on if interval_months else None
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        object_label=f"党务公开目录：{locked.organization.name} {locked.get_kind_display()}",
        org_path=locked.organization.path,
        changes={
            "interval_months": [before["interval_months"], interval_months],
            "next_due_on": [str(before["next_due_on"]), str(locked.next_due_on)],
        },
    )
    return locked


# ---- one disclosure -----------------------------------------------------------------------


def sensitive_findings(disclosure: Disclosure) -> dict[str, list[Finding]]:
    """{"title": […], "body": […], "table N": […]} of the places that hold personal data."""
    found: dict[str, list[Finding]] = {}
    for name, text in (("title", disclosure.title), ("body", disclosure.body)):
        if hits := find_sensitive(text):
            found[name] = hits
    for number, table in enumerate(disclosure.tables, start=1):
        cells = " ".join(" ".join(row) for row in table.get("rows", []))
        if hits := find_sensitive(f"{table.get('title', '')} {cells}"):
            found[f"table {number}"] = hits
    return found


def _validate(
    title: str, body: str, kind: str, scope: str, ends_on: dt.date | None, today: dt.date
) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写标题"
    if not body.strip():
        errors["body"] = "请填写公开内容"
    if kind not in DisclosureKind.values:
        errors["kind"] = "请选择公开事项类别"
    if scope not in DisclosureScope.values:
        errors["scope"] = "请选择公开范围"
    if ends_on is not None and ends_on < today:
        errors["ends_on"] = "公开截止日期不能早于今天"
    if errors:
        raise OpennessError(errors)


def _audit(
    actor: Actor, disclosure: Disclosure, action: str, before: str, reason: str = "", **extra: Any
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION if before else AuditAction.CREATE,
        obj=disclosure,
        object_label=f"党务公开：{disclosure.title}（{action}）",
        org_path=disclosure.organization.path,
        changes={"status": [before or None, disclosure.status], **extra},
        reason=reason,
    )


@transaction.atomic
def disclosure_propose(
    *,
    actor: Actor,
    organization: Organization,
    kind: str,
    title: str,
    body: str,
    scope: str,
    today: dt.date,
    ends_on: dt.date | None = None,
    table_sources: list[str] | None = None,
) -> Disclosure:
    """提出: a draft, with the chosen figure tables generated now from their modules."""
    _validate(title, body, kind, scope, ends_on, today)
    disclosure = Disclosure(
        organization=organization,
        kind=kind,
        title=title.strip(),
        body=body.strip(),
        scope=scope,
        ends_on=ends_on,
        tables=generated.generate(list(table_sources or []), organization, today),
        proposed_by=actor.user,
    )
    disclosure.full_clean()
    disclosure.save()
    _audit(actor, disclosure, "提出", "", tables=[None, [t["source"] for t in disclosure.tables]])
    return disclosure


def _locked(disclosure: Disclosure) -> Disclosure:
    return (
        Disclosure.objects.select_for_update().select_related("organization").get(pk=disclosure.pk)
    )


def _move(
    actor: Actor, disclosure: Disclosure, action: str, reason: str = "", **fields: Any
) -> Disclosure:
    step = STEPS[action]
    locked = _locked(disclosure)
    if locked.status not in step.sources:
        raise OpennessError(f"该公开事项当前为“{locked.get_status_display()}”，不能{step.label}")
    before = locked.status
    locked.status = step.target
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    _audit(actor, locked, step.label, before, reason)
    return locked


@transaction.atomic
def disclosure_update(
    *,
    actor: Actor,
    disclosure: Disclosure,
    kind: str,
    title: str,
    body: str,
    scope: str,
    today: dt.date,
    ends_on: dt.date | None = None,
) -> Disclosure:
    """Edit a draft or a returned item (the tables stay as generated)."""
    _validate(title, body, kind, scope, ends_on, today)
    locked = _locked(disclosure)
    if locked.status not in EDITABLE:
        raise OpennessError(f"该公开事项当前为“{locked.get_status_display()}”，不能修改")
    before = {"title": locked.title, "body": locked.body, "scope": locked.scope}
    locked.kind, locked.title, locked.body = kind, title.strip(), body.strip()
    locked.scope, locked.ends_on = scope, ends_on
    locked.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        object_label=f"党务公开：{locked.title}（修改）",
        org_path=locked.organization.path,
        changes={
            name: [before[name], getattr(locked, name)]
            for name in before
            if before[name] != getattr(locked, name)
        },
    )
    return locked


@transaction.atomic
def disclosure_submit(*, actor: Actor, disclosure: Disclosure) -> Disclosure:
    return _move(actor, disclosure, "submit", confidentiality_confirmed=False, return_reason="")


@transaction.atomic
def disclosure_review(*, actor: Actor, disclosure: Disclosure, confirmed: bool) -> Disclosure:
    """审核: the reviewer confirms there is nothing secret or sensitive; refused while any ID
    number or mobile number is found (the page shows where), or by the proposer."""
    if not confirmed:
        raise OpennessError({"confirmed": "请确认内容不涉及国家秘密和个人敏感信息"})
    locked = _locked(disclosure)
    if actor.user is not None and locked.proposed_by_id == actor.user.pk:
        raise OpennessError("提出人不能审核自己提出的公开事项")
    findings = sensitive_findings(locked)
    if findings:
        count = sum(len(hits) for hits in findings.values())
        raise OpennessError(f"内容中发现{count}处公民身份号码或手机号码，须删除后才能公开")
    return _move(actor, locked, "review", confidentiality_confirmed=True, reviewed_by=actor.user)


@transaction.atomic
def disclosure_return(*, actor: Actor, disclosure: Disclosure, reason: str) -> Disclosure:
    reason = reason.strip()
    if not reason:
        raise OpennessError({"reason": "请填写退回原因"})
    return _move(actor, disclosure, "return", reason, return_reason=reason[:500])


@transaction.atomic
def disclosure_approve(*, actor: Actor, disclosure: Disclosure) -> Disclosure:
    locked = _locked(disclosure)
    if actor.user is not None and locked.proposed_by_id == actor.user.pk:
        raise OpennessError("提出人不能审批自己提出的公开事项")
    if sensitive_findings(locked):
        raise OpennessError("内容中含有公民身份号码或手机号码，不能审批")
    return _move(actor, locked, "approve", approved_by=actor.user)


@transaction.atomic
def disclosure_publish(*, actor: Actor, disclosure: Disclosure, today: dt.date) -> Disclosure:
    """公开: from today until its end date; the catalogue's next due date moves on."""
    published = _move(actor, disclosure, "publish", published_on=today)
    item = (
        CatalogueItem.objects.select_for_update()
        .filter(organization=published.organization, kind=published.kind)
        .first()
    )
    if item is not None and item.interval_months:
        item.next_due_on = add_months(today, item.interval_months)
        item.save(update_fields=["next_due_on"])
    return published


@transaction.atomic
def disclosure_withdraw(*, actor: Actor, disclosure: Disclosure, reason: str) -> Disclosure:
    reason = reason.strip()
    if not reason:
        raise OpennessError({"reason": "撤回须说明原因"})
    return _move(actor, disclosure, "withdraw", reason, withdraw_reason=reason[:500])

"""Writes on special funds (专项经费): allocations, passing part of one down the tree, and
spending against it with a receipt.

A balance can never go negative: every write that takes money out of an allocation does it
in one conditional UPDATE (`committed = committed + x WHERE committed + x <= amount`), which
the database evaluates on the current row under its write lock, and a CHECK constraint backs
it. Two spendings racing for the last yuan: one succeeds, the other is refused with the
balance it found."""

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs.models import Organization
from chuangxian.support.errors import SupportError
from chuangxian.support.models import Allocation, FundKind, Spending
from chuangxian.uploads.safety import CleanFile

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")


def _amount(value: Decimal, errors: dict[str, str]) -> Decimal:
    if value <= 0:
        errors["amount"] = "金额应大于0"
    elif value > MAX_AMOUNT:
        errors["amount"] = "金额过大"
    elif value != value.quantize(CENT):
        errors["amount"] = "金额最多保留两位小数"
    return value


def _take(allocation: Allocation, amount: Decimal) -> None:
    """Commit `amount` out of the allocation, or refuse with its balance; atomic."""
    taken = Allocation.objects.filter(pk=allocation.pk, committed__lte=F("amount") - amount).update(
        committed=F("committed") + amount
    )
    if taken != 1:
        current = Allocation.objects.get(pk=allocation.pk)
        raise SupportError(
            {"amount": f"余额不足：该笔经费余额为{current.balance}元，不能支出{amount}元"}
        )


@transaction.atomic
def allocation_create(
    *,
    actor: Actor,
    organization: Organization,
    year: int,
    kind: str,
    amount: Decimal,
    note: str,
) -> Allocation:
    """Money allocated to an organization from outside the tree (the budget)."""
    errors: dict[str, str] = {}
    _amount(amount, errors)
    if kind not in FundKind.values:
        errors["kind"] = "请选择经费类别"
    if not 2000 <= year <= 2100:
        errors["year"] = "年度不正确"
    if errors:
        raise SupportError(errors)
    allocation = Allocation.objects.create(
        organization=organization, year=year, kind=kind, amount=amount, note=note.strip()[:300]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=allocation,
        org_path=organization.path,
        changes={"amount": [None, str(amount)], "kind": [None, kind], "year": [None, year]},
    )
    return allocation


@transaction.atomic
def allocation_pass_down(
    *, actor: Actor, source: Allocation, organization: Organization, amount: Decimal, note: str
) -> Allocation:
    """Pass part of `source` to an organization below its holder (下拨). The source's balance
    goes down by the same amount, in the same transaction."""
    errors: dict[str, str] = {}
    _amount(amount, errors)
    holder = source.organization
    if organization.pk == holder.pk or not organization.path.startswith(holder.path):
        errors["organization"] = "只能下拨给本组织的下级组织"
    if errors:
        raise SupportError(errors)
    _take(source, amount)
    child = Allocation.objects.create(
        organization=organization,
        year=source.year,
        kind=source.kind,
        amount=amount,
        source=source,
        note=note.strip()[:300],
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=child,
        org_path=organization.path,
        changes={"amount": [None, str(amount)], "source": [None, str(source)]},
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=source,
        org_path=holder.path,
        changes={"passed_down": [None, f"{amount}元 → {organization.name}"]},
    )
    return child


@transaction.atomic
def spending_record(
    *,
    actor: Actor,
    allocation: Allocation,
    amount: Decimal,
    spent_on: dt.date,
    purpose: str,
    receipt: CleanFile | None,
    today: dt.date,
) -> Spending:
    """Spend from an allocation, with its purpose and a receipt (票据, already checked by
    uploads.check_upload). Refused when the balance is short."""
    errors: dict[str, str] = {}
    _amount(amount, errors)
    purpose = purpose.strip()
    if not purpose:
        errors["purpose"] = "请填写用途"
    if receipt is None:
        errors["receipt"] = "请上传票据（照片或PDF）"
    if spent_on > today:
        errors["spent_on"] = "支出日期不能晚于今天"
    elif spent_on.year != allocation.year:
        errors["spent_on"] = f"支出日期应在{allocation.year}年内"
    if errors:
        raise SupportError(errors)
    assert receipt is not None
    _take(allocation, amount)
    spending = Spending(
        allocation=allocation,
        spent_on=spent_on,
        amount=amount,
        purpose=purpose[:300],
        receipt_name=receipt.name[:120],
        receipt_type=receipt.content_type,
        recorded_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    spending.receipt.save(receipt.name, ContentFile(receipt.content), save=False)
    try:
        spending.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=spending,
            org_path=allocation.organization.path,
            changes={"amount": [None, str(amount)], "purpose": [None, spending.purpose]},
        )
    except Exception:
        spending.receipt.delete(save=False)
        raise
    return spending

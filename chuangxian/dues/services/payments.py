"""Recording dues payments. One payment may cover several months; its amount is credited to
each month in proportion to what that month is due, so a payment of exactly the dues leaves
every month exactly paid, and a difference shows as 多交 / 少缴 spread over the months."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import Actor, audit_bulk_create, audit_record
from chuangxian.dues.errors import DuesError
from chuangxian.dues.ledger import ZERO, Timeline, Version
from chuangxian.dues.models import (
    DuesSetting,
    Payment,
    PaymentMethod,
    PaymentMonth,
    PaymentSource,
)
from chuangxian.dues.months import add_months, label, month_of, month_range, months_between
from chuangxian.dues.rates import FEN
from chuangxian.orgs.models import Member

MAX_MONTHS = 24
MAX_MONTHS_AHEAD = 12
MAX_AMOUNT = Decimal("99999999.99")


@dataclass(frozen=True)
class PaymentValues:
    first_month: dt.date
    last_month: dt.date
    amount: Decimal
    paid_on: dt.date
    method: str = PaymentMethod.CASH
    receipt_number: str = ""
    note: str = ""


@dataclass
class Checked:
    """A payment checked against the member's ledger: errors stop it, warnings only inform."""

    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    shares: list[tuple[dt.date, Decimal]] = field(default_factory=list)


@dataclass
class MemberLedger:
    """What a check needs to know of a member's existing records (loaded in bulk by imports)."""

    timeline: Timeline
    paid_months: set[dt.date]
    signatures: set[tuple[dt.date, dt.date, Decimal, dt.date]]


def allocate(amount: Decimal, dues: Sequence[Decimal | None]) -> list[Decimal]:
    """Split `amount` over the months, in proportion to their dues when every due is known
    (evenly otherwise), to the fen; the rounding remainder goes to the last month."""
    count = len(dues)
    weights: Sequence[Decimal]
    if all(due is not None for due in dues) and sum(d for d in dues if d is not None) > 0:
        weights = [d for d in dues if d is not None]
    else:
        weights = [Decimal(1)] * count
    total = sum(weights, ZERO)
    # Rounded down, so the last month's remainder is never negative.
    shares = [
        (amount * weight / total).quantize(FEN, rounding=ROUND_DOWN) for weight in weights[:-1]
    ]
    shares.append(amount - sum(shares, ZERO))
    return shares


def check_payment(
    values: PaymentValues,
    *,
    member: Member,
    ledger: MemberLedger,
    receipts_taken: set[str],
    today: dt.date,
) -> Checked:
    checked = Checked()
    errors = checked.errors
    first, last = values.first_month, values.last_month
    if values.amount <= 0:
        errors["amount"] = "金额应大于0"
    elif values.amount != values.amount.quantize(FEN):
        errors["amount"] = "金额最多保留两位小数（元、角、分）"
    elif values.amount > MAX_AMOUNT:
        errors["amount"] = "金额过大"
    if values.paid_on > today:
        errors["paid_on"] = "缴纳日期不能晚于今天"
    if first.day != 1 or last.day != 1:
        errors["first_month"] = "所属月份应为整月"
    elif last < first:
        errors["last_month"] = "截止月份早于起始月份"
    elif months_between(first, last) > MAX_MONTHS:
        errors["last_month"] = f"一次最多记{MAX_MONTHS}个月"
    elif first < month_of(member.joined_on):
        errors["first_month"] = f"早于入党月份（{label(month_of(member.joined_on))}），无需交纳"
    elif last > add_months(month_of(values.paid_on), MAX_MONTHS_AHEAD):
        errors["last_month"] = "预交最多到缴纳日期后12个月"
    receipt = values.receipt_number.strip()
    if receipt and receipt in receipts_taken:
        errors["receipt_number"] = f"收据编号“{receipt}”已被本组织的其他缴费记录使用"
    if (first, last, values.amount, values.paid_on) in ledger.signatures:
        errors["amount"] = "与已有的一笔缴费完全相同（同一党员、月份、金额、日期），疑为重复录入"
    if errors:
        return checked
    months = list(month_range(first, last))
    dues = [ledger.timeline.amount_for(month) for month in months]
    checked.shares = list(zip(months, allocate(values.amount, dues), strict=True))
    unassessed = [label(m) for m, due in zip(months, dues, strict=True) if due is None]
    if unassessed:
        checked.warnings.append(f"{'、'.join(unassessed)}尚未核定党费，无法核对金额")
    else:
        expected = sum((d for d in dues if d is not None), ZERO)
        if expected != values.amount:
            gap = values.amount - expected
            word = "多交" if gap > 0 else "少缴"
            checked.warnings.append(
                f"金额{values.amount}元与应交{expected}元不符（{word}{abs(gap)}元）"
            )
    again = [label(m) for m in months if m in ledger.paid_months]
    if again:
        checked.warnings.append(f"{'、'.join(again)}已有缴费记录，本笔将累加记入")
    return checked


def load_ledgers(member_ids: Iterable[int]) -> dict[int, MemberLedger]:
    """The existing settings and payments of many members in three queries."""
    ids = list(set(member_ids))
    versions: dict[int, list[Version]] = defaultdict(list)
    for member_id, month, amount in DuesSetting.objects.filter(member_id__in=ids).values_list(
        "member_id", "effective_from", "amount"
    ):
        versions[member_id].append(Version(month, amount))
    paid: dict[int, set[dt.date]] = defaultdict(set)
    for member_id, month in PaymentMonth.objects.filter(member_id__in=ids).values_list(
        "member_id", "month"
    ):
        paid[member_id].add(month)
    signatures: dict[int, set[tuple[dt.date, dt.date, Decimal, dt.date]]] = defaultdict(set)
    for member_id, *signature in Payment.objects.filter(
        member_id__in=ids, voided_at=None
    ).values_list("member_id", "first_month", "last_month", "amount", "paid_on"):
        signatures[member_id].add(tuple(signature))  # type: ignore[arg-type]
    return {
        member_id: MemberLedger(
            Timeline(versions.get(member_id, ())),
            paid.get(member_id, set()),
            signatures.get(member_id, set()),
        )
        for member_id in ids
    }


def receipts_in_use(organization_ids: Iterable[int]) -> dict[int, set[str]]:
    taken: dict[int, set[str]] = defaultdict(set)
    for org_id, receipt in (
        Payment.objects.filter(organization_id__in=list(set(organization_ids)), voided_at=None)
        .exclude(receipt_number="")
        .values_list("organization_id", "receipt_number")
    ):
        taken[org_id].add(receipt)
    return taken


@dataclass(frozen=True)
class PlannedPayment:
    member: Member
    values: PaymentValues
    shares: list[tuple[dt.date, Decimal]]


def write_payments(
    planned: Sequence[PlannedPayment], *, actor: Actor, source: str, batch_size: int = 2000
) -> list[Payment]:
    """Insert checked payments, their month shares and one audit row each, in batches.
    Callers hold the transaction: either every payment is written or none."""
    try:
        with transaction.atomic():
            return _write_payments(planned, actor=actor, source=source, batch_size=batch_size)
    except IntegrityError as error:
        # Checked before writing, but another entry may have taken the same 收据编号 of the
        # organization meanwhile (the unique constraint is what decides).
        raise DuesError(
            {"receipt_number": "收据编号刚被另一笔缴费使用，请核对后重新填写"}
        ) from error


def _write_payments(
    planned: Sequence[PlannedPayment], *, actor: Actor, source: str, batch_size: int
) -> list[Payment]:
    user = actor.user if actor.user is not None and actor.user.pk else None
    written: list[Payment] = []
    for start in range(0, len(planned), batch_size):
        batch = planned[start : start + batch_size]
        payments = Payment.objects.bulk_create(
            [
                Payment(
                    member=item.member,
                    organization_id=item.member.organization_id,
                    first_month=item.values.first_month,
                    last_month=item.values.last_month,
                    amount=item.values.amount,
                    paid_on=item.values.paid_on,
                    method=item.values.method,
                    receipt_number=item.values.receipt_number.strip()[:40],
                    note=item.values.note.strip()[:200],
                    source=source,
                    recorded_by=user,
                )
                for item in batch
            ]
        )
        PaymentMonth.objects.bulk_create(
            [
                PaymentMonth(payment=payment, member_id=item.member.pk, month=month, amount=share)
                for payment, item in zip(payments, batch, strict=True)
                for month, share in item.shares
            ],
            batch_size=5000,
        )
        audit_bulk_create(
            [
                AuditEvent(
                    actor=user,
                    actor_label=actor.display[:150],
                    ip_address=actor.ip_address,
                    action=AuditAction.IMPORT
                    if source == PaymentSource.IMPORTED
                    else AuditAction.CREATE,
                    object_type="payment",
                    object_id=str(payment.pk),
                    object_label=f"{item.member.name} 党费 {payment.first_month:%Y-%m}"
                    f"~{payment.last_month:%Y-%m}"[:200],
                    org_path=item.member.organization.path,
                    changes={
                        "amount": [None, str(payment.amount)],
                        "months": [None, f"{payment.first_month:%Y-%m}~{payment.last_month:%Y-%m}"],
                        "paid_on": [None, payment.paid_on.isoformat()],
                        "receipt_number": [None, payment.receipt_number],
                    },
                )
                for payment, item in zip(payments, batch, strict=True)
            ]
        )
        written.extend(payments)
    return written


@transaction.atomic
def payment_record(
    *, actor: Actor, member: Member, values: PaymentValues, today: dt.date
) -> tuple[Payment, list[str]]:
    """Record one payment entered by the branch; returns it with the warnings (amount differs
    from the dues, months not assessed or already paid) that did not stop it."""
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    ledger = load_ledgers([member.pk])[member.pk]
    taken = receipts_in_use([member.organization_id]).get(member.organization_id, set())
    checked = check_payment(values, member=member, ledger=ledger, receipts_taken=taken, today=today)
    if checked.errors:
        raise DuesError(checked.errors)
    [payment] = write_payments(
        [PlannedPayment(member, values, checked.shares)], actor=actor, source=PaymentSource.ENTERED
    )
    return payment, checked.warnings


@transaction.atomic
def payment_void(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    """作废 a payment entered by mistake: its months are no longer credited; the row and the
    audit trail keep what it was."""
    payment = (
        Payment.objects.select_for_update()
        .select_related("member__organization")
        .get(pk=payment.pk)
    )
    if payment.voided_at is not None:
        raise DuesError("这笔缴费已经作废")
    if not reason.strip():
        raise DuesError({"void_reason": "请写明作废原因"})
    payment.voided_at = timezone.now()
    payment.void_reason = reason.strip()[:200]
    payment.save(update_fields=["voided_at", "void_reason"])
    PaymentMonth.objects.filter(payment=payment).delete()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=payment,
        object_label=f"{payment.member.name} 党费 作废",
        org_path=payment.member.organization.path,
        changes={"voided": [False, True], "amount": [str(payment.amount), None]},
        reason=payment.void_reason,
    )
    return payment

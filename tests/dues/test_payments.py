"""Payments entered by the branch: several months at once, warnings, refusals, voiding."""

import datetime as dt
from decimal import Decimal

import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.dues.errors import DuesError
from chuangxian.dues.ledger import MonthState, member_months
from chuangxian.dues.models import Payment, PaymentMonth
from chuangxian.dues.services.payments import (
    PaymentValues,
    allocate,
    payment_record,
    payment_void,
)
from tests.dues.conftest import ACTOR, TODAY, assess, m, pay
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_allocate_is_exact_to_the_fen() -> None:
    assert allocate(Decimal("45.00"), [Decimal("15.00")] * 3) == [Decimal("15.00")] * 3
    assert allocate(Decimal("10.00"), [None, None, None]) == [
        Decimal("3.33"),
        Decimal("3.33"),
        Decimal("3.34"),
    ]
    shares = allocate(Decimal("100.00"), [Decimal("40.00"), Decimal("90.00")])
    assert sum(shares) == Decimal("100.00") and all(s >= 0 for s in shares)
    assert allocate(Decimal("0.01"), [Decimal("1")] * 24)[-1] == Decimal("0.01")


def test_one_payment_covers_several_months_at_their_own_rates(tree) -> None:
    member = tree.member_a1
    assess(member, "4000", since="2025-01")  # 40.00
    assess(member, "6000", since="2026-01")  # 90.00
    payment, warnings = payment_record(
        actor=ACTOR,
        member=member,
        values=PaymentValues(m("2025-11"), m("2026-02"), Decimal("260.00"), TODAY),
        today=TODAY,
    )
    assert warnings == []
    shares = dict(PaymentMonth.objects.filter(payment=payment).values_list("month", "amount"))
    assert shares == {
        m("2025-11"): Decimal("40.00"),
        m("2025-12"): Decimal("40.00"),
        m("2026-01"): Decimal("90.00"),
        m("2026-02"): Decimal("90.00"),
    }
    assert payment.month_count == 4
    event = AuditEvent.objects.get(object_type="payment", object_id=str(payment.pk))
    assert event.changes["amount"] == [None, "260.00"]


def test_over_and_underpayment_are_warnings_and_shown_per_month(tree) -> None:
    member = tree.member_a1
    assess(member, "3000")  # 15.00
    _payment, warnings = payment_record(
        actor=ACTOR,
        member=member,
        values=PaymentValues(m("2026-01"), m("2026-02"), Decimal("20.00"), TODAY),
        today=TODAY,
    )
    assert warnings == ["金额20.00元与应交30.00元不符（少缴10.00元）"]
    pay(member, "2026-03", amount="20.00")
    lines = {
        line.month: line
        for line in member_months(member, first=m("2026-01"), last=m("2026-04"), today=TODAY)
    }
    assert lines[m("2026-01")].state == MonthState.UNDERPAID
    assert lines[m("2026-01")].difference == Decimal("-5.00")
    assert lines[m("2026-01")].outstanding == Decimal("5.00")
    assert lines[m("2026-03")].state == MonthState.PAID
    assert lines[m("2026-03")].difference == Decimal("5.00")
    assert lines[m("2026-04")].state == MonthState.UNPAID


def test_paying_a_month_again_warns_and_adds_up(tree) -> None:
    member = tree.member_a1
    assess(member, "3000")
    pay(member, "2026-01", amount="10.00")
    _payment, warnings = payment_record(
        actor=ACTOR,
        member=member,
        values=PaymentValues(m("2026-01"), m("2026-01"), Decimal("5.00"), TODAY),
        today=TODAY,
    )
    assert any("已有缴费记录" in w for w in warnings)
    [line] = member_months(member, first=m("2026-01"), last=m("2026-01"), today=TODAY)
    assert line.paid == Decimal("15.00") and line.state == MonthState.PAID


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (PaymentValues(m("2026-01"), m("2026-01"), Decimal("0"), TODAY), "amount", "大于0"),
        (PaymentValues(m("2026-01"), m("2026-01"), Decimal("1.234"), TODAY), "amount", "两位小数"),
        (
            PaymentValues(m("2026-01"), m("2026-01"), Decimal("1"), dt.date(2026, 12, 1)),
            "paid_on",
            "晚于今天",
        ),
        (PaymentValues(m("2026-03"), m("2026-01"), Decimal("1"), TODAY), "last_month", "早于"),
        (
            PaymentValues(m("2004-01"), m("2004-02"), Decimal("1"), TODAY),
            "first_month",
            "早于入党月份",
        ),
        (PaymentValues(m("2024-01"), m("2026-01"), Decimal("1"), TODAY), "last_month", "24个月"),
        (PaymentValues(m("2026-11"), m("2027-12"), Decimal("1"), TODAY), "last_month", "预交"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_written(tree, values, field, message) -> None:
    with pytest.raises(DuesError) as error:
        payment_record(actor=ACTOR, member=tree.member_a1, values=values, today=TODAY)
    assert message in error.value.message_dict[field][0]
    assert not Payment.objects.exists() and not PaymentMonth.objects.exists()
    assert not AuditEvent.objects.filter(object_type="payment").exists()


def test_duplicate_entry_and_receipt_number_are_refused(tree) -> None:
    pay(tree.member_a1, "2026-01", amount="15.00", paid_on=dt.date(2026, 1, 20), receipt="R001")
    with pytest.raises(DuesError, match="重复录入"):
        pay(tree.member_a1, "2026-01", amount="15.00", paid_on=dt.date(2026, 1, 20))
    with pytest.raises(DuesError, match="R001"):
        pay(tree.member_a1, "2026-02", amount="15.00", receipt="R001")
    # Another branch keeps its own receipt book.
    pay(tree.member_a2, "2026-02", amount="15.00", receipt="R001")
    assert Payment.objects.count() == 2


def test_void_removes_the_months_and_keeps_the_record(tree) -> None:
    payment = pay(tree.member_a1, "2026-01", "2026-03", amount="45.00", receipt="R9")
    with pytest.raises(DuesError):
        payment_void(actor=ACTOR, payment=payment, reason=" ")
    payment_void(actor=ACTOR, payment=payment, reason="录错了党员")
    payment.refresh_from_db()
    assert payment.voided_at is not None
    assert not PaymentMonth.objects.filter(payment=payment).exists()
    assert AuditEvent.objects.filter(object_type="payment", action="delete").get().reason == (
        "录错了党员"
    )
    # The receipt number is free again once its payment is void.
    pay(tree.member_a1, "2026-01", "2026-03", amount="45.00", receipt="R9")
    with pytest.raises(DuesError, match="已经作废"):
        payment_void(actor=ACTOR, payment=payment, reason="again")


def test_a_receipt_number_taken_meanwhile_is_a_clear_refusal(tree) -> None:
    """The check reads before writing; when another entry took the 收据编号 in between, the
    unique constraint refuses and the caller gets a message, not a server error."""
    from chuangxian.dues.services.payments import PaymentValues, PlannedPayment, write_payments

    values = PaymentValues(
        first_month=dt.date(2026, 1, 1),
        last_month=dt.date(2026, 1, 1),
        amount=Decimal("15.00"),
        paid_on=dt.date(2026, 1, 20),
        receipt_number="R777",
    )
    pay(tree.member_a1, "2026-02", amount="15.00", receipt="R777")
    twin = MemberFactory(organization=tree.branch_a1)
    with pytest.raises(DuesError, match="收据编号刚被另一笔缴费使用"):
        write_payments(
            [PlannedPayment(twin, values, [(dt.date(2026, 1, 1), Decimal("15.00"))])],
            actor=ACTOR,
            source="entered",
        )
    assert Payment.objects.count() == 1

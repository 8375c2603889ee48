"""Special funds: allocations passed down the tree, spending with receipts, balances that
never go negative (also under concurrent spending), the yearly statement in Excel."""

import datetime as dt
import io
import threading
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection

from chuangxian.audit.models import AuditEvent
from chuangxian.support.errors import SupportError
from chuangxian.support.exports import fund_statement_xlsx
from chuangxian.support.models import Allocation, FundKind, Spending
from chuangxian.support.selectors import fund_statement
from chuangxian.support.services import funds as services
from tests.support.conftest import ACTOR, clean_photo


def _allocate(tree, amount: str = "10000"):  # type: ignore[no-untyped-def]
    return services.allocation_create(
        actor=ACTOR,
        organization=tree.town_a,
        year=2026,
        kind=FundKind.WORK,
        amount=Decimal(amount),
        note="县财政拨付",
    )


@pytest.mark.django_db
def test_pass_down_and_spend(tree, today):
    source = _allocate(tree)
    child = services.allocation_pass_down(
        actor=ACTOR, source=source, organization=tree.branch_a1, amount=Decimal("3000"), note=""
    )
    source.refresh_from_db()
    assert source.balance == Decimal("7000")
    services.spending_record(
        actor=ACTOR,
        allocation=child,
        amount=Decimal("1200.50"),
        spent_on=today,
        purpose="党员活动室桌椅",
        receipt=clean_photo(),
        today=today,
    )
    child.refresh_from_db()
    assert child.balance == Decimal("1799.50")
    assert AuditEvent.objects.filter(object_type="spending").count() == 1


@pytest.mark.django_db
def test_overspending_is_refused_with_the_balance_and_writes_nothing(tree, today):
    source = _allocate(tree, "500")
    with pytest.raises(SupportError) as refused:
        services.spending_record(
            actor=ACTOR,
            allocation=source,
            amount=Decimal("500.01"),
            spent_on=today,
            purpose="购买书籍",
            receipt=clean_photo(),
            today=today,
        )
    assert "余额不足：该笔经费余额为500.00元" in refused.value.messages[0]
    assert not Spending.objects.exists()
    with pytest.raises(SupportError, match="余额不足"):
        services.allocation_pass_down(
            actor=ACTOR, source=source, organization=tree.branch_a1, amount=Decimal("600"), note=""
        )
    source.refresh_from_db()
    assert source.committed == 0


@pytest.mark.django_db
def test_pass_down_only_below_and_receipt_required(tree, today):
    source = _allocate(tree)
    with pytest.raises(SupportError) as refused:
        services.allocation_pass_down(
            actor=ACTOR, source=source, organization=tree.branch_b1, amount=Decimal("1"), note=""
        )
    assert refused.value.message_dict == {"organization": ["只能下拨给本组织的下级组织"]}
    with pytest.raises(SupportError) as refused:
        services.spending_record(
            actor=ACTOR,
            allocation=source,
            amount=Decimal("-1"),
            spent_on=today + dt.timedelta(days=1),
            purpose="",
            receipt=None,
            today=today,
        )
    assert set(refused.value.message_dict) == {"amount", "purpose", "receipt", "spent_on"}


@pytest.mark.django_db
def test_a_stale_balance_read_cannot_overdraw(tree, today):
    """Two requests both read the allocation with 100 left, then each spends 60: the second
    is refused, because the write checks the row as it is now, not as it was read."""
    source = _allocate(tree, "100")
    first, second = Allocation.objects.get(pk=source.pk), Allocation.objects.get(pk=source.pk)
    assert first.balance == second.balance == Decimal("100")
    for allocation, expected in ((first, None), (second, "余额不足：该笔经费余额为40.00元")):
        try:
            services.spending_record(
                actor=ACTOR,
                allocation=allocation,
                amount=Decimal("60"),
                spent_on=today,
                purpose="购买党旗",
                receipt=clean_photo(),
                today=today,
            )
        except SupportError as refused:
            assert expected is not None and expected in refused.messages[0]
        else:
            assert expected is None
    source.refresh_from_db()
    assert source.committed == Decimal("60")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_spending_never_overdraws(tree, today):
    source = _allocate(tree, "100")
    receipt = clean_photo()
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def spend() -> None:
        try:
            barrier.wait()
            services.spending_record(
                actor=ACTOR,
                allocation=source,
                amount=Decimal("40"),
                spent_on=today,
                purpose="并发支出",
                receipt=receipt,
                today=today,
            )
            outcomes.append("ok")
        except SupportError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    source.refresh_from_db()
    assert sorted(outcomes) == ["ok", "ok", "refused", "refused"]
    assert source.committed == Decimal("80")
    assert Spending.objects.count() == 2


@pytest.mark.django_db
def test_statement_excel_writes_text_as_text(tree, today):
    source = _allocate(tree)
    services.spending_record(
        actor=ACTOR,
        allocation=source,
        amount=Decimal("10"),
        spent_on=today,
        purpose='=HYPERLINK("http://example.invalid","点我")',
        receipt=clean_photo(),
        today=today,
    )
    services.allocation_pass_down(
        actor=ACTOR, source=source, organization=tree.branch_a2, amount=Decimal("90"), note="+1"
    )
    statement = fund_statement(tree.county_admin, tree.town_a, 2026, today, Decimal("50"))
    assert statement.received == Decimal("10000")
    assert statement.balance == Decimal("9900")
    content = fund_statement_xlsx(actor=ACTOR, statement=statement)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    texts = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert '=HYPERLINK("http://example.invalid","点我")' in texts
    assert "+1" in texts
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert AuditEvent.objects.filter(object_type="fund_statement").count() == 1


@pytest.mark.django_db
def test_statement_reads_dues_from_the_dues_module(tree, today):
    from chuangxian.dues.rates import DuesCategory
    from chuangxian.dues.services.payments import PaymentValues, payment_record
    from chuangxian.dues.services.settings import SettingValues, dues_setting_set

    member = tree.member_a1
    dues_setting_set(
        actor=ACTOR,
        member=member,
        values=SettingValues(
            effective_from=dt.date(2026, 1, 1),
            category=DuesCategory.EMPLOYED,
            base=Decimal("4000"),
        ),
        today=today,
    )
    payment_record(
        actor=ACTOR,
        member=member,
        values=PaymentValues(
            first_month=dt.date(2026, 1, 1),
            last_month=dt.date(2026, 2, 1),
            amount=Decimal("80"),
            paid_on=dt.date(2026, 2, 10),
        ),
        today=today,
    )
    statement = fund_statement(tree.county_admin, tree.town_a, 2026, today, Decimal("50"))
    assert statement.dues_paid == Decimal("80")
    assert statement.dues_retained == Decimal("40.00")

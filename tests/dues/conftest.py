import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from chuangxian.audit.services import Actor
from chuangxian.dues.models import Payment
from chuangxian.dues.services.payments import PaymentValues, payment_record
from chuangxian.dues.services.settings import SettingValues, dues_setting_set
from chuangxian.orgs.models import Member

ACTOR = Actor(label="测试")
# tests.conftest.TODAY is 2026-11-22: October 2026 is the last month already over.
TODAY = dt.date(2026, 11, 22)


def m(text: str) -> dt.date:
    """'2026-03' → date(2026, 3, 1)."""
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def assess(member: Member, base: str, since: str = "2026-01", category: str = "employed") -> None:
    dues_setting_set(
        actor=ACTOR,
        member=member,
        values=SettingValues(effective_from=m(since), category=category, base=Decimal(base)),
        today=TODAY,
    )


def pay(
    member: Member,
    first: str,
    last: str | None = None,
    amount: str = "10.00",
    paid_on: dt.date | None = None,
    receipt: str = "",
) -> Payment:
    payment, _warnings = payment_record(
        actor=ACTOR,
        member=member,
        values=PaymentValues(
            first_month=m(first),
            last_month=m(last or first),
            amount=Decimal(amount),
            paid_on=paid_on or TODAY,
            receipt_number=receipt,
        ),
        today=TODAY,
    )
    return payment


@pytest.fixture
def client_as(client: Client, tree) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    def login(name: str) -> Client:
        if name != "anonymous":
            client.force_login(getattr(tree, name))
        return client

    return login


@pytest.fixture
def fixed_today(monkeypatch):  # type: ignore[no-untyped-def]
    """Pages read timezone.localdate(): pin it to TODAY."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    return TODAY

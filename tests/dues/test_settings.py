"""Dues settings: versions by month, overrides with a reason, every change audited."""

import datetime as dt
from decimal import Decimal

import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.dues.errors import DuesError
from chuangxian.dues.ledger import member_timeline
from chuangxian.dues.models import DuesSetting
from chuangxian.dues.services.settings import SettingValues, dues_setting_set
from tests.dues.conftest import ACTOR, TODAY, assess, m

pytestmark = pytest.mark.django_db


def test_versions_apply_from_their_month(tree) -> None:
    member = tree.member_a1
    assess(member, "4000", since="2025-01")  # 40.00
    assess(member, "6000", since="2026-01")  # 90.00
    timeline = member_timeline(member)
    assert timeline.amount_for(m("2024-12")) is None
    assert timeline.amount_for(m("2025-01")) == Decimal("40.00")
    assert timeline.amount_for(m("2025-12")) == Decimal("40.00")
    assert timeline.amount_for(m("2026-01")) == Decimal("90.00")
    assert timeline.amount_for(m("2026-11")) == Decimal("90.00")


def test_same_month_replaces_and_audits_the_change(tree) -> None:
    member = tree.member_a1
    assess(member, "4000")
    assess(member, "4500")
    assert DuesSetting.objects.filter(member=member).count() == 1
    events = AuditEvent.objects.filter(object_type="duessetting").order_by("id")
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].changes["base"] == ["4000.00", "4500.00"]
    assert events[1].changes["amount"] == ["40.00", "45.00"]
    assert events[1].org_path == tree.branch_a1.path


def test_override_needs_a_reason_and_is_audited_with_it(tree) -> None:
    member = tree.member_a1
    values = SettingValues(
        effective_from=m("2026-01"),
        category="employed",
        base=Decimal("8000"),
        override_amount=Decimal("200.00"),
    )
    with pytest.raises(DuesError) as error:
        dues_setting_set(actor=ACTOR, member=member, values=values, today=TODAY)
    assert "override_reason" in error.value.message_dict
    assert not DuesSetting.objects.exists()
    setting = dues_setting_set(
        actor=ACTOR,
        member=member,
        values=SettingValues(
            effective_from=m("2026-01"),
            category="employed",
            base=Decimal("8000"),
            override_amount=Decimal("200.00"),
            override_reason="本人自愿多交",
        ),
        today=TODAY,
    )
    assert setting.computed_amount == Decimal("120.00")
    assert setting.amount == Decimal("200.00")
    event = AuditEvent.objects.get(object_type="duessetting")
    assert event.reason == "本人自愿多交"
    assert event.changes["override_amount"][1] == "200.00"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (dict(category="employed"), "base", "计算基数"),
        (dict(category="employed", base=Decimal("-1")), "base", "大于0"),
        (dict(category="farmer", fixed_amount=Decimal("2")), "fixed_amount", "0.20元至1.00元"),
        (dict(category="retired", base=Decimal("3000.001")), "base", "两位小数"),
        (
            dict(category="employed", base=Decimal("1"), effective_from=m("2004-01")),
            "effective_from",
            "早于入党月份",
        ),
        (
            dict(category="employed", base=Decimal("1"), effective_from=dt.date(2026, 1, 5)),
            "effective_from",
            "某月1日",
        ),
        (
            dict(category="employed", base=Decimal("1"), effective_from=m("2028-01")),
            "effective_from",
            "提前12个月",
        ),
    ],
)
def test_bad_settings_are_refused_with_a_chinese_message(tree, values, field, message) -> None:
    values.setdefault("effective_from", m("2026-01"))
    with pytest.raises(DuesError) as error:
        dues_setting_set(
            actor=ACTOR, member=tree.member_a1, values=SettingValues(**values), today=TODAY
        )
    assert message in error.value.message_dict[field][0]
    assert not DuesSetting.objects.exists()
    assert not AuditEvent.objects.filter(object_type="duessetting").exists()


def test_probationary_members_are_assessed_too(tree) -> None:
    member = tree.member_a2
    member.category = "预备党员"
    member.joined_on = dt.date(2026, 3, 15)
    member.confirmed_on = None
    member.save()
    assess(member, "3000", since="2026-03")
    assert member_timeline(member).amount_for(m("2026-03")) == Decimal("15.00")

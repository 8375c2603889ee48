"""Demo dues for the demo township: believable bases by sector and age, a year of payments,
a few members in arrears and two recorded good reasons.

Settings and payments are written in bulk through the same writer as the importer
(services.payments.write_payments), so the demo's ledger is exactly what an import makes."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.dues.models import DuesSetting, GoodReason, PaymentMethod, PaymentSource
from chuangxian.dues.months import add_months, month_of, month_range
from chuangxian.dues.rates import DuesCategory, monthly_dues, to_fen
from chuangxian.dues.services.payments import (
    PaymentValues,
    PlannedPayment,
    allocate,
    write_payments,
)
from chuangxian.orgs.models import Member, MemberStatus, Organization, Sector

DEMO_ACTOR = Actor(label="seed_demo")
SALARIED_SECTORS: dict[str, tuple[int, int]] = {
    Sector.ORGAN: (3800, 95),  # (base at 22, yearly rise)
    Sector.PUBLIC_INSTITUTION: (3500, 85),
    Sector.SCHOOL: (3600, 90),
    Sector.HOSPITAL: (3900, 110),
    Sector.STATE_ENTERPRISE: (4200, 120),
    Sector.PRIVATE_ENTERPRISE: (3200, 110),
}
ARREARS_SHARE = 0.04


def _category(
    member: Member, sector: str, age: int, rng: random.Random
) -> tuple[str, Decimal | None, Decimal | None]:
    post = member.work_post
    if "退休" in post or (age >= 60 and sector != Sector.RURAL):
        pension = Decimal(rng.randint(2400, 6800))
        return DuesCategory.RETIRED, pension, None
    if sector in SALARIED_SECTORS:
        start, rise = SALARIED_SECTORS[sector]
        salary = start + rise * max(0, age - 22) + rng.randint(-400, 900)
        if "书记" in member.party_post or "主任" in post or "校长" in post or "院长" in post:
            salary += 1500
        return DuesCategory.EMPLOYED, Decimal(salary), None
    if sector == Sector.COMMUNITY and any(w in post for w in ("网格员", "职工", "企业")):
        return DuesCategory.EMPLOYED, Decimal(rng.randint(2600, 4600)), None
    if sector == Sector.COMMUNITY:
        return DuesCategory.UNEMPLOYED if age < 60 else DuesCategory.OTHER, None, Decimal("0.20")
    fixed = Decimal(rng.choice(("0.20", "0.50", "0.50", "1.00")))
    return DuesCategory.FARMER, None, fixed


def seed_demo_dues(*, root: Organization, today: dt.date, rng: random.Random) -> None:
    """A year of dues for every 在册 member under `root`. All or nothing."""
    current = month_of(today)
    start = add_months(current, -12)
    january = dt.date(current.year, 1, 1)
    members = list(
        Member.objects.filter(organization__path__startswith=root.path, status=MemberStatus.ACTIVE)
        .select_related("organization")
        .order_by("pk")
    )
    settings: list[DuesSetting] = []
    planned: list[PlannedPayment] = []
    reasons: list[GoodReason] = []
    for member in members:
        since = max(start, month_of(member.joined_on))
        category, base, fixed = _category(
            member, member.organization.sector, member.age_on(today), rng
        )
        versions = [(since, base)]
        if base is not None and category == DuesCategory.EMPLOYED and since < january:
            versions.append((january, to_fen(base * Decimal(rng.choice(("1.00", "1.03", "1.05"))))))
        amounts: list[tuple[dt.date, Decimal]] = []
        for effective_from, version_base in versions:
            amount = monthly_dues(category, base=version_base, fixed_amount=fixed)
            amounts.append((effective_from, amount))
            settings.append(
                DuesSetting(
                    member=member,
                    effective_from=effective_from,
                    category=category,
                    base=version_base,
                    fixed_amount=fixed,
                    computed_amount=amount,
                    amount=amount,
                )
            )
        planned += _payments(member, since, today, amounts, rng, reasons)
    with transaction.atomic():
        DuesSetting.objects.bulk_create(settings, batch_size=2000)
        write_payments(planned, actor=DEMO_ACTOR, source=PaymentSource.IMPORTED)
        GoodReason.objects.bulk_create(reasons)
        audit_record(
            actor=DEMO_ACTOR,
            action=AuditAction.IMPORT,
            object_type="dues_demo",
            object_label=f"演示党费：{root.name}",
            org_path=root.path,
            changes={"settings": [None, len(settings)], "payments": [None, len(planned)]},
        )


def _payments(
    member: Member,
    since: dt.date,
    today: dt.date,
    amounts: list[tuple[dt.date, Decimal]],
    rng: random.Random,
    reasons: list[GoodReason],
) -> list[PlannedPayment]:
    current = month_of(today)

    def due(month: dt.date) -> Decimal:
        return [amount for effective, amount in amounts if effective <= month][-1]

    last = current if rng.random() < 0.5 else add_months(current, -1)
    if rng.random() < ARREARS_SHARE:
        last = add_months(current, -rng.randint(3, 8))
        if member.is_mobile and rng.random() < 0.5:
            reasons.append(
                GoodReason(
                    member=member,
                    applies_to="both",
                    starts_on=add_months(last, 1),
                    ends_on=None,
                    text="流动党员外出务工，已向支部书面说明情况，按月参加线上学习",
                )
            )
    step = rng.choices((1, 3, 6), weights=(70, 22, 8))[0]
    method = rng.choice(list(PaymentMethod))
    months = list(month_range(since, last))
    planned = []
    for index in range(0, len(months), step):
        chunk = months[index : index + step]
        dues = [due(month) for month in chunk]
        amount = sum(dues, Decimal("0"))
        if rng.random() < 0.03:
            amount += Decimal(rng.choice(("0.50", "1.00", "-0.10")))
        paid_on = min(chunk[-1] + dt.timedelta(days=rng.randint(3, 25)), today)
        paid_on = max(paid_on, chunk[0])
        values = PaymentValues(chunk[0], chunk[-1], amount, paid_on, method)
        planned.append(
            PlannedPayment(member, values, list(zip(chunk, allocate(amount, dues), strict=True)))
        )
    return planned

"""Writing a member's dues setting: the base and category from a month on, or an override."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record, diff_fields
from chuangxian.dues.errors import DuesError
from chuangxian.dues.models import DuesSetting
from chuangxian.dues.months import add_months, label, month_of
from chuangxian.dues.rates import (
    BASE_CATEGORIES,
    MAX_BASE,
    MAX_FIXED,
    MIN_FIXED,
    DuesCategory,
    monthly_dues,
    to_fen,
)
from chuangxian.orgs.models import Member

# A base may be set a year ahead (the January revision is often decided in December).
MAX_MONTHS_AHEAD = 12


@dataclass(frozen=True)
class SettingValues:
    effective_from: dt.date
    category: str
    base: Decimal | None = None
    fixed_amount: Decimal | None = None
    override_amount: Decimal | None = None
    override_reason: str = ""


def check_setting(values: SettingValues, *, member: Member, today: dt.date) -> dict[str, str]:
    """Every problem at once, as {field: Chinese message}."""
    errors: dict[str, str] = {}
    month = values.effective_from
    if month.day != 1:
        errors["effective_from"] = "起始月份应为某月1日"
    elif month < month_of(member.joined_on):
        errors["effective_from"] = f"早于入党月份（{label(month_of(member.joined_on))}）"
    elif month > add_months(month_of(today), MAX_MONTHS_AHEAD):
        errors["effective_from"] = "最多只能提前12个月核定"
    if values.category not in DuesCategory.values:
        errors["category"] = "请选择交纳类别"
    elif values.category in BASE_CATEGORIES:
        if values.base is None:
            errors["base"] = "在职、离退休党员须填写计算基数（税后月工资收入或离退休费）"
        elif not Decimal("0") < values.base <= MAX_BASE:
            errors["base"] = "计算基数应大于0"
        elif values.base != to_fen(values.base):
            errors["base"] = "计算基数最多保留两位小数"
    else:
        if values.fixed_amount is None:
            errors["fixed_amount"] = "请填写每月定额（0.20—1.00元）"
        elif not MIN_FIXED <= values.fixed_amount <= MAX_FIXED:
            errors["fixed_amount"] = "每月定额应在0.20元至1.00元之间"
    if values.override_amount is not None:
        if values.override_amount <= 0 or values.override_amount != to_fen(values.override_amount):
            errors["override_amount"] = "调整后金额应大于0，最多两位小数"
        if not values.override_reason.strip():
            errors["override_reason"] = "调整应交金额须写明理由"
    return errors


@transaction.atomic
def dues_setting_set(
    *, actor: Actor, member: Member, values: SettingValues, today: dt.date
) -> DuesSetting:
    """Record the setting in force from `values.effective_from` (replacing one recorded for the
    same month). The monthly amount is computed from the rate table; an override replaces it
    only with a reason, and the audit row carries that reason."""
    errors = check_setting(values, member=member, today=today)
    if errors:
        raise DuesError(errors)
    base_category = values.category in BASE_CATEGORIES
    base = to_fen(values.base) if base_category and values.base is not None else None
    fixed = None if base_category else values.fixed_amount
    computed = monthly_dues(values.category, base=base, fixed_amount=fixed)
    override = values.override_amount
    reason = values.override_reason.strip()[:200] if override is not None else ""
    setting = (
        DuesSetting.objects.select_for_update()
        .filter(member=member, effective_from=values.effective_from)
        .first()
    )
    before = _snapshot(setting) if setting is not None else {}
    if setting is None:
        setting = DuesSetting(member=member, effective_from=values.effective_from)
    setting.category = values.category
    setting.base = base
    setting.fixed_amount = fixed
    setting.computed_amount = computed
    setting.override_amount = override
    setting.override_reason = reason
    setting.amount = override if override is not None else computed
    setting.recorded_by = actor.user if actor.user is not None and actor.user.pk else None
    setting.full_clean(exclude=["member"])
    setting.save()
    changes = diff_fields(before, _snapshot(setting))
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            obj=setting,
            object_label=f"{member.name} 党费核定 {label(setting.effective_from)}起",
            org_path=member.organization.path,
            changes=changes,
            reason=reason,
        )
    return setting


def _snapshot(setting: DuesSetting) -> dict[str, object]:
    return {
        "effective_from": setting.effective_from,
        "category": setting.category,
        "base": setting.base,
        "fixed_amount": setting.fixed_amount,
        "computed_amount": setting.computed_amount,
        "override_amount": setting.override_amount,
        "override_reason": setting.override_reason,
        "amount": setting.amount,
    }

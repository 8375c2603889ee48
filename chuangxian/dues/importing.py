"""Reading a dues payment file (.xlsx, .xls or .csv) and checking every row before anything is
written. Nothing here writes.

Columns: 公民身份号码 (or 姓名 + 所在党组织编码), 所属月份 (202601, 2026-01, or a range such as
202601-202603), 金额, 缴纳日期; optional 缴纳方式, 收据编号, 备注. The roster importer's cell
parsers, header normalization, file sniffing and `第N行 [列名] 原因` report are reused.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from chuangxian.dues.models import PaymentMethod
from chuangxian.dues.months import MonthError, month_of, parse_month_range
from chuangxian.dues.services.payments import (
    PaymentValues,
    PlannedPayment,
    check_payment,
    load_ledgers,
    receipts_in_use,
)
from chuangxian.orgs import fieldcrypto, idnumber
from chuangxian.orgs.access import can_edit_members_of
from chuangxian.orgs.models import Member, Organization
from chuangxian.roster_io import cells
from chuangxian.roster_io.columns import normalize_header
from chuangxian.roster_io.reader import RosterFileError, read_sheets
from chuangxian.roster_io.report import RowError

HEADER_SEARCH_ROWS = 10
LOOKUP_BATCH = 900


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "公民身份证号码")),
    Column("name", "姓名", ("党员姓名",)),
    Column("org_code", "所在党组织编码", ("党组织编码", "组织编码", "所在组织编码")),
    Column("months", "所属月份", ("缴费月份", "交纳月份", "月份", "所属期", "党费所属月份")),
    Column("amount", "金额", ("缴纳金额", "交纳金额", "党费金额", "实缴金额", "金额(元)")),
    Column("paid_on", "缴纳日期", ("缴费日期", "交纳日期", "收缴日期")),
    Column("method", "缴纳方式", ("缴费方式", "交纳方式", "方式")),
    Column("receipt_number", "收据编号", ("收据号", "票据编号", "票据号")),
    Column("note", "备注", ()),
)
LABELS = {column.key: column.label for column in COLUMNS}
HEADER_INDEX = {
    normalize_header(name): column.key
    for column in COLUMNS
    for name in (column.label, *column.aliases)
}
METHOD_WORDS = {
    "": PaymentMethod.OTHER,
    "现金": PaymentMethod.CASH,
    "微信": PaymentMethod.WECHAT,
    "支付宝": PaymentMethod.ALIPAY,
    "银行转账": PaymentMethod.BANK,
    "转账": PaymentMethod.BANK,
    "银行": PaymentMethod.BANK,
    "工资代扣": PaymentMethod.PAYROLL,
    "代扣": PaymentMethod.PAYROLL,
    "其他": PaymentMethod.OTHER,
}
SHEET = "党费"


@dataclass
class PaymentPlan:
    total_rows: int = 0
    planned: list[PlannedPayment] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    errors: dict[str, str]


def read_grid(content: bytes) -> list[Sequence[cells.Cell]]:
    """The first sheet holding the payment header, as rows of cells (.xlsx, .xls or CSV)."""
    for _, grid in read_sheets(content)[1]:
        if _header_row(grid) is not None:
            return list(grid)
    raise RosterFileError("没有找到党费表头（须有“所属月份”“金额”“缴纳日期”等列）")


def _header_row(grid: Sequence[Sequence[cells.Cell]]) -> int | None:
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        keys = {HEADER_INDEX.get(normalize_header(cell)) for cell in row if cell not in (None, "")}
        if {"months", "amount"} <= keys:
            return index
    return None


def plan_payments(content: bytes, *, user: Any, today: dt.date) -> PaymentPlan:
    """Every row checked; `planned` is complete only when `errors` is empty. `user=None` is the
    system (no scope check)."""
    plan = PaymentPlan()
    grid = read_grid(content)
    header_index = _header_row(grid)
    if header_index is None:
        raise RosterFileError("没有找到党费表头（须有“所属月份”“金额”“缴纳日期”等列）")
    columns: dict[str, int] = {}
    for index, cell in enumerate(grid[header_index]):
        key = HEADER_INDEX.get(normalize_header(cell)) if cell not in (None, "") else None
        if key is not None and key not in columns:
            columns[key] = index
    header_number = header_index + 1
    for key in ("months", "amount", "paid_on"):
        if key not in columns:
            plan.errors.append(RowError(SHEET, header_number, LABELS[key], "缺少该列"))
    if "id_number" not in columns and not {"name", "org_code"} <= set(columns):
        plan.errors.append(
            RowError(
                SHEET,
                header_number,
                LABELS["id_number"],
                "缺少该列（或同时提供“姓名”和“所在党组织编码”两列）",
            )
        )
    if plan.errors:
        return plan
    rows = [
        _parse(number, raw, columns)
        for number, raw in enumerate(grid[header_index + 1 :], start=header_index + 2)
        if any(cell not in (None, "") and str(cell).strip() for cell in raw)
    ]
    plan.total_rows = len(rows)
    members = _resolve_members(rows, user=user)
    ledgers = load_ledgers(m.pk for m in members.values())
    receipts = receipts_in_use(m.organization_id for m in members.values())
    seen: dict[tuple[int, dt.date, dt.date, Decimal, dt.date], int] = {}
    receipts_in_file: dict[tuple[int, str], int] = {}
    for row in rows:
        member = members.get(row.number)
        if member is not None and not row.errors:
            _check_row(plan, row, member, ledgers, receipts, seen, receipts_in_file, today)
        for key, reason in row.errors.items():
            plan.errors.append(RowError(SHEET, row.number, LABELS[key], reason))
    plan.errors.sort()
    return plan


def _check_row(
    plan: PaymentPlan,
    row: _Row,
    member: Member,
    ledgers: dict[int, Any],
    receipts: dict[int, set[str]],
    seen: dict[tuple[int, dt.date, dt.date, Decimal, dt.date], int],
    receipts_in_file: dict[tuple[int, str], int],
    today: dt.date,
) -> None:
    first, last = row.values["months"]
    values = PaymentValues(
        first_month=first,
        last_month=last,
        amount=row.values["amount"],
        paid_on=row.values["paid_on"],
        method=row.values.get("method") or PaymentMethod.OTHER,
        receipt_number=row.values.get("receipt_number", ""),
        note=row.values.get("note", ""),
    )
    signature = (member.pk, first, last, values.amount, values.paid_on)
    if signature in seen:
        row.errors["amount"] = f"与第{seen[signature]}行完全相同，疑为重复"
        return
    seen[signature] = row.number
    receipt = values.receipt_number.strip()
    if receipt:
        key = (member.organization_id, receipt)
        if key in receipts_in_file:
            row.errors["receipt_number"] = f"收据编号与第{receipts_in_file[key]}行重复"
            return
        receipts_in_file[key] = row.number
    checked = check_payment(
        values,
        member=member,
        ledger=ledgers[member.pk],
        receipts_taken=receipts.get(member.organization_id, set()),
        today=today,
    )
    if checked.errors:
        row.errors.update(
            {
                ("months" if k in ("first_month", "last_month") else k): v
                for k, v in checked.errors.items()
            }
        )
        return
    for warning in checked.warnings:
        plan.warnings.append(RowError(SHEET, row.number, LABELS["amount"], warning))
    plan.planned.append(PlannedPayment(member, values, checked.shares))


def _parse(number: int, raw: Sequence[cells.Cell], columns: dict[str, int]) -> _Row:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def cell(key: str) -> cells.Cell:
        index = columns.get(key)
        return raw[index] if index is not None and index < len(raw) else None

    try:
        if "id_number" in columns:
            values["id_number"] = cells.id_number_text(cell("id_number"))
    except cells.CellError as error:
        errors["id_number"] = str(error)
    values["name"] = cells.free_text(cell("name"))
    values["org_code"] = cells.code_text(cell("org_code"))
    try:
        values["months"] = months_value(cell("months"))
    except (MonthError, cells.CellError) as error:
        errors["months"] = str(error)
    try:
        values["amount"] = amount_value(cell("amount"))
    except cells.CellError as error:
        errors["amount"] = str(error)
    try:
        paid_on = cells.date_value(cell("paid_on"))
        if paid_on is None:
            errors["paid_on"] = "不能为空"
        values["paid_on"] = paid_on
    except cells.CellError as error:
        errors["paid_on"] = str(error)
    method = cells.code_text(cell("method"))
    if method in METHOD_WORDS:
        values["method"] = METHOD_WORDS[method]
    else:
        errors["method"] = "应为：现金、微信、支付宝、银行转账、工资代扣或其他"
    values["receipt_number"] = cells.code_text(cell("receipt_number"))
    if len(values["receipt_number"]) > 40:
        errors["receipt_number"] = "不能超过40个字符"
    values["note"] = cells.free_text(cell("note"))[:200]
    return _Row(number, values, errors)


def months_value(cell: cells.Cell) -> tuple[dt.date, dt.date]:
    """A month or a range; a date cell (Excel turns 2026-01 into 2026-01-01) is its month."""
    if isinstance(cell, dt.datetime):
        return month_of(cell.date()), month_of(cell.date())
    if isinstance(cell, dt.date):
        return month_of(cell), month_of(cell)
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if cell is None or isinstance(cell, (bool, float, dt.time, dt.timedelta)):
        raise cells.CellError("不是可识别的月份（如 202601、2026-01 或 202601-202603）")
    return parse_month_range(str(cell))


def amount_value(cell: cells.Cell) -> Decimal:
    if isinstance(cell, bool) or cell is None or cell == "":
        raise cells.CellError("不能为空")
    if isinstance(cell, (int, float)):
        text = repr(cell) if isinstance(cell, float) else str(cell)
    elif isinstance(cell, str):
        text = cells.code_text(cell).replace(",", "").replace("，", "").removesuffix("元")
        text = text.lstrip("¥￥")
    else:
        raise cells.CellError("应为金额（元）")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise cells.CellError(f"“{cell}”不是金额")
    if not amount.is_finite():
        raise cells.CellError(f"“{cell}”不是金额")
    if amount != amount.quantize(Decimal("0.01")):
        raise cells.CellError(f"“{cell}”超过两位小数（最小单位为分）")
    return amount.quantize(Decimal("0.01"))


def _resolve_members(rows: list[_Row], *, user: Any) -> dict[int, Member]:
    """Row number → member, by the keyed hash of the ID number or by name within the
    organization's code; a member outside the importing user's reach is reported exactly like
    a missing one."""
    hashes: dict[int, str] = {}
    for row in rows:
        raw = row.values.get("id_number") or ""
        if not raw or "id_number" in row.errors:
            continue
        try:
            hashes[row.number] = fieldcrypto.keyed_hash(idnumber.validate(raw))
        except idnumber.IDNumberError as error:
            row.errors["id_number"] = str(error)
    by_hash: dict[str, Member] = {}
    wanted = sorted(set(hashes.values()))
    for start in range(0, len(wanted), LOOKUP_BATCH):
        for match in Member.objects.filter(
            id_number_hash__in=wanted[start : start + LOOKUP_BATCH]
        ).select_related("organization"):
            by_hash[match.id_number_hash] = match
    by_name: dict[tuple[str, str], list[Member]] = defaultdict(list)
    codes = {
        row.values["org_code"]
        for row in rows
        if row.number not in hashes
        and row.values.get("org_code")
        and not row.errors.get("id_number")
    }
    orgs = {org.pk: org for org in Organization.objects.filter(code__in=codes)}
    for candidate in Member.objects.filter(organization_id__in=list(orgs)).select_related(
        "organization"
    ):
        by_name[(candidate.organization.code, candidate.name)].append(candidate)
    allowed: dict[int, bool] = {}
    found: dict[int, Member] = {}
    for row in rows:
        if "id_number" in row.errors:
            continue
        member: Member | None = None
        if row.number in hashes:
            member = by_hash.get(hashes[row.number])
            key = "id_number"
        elif row.values.get("id_number"):
            continue  # an error was recorded above
        else:
            key = "name"
            if not row.values["name"] or not row.values["org_code"]:
                row.errors["id_number"] = "请填写公民身份号码，或同时填写姓名和所在党组织编码"
                continue
            candidates = by_name.get((row.values["org_code"], row.values["name"]), [])
            if len(candidates) > 1:
                row.errors["name"] = "该组织有同名党员，请改用公民身份号码"
                continue
            member = candidates[0] if candidates else None
        if member is not None and user is not None:
            org = member.organization
            if org.pk not in allowed:
                allowed[org.pk] = can_edit_members_of(user, org)
            if not allowed[org.pk]:
                member = None
        if member is None:
            row.errors[key] = "没有找到该党员，或该党员不在您的管理范围内"
            continue
        found[row.number] = member
    return found

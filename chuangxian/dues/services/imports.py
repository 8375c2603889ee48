"""Importing dues payments from a file: all rows or none."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.dues.errors import DuesError
from chuangxian.dues.importing import plan_payments
from chuangxian.dues.models import PaymentSource
from chuangxian.dues.services.payments import write_payments
from chuangxian.roster_io.reader import RosterFileError
from chuangxian.roster_io.report import RowError


@dataclass
class PaymentImportReport:
    dry_run: bool = False
    total_rows: int = 0
    written: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"发现{len(self.errors)}处错误，未写入任何数据（共{self.total_rows}行）。"
        if self.dry_run:
            return f"试导入（未写入）：共{self.total_rows}行，均可导入。"
        return f"已导入{self.written}笔缴费（共{self.total_rows}行）。"


@transaction.atomic
def payments_import(
    *, actor: Actor, user: Any, content: bytes, file_name: str, today: dt.date, dry_run: bool
) -> PaymentImportReport:
    """Check every row (scope through the access layer, members, months, amounts, duplicates
    in the file and against the ledger) and write them all, or nothing when any row is bad.
    An amount differing from the computed dues is a warning, not an error: the regulation
    welcomes voluntary extra dues, and a member may pay a shortfall later (补交)."""
    report = PaymentImportReport(dry_run=dry_run)
    try:
        plan = plan_payments(content, user=user, today=today)
    except RosterFileError as error:
        report.errors.append(RowError("党费", 1, "文件", str(error)))
        return report
    report.total_rows = plan.total_rows
    report.errors = plan.errors
    report.warnings = plan.warnings
    if report.errors or dry_run or not plan.planned:
        return report
    try:
        written = write_payments(plan.planned, actor=actor, source=PaymentSource.IMPORTED)
    except DuesError as error:  # a 收据编号 taken meanwhile by another entry: nothing written
        report.errors.append(RowError("党费", 1, "收据编号", "；".join(error.messages)))
        return report
    report.written = len(written)
    per_path = Counter(item.member.organization.path for item in plan.planned)
    for path, count in sorted(per_path.items()):
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="payment_import",
            object_label=f"党费导入：{file_name}"[:200],
            org_path=path,
            changes={"payments": [None, count], "file": [None, file_name]},
        )
    return report

"""The yearly fund statement of one organization as an Excel workbook, audited.

Every text cell is written as text: the workbook refuses to turn a purpose typed as
"=HYPERLINK(…)" or "+1" into a formula (strings_to_formulas off, write_string)."""

import io

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.support.selectors import FundStatement
from chuangxian.xlsx import text_workbook


def fund_statement_xlsx(*, actor: Actor, statement: FundStatement) -> bytes:
    buffer = io.BytesIO()
    workbook = text_workbook(buffer)
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    sheet = workbook.add_worksheet("经费年度收支")
    org = statement.organization
    sheet.write_string(0, 0, f"{org.name}（{org.code}）{statement.year}年经费收支表", bold)
    summary = [
        ("收到经费", statement.received),
        ("下拨下级", statement.passed_down),
        ("本级支出", statement.spent),
        ("结余", statement.balance),
        ("党费收缴（党费模块数据）", statement.dues_paid),
        (f"党费留存（{statement.dues_retained_percent}%）", statement.dues_retained),
    ]
    row = 2
    for label, value in summary:
        sheet.write_string(row, 0, label)
        sheet.write_number(row, 1, float(value), money)
        row += 1
    row += 1
    sheet.write_string(row, 0, "支出明细", bold)
    row += 1
    for col, title in enumerate(("日期", "经费类别", "金额（元）", "用途", "票据")):
        sheet.write_string(row, col, title, bold)
    for spending in statement.spendings:
        row += 1
        sheet.write_string(row, 0, spending.spent_on.isoformat())
        sheet.write_string(row, 1, str(spending.allocation.get_kind_display()))
        sheet.write_number(row, 2, float(spending.amount), money)
        sheet.write_string(row, 3, spending.purpose)
        sheet.write_string(row, 4, spending.receipt_name)
    row += 2
    sheet.write_string(row, 0, "下拨明细", bold)
    row += 1
    for col, title in enumerate(("下级组织", "经费类别", "金额（元）", "说明")):
        sheet.write_string(row, col, title, bold)
    for child in statement.passed:
        row += 1
        sheet.write_string(row, 0, child.organization.name)
        sheet.write_string(row, 1, str(child.get_kind_display()))
        sheet.write_number(row, 2, float(child.amount), money)
        sheet.write_string(row, 3, child.note)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 2, 16)
    sheet.set_column(3, 3, 40)
    sheet.set_column(4, 4, 24)
    workbook.close()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="fund_statement",
        object_id=f"{org.pk}:{statement.year}",
        object_label=f"{org.name}{statement.year}年经费收支表",
        org_path=org.path,
    )
    return buffer.getvalue()

"""The compliance report as an Excel workbook (xlsxwriter, written in memory)."""

import io

from chuangxian.orglife.compliance import ComplianceReport
from chuangxian.xlsx import text_workbook


def compliance_workbook(report: ComplianceReport) -> bytes:
    """One sheet per organization row (达标/未达标, meetings held, periods met of periods
    required, missed periods by name) and one sheet with the summary per rule."""
    out = io.BytesIO()
    book = text_workbook(out, {"constant_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#ECEBE7", "border": 1})
    bad = book.add_format({"font_color": "#A50E0E"})
    title = book.add_format({"bold": True, "font_size": 14})

    summary = book.add_worksheet("汇总")
    summary.write(0, 0, f"{report.root.name} {report.period.label}组织生活落实情况", title)
    summary.write(1, 0, f"统计截至 {report.today:%Y-%m-%d}；✓ 达标 ✗ 未达标")
    headers = ["会议类型", "频次要求", "应考核组织数", "达标组织数", "达标率", "已召开次数"]
    for col, text in enumerate(headers):
        summary.write(3, col, text, bold)
    for row_index, rule in enumerate(report.rules, start=4):
        summary.write_row(
            row_index,
            0,
            [
                rule.label,
                rule.frequency_label,
                rule.organizations,
                rule.ok,
                f"{rule.percent}%",
                rule.held,
            ],
        )
    summary.set_column(0, 1, 16)
    summary.set_column(2, 5, 12)

    detail = book.add_worksheet("各组织")
    columns = report.columns
    head = ["组织编码", "组织名称", "组织类别", "总体"]
    for _type, label in columns:
        head += [f"{label}", f"{label}已开次数", f"{label}达标期数/应考核期数", f"{label}未开期间"]
    for col, text in enumerate(head):
        detail.write(0, col, text, bold)
    for row_index, row in enumerate(report.rows, start=1):
        detail.write_row(row_index, 0, [row.code, row.name, row.kind])
        detail.write(row_index, 3, "✓" if row.ok else "✗", None if row.ok else bad)
        col = 4
        for meeting_type, _label in columns:
            result = row.result_for(meeting_type)
            if result is None:
                detail.write_row(row_index, col, ["不适用", "", "", ""])
            else:
                missed = "、".join(p.short_label for p in result.missed_periods())
                detail.write(row_index, col, "✓" if result.ok else "✗", None if result.ok else bad)
                detail.write_row(
                    row_index,
                    col + 1,
                    [result.held, f"{result.met}/{result.required}", missed],
                )
            col += 4
    detail.freeze_panes(1, 2)
    detail.set_column(0, 0, 14)
    detail.set_column(1, 1, 30)
    book.close()
    return out.getvalue()

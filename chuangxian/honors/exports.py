"""Excel export of yearly points totals. Every text cell is written with write_string, so a
value starting with = + - @ is text, never a formula."""

import io
from decimal import Decimal

from django.http import HttpResponse

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.honors.models import Bucket
from chuangxian.orgs.models import Organization
from chuangxian.xlsx import text_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def totals_workbook(org: Organization, year: int, rows: list) -> bytes:  # type: ignore[type-arg]
    buffer = io.BytesIO()
    book = text_workbook(buffer)
    sheet = book.add_worksheet(f"{year}年积分")
    bold = book.add_format({"bold": True})
    headers = ["姓名", "党组织", *[str(label) for _, label in Bucket.choices], "年度积分"]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
    for row_number, row in enumerate(rows, start=1):
        sheet.write_string(row_number, 0, row.name)
        sheet.write_string(row_number, 1, row.organization)
        for col, (value, _) in enumerate(Bucket.choices, start=2):
            sheet.write_number(row_number, col, float(row.buckets.get(value, Decimal(0))))
        sheet.write_number(row_number, len(headers) - 1, float(row.total))
    sheet.set_column(0, 1, 18)
    book.close()
    return buffer.getvalue()


def totals_response(org: Organization, year: int, rows: list, actor: Actor) -> HttpResponse:  # type: ignore[type-arg]
    from urllib.parse import quote

    content = totals_workbook(org, year, rows)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=org,
        object_label=f"{org.name} {year}年积分",
        org_path=org.path,
        changes={"rows": [0, len(rows)]},
    )
    response = HttpResponse(content, content_type=XLSX)
    name = quote(f"{org.name}-{year}年积分.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response

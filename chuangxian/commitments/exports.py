"""Excel export of the commitments of a subtree, as the viewer may see them, audited."""

import io
from typing import Any

from django.db.models import Avg, Count, Max, Q

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.campaigns.dimensions import ALL_DIMENSIONS
from chuangxian.campaigns.models import Campaign
from chuangxian.commitments.access import items_for
from chuangxian.commitments.models import CommitmentItem, RaterGroup
from chuangxian.orgs.models import Organization
from chuangxian.xlsx import text_workbook

COLUMNS = [
    ("活动", 18),
    ("党组织", 24),
    ("组织编码", 12),
    ("承诺主体", 12),
    ("承诺类型", 10),
    ("对应标准", 14),
    ("承诺内容", 48),
    ("目标", 28),
    ("完成时限", 12),
    ("状态", 10),
    ("兑现说明", 30),
    ("进展次数", 9),
    ("最近进展", 12),
    ("党员评（均分/人次）", 16),
    ("组织评（均分/人次）", 16),
    ("群众评（均分/人次）", 16),
]


def _export_items(user: Any, org: Organization, campaign: Campaign | None) -> Any:
    items = items_for(user).filter(sheet__organization__path__startswith=org.path)
    if campaign is not None:
        items = items.filter(sheet__campaign=campaign)
    annotations: dict[str, Any] = {
        "update_count": Count("updates", distinct=True),
        "last_report": Max("updates__reported_on"),
    }
    for group in RaterGroup.values:
        annotations[f"mean_{group}"] = Avg("ratings__score", filter=Q(ratings__group=group))
        annotations[f"n_{group}"] = Count("ratings", filter=Q(ratings__group=group), distinct=True)
    return (
        items.select_related("sheet__organization", "sheet__member", "sheet__campaign")
        .annotate(**annotations)
        .order_by("sheet__organization__path", "sheet__member__name", "sheet_id", "id")
    )


def _rating_cell(item: CommitmentItem, group: str) -> str:
    count = getattr(item, f"n_{group}")
    if not count:
        return ""
    return f"{getattr(item, f'mean_{group}'):.1f} / {count}"


def commitments_export(
    *, actor: Actor, user: Any, org: Organization, campaign: Campaign | None = None
) -> bytes:
    """The .xlsx of the commitments of `org`'s subtree that `user` may see (the caller fetched
    `org` through the access layer). One audit row records who exported what."""
    items = list(_export_items(user, org, campaign))
    buffer = io.BytesIO()
    workbook = text_workbook(buffer)
    sheet = workbook.add_worksheet("公开承诺")
    header = workbook.add_format({"bold": True, "bg_color": "#ECEBE7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for column, (title, width) in enumerate(COLUMNS):
        sheet.write(0, column, title, header)
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    for row, item in enumerate(items, start=1):
        values = [
            item.sheet.campaign.name,
            item.sheet.organization.name,
            item.sheet.organization.code,
            item.sheet.subject_name,
            item.get_kind_display(),
            ALL_DIMENSIONS.get(item.dimension, item.dimension),
            item.text,
            item.target_display,
            item.due_on.isoformat(),
            item.get_status_display(),
            item.outcome_note,
            item.update_count,
            item.last_report.isoformat() if item.last_report else "",
            *(_rating_cell(item, group) for group in RaterGroup.values),
        ]
        for column, value in enumerate(values):
            # write_string: a cell starting with "=" stays text, never a formula.
            if isinstance(value, int):
                sheet.write_number(row, column, value)
            else:
                sheet.write_string(row, column, str(value), wrap)
    workbook.close()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=org,
        org_path=org.path,
        changes={
            "items": [None, len(items)],
            "campaign": [None, campaign.name if campaign else "全部"],
        },
        reason="公开承诺导出",
    )
    return buffer.getvalue()

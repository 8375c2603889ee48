"""Excel export of the targets and letters of a subtree in a campaign (xlsxwriter), audited."""

import io
from typing import Any

from django.db import transaction

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.campaigns.dimensions import OrgDimension
from chuangxian.campaigns.models import Campaign, ResponsibilityLetter
from chuangxian.campaigns.rollup import weighted_mean
from chuangxian.campaigns.selectors import held_items, items_under, progress_of
from chuangxian.orgs.access import organizations_for
from chuangxian.orgs.models import Organization
from chuangxian.xlsx import text_workbook

TARGET_COLUMNS = (
    ("责任单位", 22),
    ("组织编码", 12),
    ("责任人", 10),
    ("下达单位", 22),
    ("上级目标", 28),
    ("目标内容", 36),
    ("分值", 8),
    ("考核方式", 12),
    ("单位", 8),
    ("基数", 10),
    ("目标值", 10),
    ("当前值", 10),
    ("完成进度", 10),
    ("完成时限", 12),
    ("一票否决", 9),
    ("五好维度", 12),
    ("自评分", 8),
    ("考核得分", 9),
)
LETTER_COLUMNS = (
    ("责任单位", 22),
    ("组织编码", 12),
    ("下达单位", 22),
    ("状态", 12),
    ("目标数", 8),
    ("总分值", 8),
    ("完成进度", 10),
    ("下达单位签字", 12),
    ("签字时间", 18),
    ("责任单位签字", 12),
    ("签字时间", 18),
    ("考核得分", 10),
    ("一票否决", 9),
)


def _time(value: Any) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def targets_workbook(campaign: Campaign, org: Organization, user: Any) -> tuple[bytes, int]:
    """The workbook and the number of target rows. Only organizations the user sees."""
    visible = set(
        organizations_for(user).filter(path__startswith=org.path).values_list("pk", flat=True)
    )
    items = items_under(campaign, org)
    progress = progress_of(items)
    titles = {i.pk: i.title for i in items}
    shown = [i for i in items if i.organization_id in visible]
    shown.sort(key=lambda i: (i.organization.path, i.deadline, i.pk))
    letters = list(
        ResponsibilityLetter.objects.filter(campaign=campaign, organization_id__in=visible)
        .select_related("organization", "superior", "superior_signed_by", "holder_signed_by")
        .order_by("organization__path")
    )
    out = io.BytesIO()
    # Text stays text: a title starting with "=" must not become a formula in the reader's Excel.
    book = text_workbook(out)
    head = book.add_format({"bold": True, "bg_color": "#ECEBE7", "border": 1})
    percent = book.add_format({"num_format": "0%"})
    dimensions = dict(OrgDimension.choices)

    sheet = book.add_worksheet("目标")
    sheet.write(0, 0, f"{campaign.name} · {org.name}及下级目标", head)
    for col, (title, width) in enumerate(TARGET_COLUMNS):
        sheet.write(1, col, title, head)
        sheet.set_column(col, col, width)
    for row, item in enumerate(shown, start=2):
        values: list[Any] = [
            item.organization.name,
            item.organization.code,
            item.member.name if item.member else "",
            item.set_by.name,
            titles.get(item.parent_id or 0, ""),
            item.title,
            float(item.weight),
            item.get_measure_display(),
            item.unit,
            _num(item.baseline),
            _num(item.target_value),
            _num(item.current_value) if item.measure == "number" else ("是" if item.done else "否"),
            None,
            item.deadline.isoformat(),
            "是" if item.veto else "",
            dimensions.get(item.dimension, ""),
            _num(item.self_score),
            _num(item.review_score),
        ]
        for col, value in enumerate(values):
            if col == 12:
                sheet.write_number(row, col, progress[item.pk], percent)
            elif value is not None:
                sheet.write(row, col, value)
    sheet.freeze_panes(2, 1)

    sheet = book.add_worksheet("责任书")
    for col, (title, width) in enumerate(LETTER_COLUMNS):
        sheet.write(0, col, title, head)
        sheet.set_column(col, col, width)
    for row, letter in enumerate(letters, start=1):
        held = held_items(items, letter.organization)
        p = weighted_mean((i.weight, progress[i.pk]) for i in held)
        values = [
            letter.organization.name,
            letter.organization.code,
            letter.superior.name,
            letter.get_status_display(),
            len(held),
            float(sum(i.weight for i in held)),
            None,
            str(letter.superior_signed_by or ""),
            _time(letter.superior_signed_at),
            str(letter.holder_signed_by or ""),
            _time(letter.holder_signed_at),
            _num(letter.review_total),
            "是" if letter.vetoed else "",
        ]
        for col, value in enumerate(values):
            if col == 6:
                if p is not None:
                    sheet.write_number(row, col, p, percent)
            elif value is not None:
                sheet.write(row, col, value)
    book.close()
    return out.getvalue(), len(shown)


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


@transaction.atomic
def targets_export(*, actor: Actor, user: Any, campaign: Campaign, org: Organization) -> bytes:
    """The targets and letters of `org`'s subtree that the user may see, as .xlsx. Changes
    nothing; one audit row records who exported what."""
    content, rows = targets_workbook(campaign, org, user)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=campaign,
        object_label=f"{campaign} · {org.name}目标与责任书",
        org_path=org.path,
        changes={"organization": [None, org.code], "targets": [None, rows]},
    )
    return content

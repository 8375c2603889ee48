"""Excel export of a round's results for a subtree, as the viewer may see them, audited."""

import io
from typing import Any

from django.db.models import QuerySet

from chuangxian.appraisal.access import results_subjects_for
from chuangxian.appraisal.models import Round, SubjectResult
from chuangxian.appraisal.selectors import results_of
from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs.models import Organization
from chuangxian.xlsx import text_workbook

COLUMNS = [
    ("对象", 24),
    ("所在党组织", 24),
    ("组织编码", 12),
    ("比较组", 26),
    ("综合得分", 10),
    ("组内排名", 9),
    ("组内人数", 9),
    ("名额", 7),
    ("建议等次", 10),
    ("确定等次", 10),
    ("星级", 8),
    ("权重重新分配", 12),
    ("直接定等", 9),
    ("调整理由", 40),
]


def results_in_subtree(user: Any, round_: Round, org: Organization) -> QuerySet[SubjectResult]:
    """The current (or published) results of `org`'s subtree that `user` may read."""
    visible = results_subjects_for(user, round_).filter(organization__path__startswith=org.path)
    return (
        results_of(round_)
        .filter(subject__in=visible.values("pk"))
        .select_related("subject__organization")
        .order_by("subject__organization__path", "peer_key", "rank")
    )


def results_export(*, actor: Actor, user: Any, round_: Round, org: Organization) -> bytes:
    """The .xlsx of the results of `org`'s subtree (fetched through the access layer)."""
    rows = list(results_in_subtree(user, round_, org))
    buffer = io.BytesIO()
    workbook = text_workbook(buffer)
    sheet = workbook.add_worksheet("考评结果")
    header = workbook.add_format({"bold": True, "bg_color": "#ECEBE7", "border": 1})
    number = workbook.add_format({"num_format": "0.00"})
    for column, (title, width) in enumerate(COLUMNS):
        sheet.write(0, column, title, header)
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 1)
    for row, result in enumerate(rows, start=1):
        subject = result.subject
        texts = [subject.label, subject.organization.name, subject.organization.code]
        for column, text in enumerate(texts):
            # write_string: a name starting with "=" stays text, never a formula.
            sheet.write_string(row, column, text)
        sheet.write_string(row, 3, subject.peer_label)
        sheet.write_number(row, 4, result.composite, number)
        sheet.write_number(row, 5, result.rank)
        sheet.write_number(row, 6, result.peer_size)
        sheet.write_number(row, 7, result.quota)
        sheet.write_string(row, 8, result.proposed_grade)
        sheet.write_string(row, 9, result.grade)
        sheet.write_string(row, 10, result.tier)
        sheet.write_string(row, 11, "是" if result.renormalized else "")
        sheet.write_string(row, 12, "是" if result.direct else "")
        sheet.write_string(row, 13, result.override_reason)
    workbook.close()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=round_,
        object_type="appraisal_round",
        org_path=org.path,
        changes={"results": [None, len(rows)], "organization": [None, org.name]},
        reason="考评结果导出",
    )
    return buffer.getvalue()

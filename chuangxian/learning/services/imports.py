"""Imports: offline training 学时, 学习强国 points, and questions for the bank.

Each reads the whole file, checks every row and reports each problem as 第N行 [列名] 原因; with
any problem nothing is written. Otherwise all rows are written in one transaction, with one
StudyImport row and one audit event. Rows already recorded identically are counted as
unchanged, so importing the same file twice writes nothing the second time."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.learning.models import (
    Question,
    QuestionKind,
    StudyImport,
    StudyImportKind,
    StudyRecord,
    StudySource,
    XuexiPoints,
)
from chuangxian.learning.rules import HoursError, parse_hours
from chuangxian.learning.services.members_lookup import MemberFinder
from chuangxian.learning.services.questions import (
    QuestionValues,
    check_question,
    parse_answer,
    question_instance,
)
from chuangxian.learning.sheets import IDENTITY_COLUMNS, ImportFileError, Table, read_table
from chuangxian.orgs.models import Member, Organization
from chuangxian.orgs.selectors import common_path
from chuangxian.roster_io import cells
from chuangxian.roster_io.columns import Column
from chuangxian.roster_io.report import RowError

MAX_POINTS = 1_000_000
OFFLINE_COLUMNS: tuple[Column, ...] = (
    *IDENTITY_COLUMNS,
    Column("title", "培训名称", ("培训内容", "培训项目", "学习内容", "培训班名称"), required=True),
    Column("day", "日期", ("培训日期", "培训时间", "学习日期"), required=True, is_date=True),
    Column("hours", "学时", ("学时数", "培训学时", "课时"), required=True),
)
XUEXI_COLUMNS: tuple[Column, ...] = (
    *IDENTITY_COLUMNS,
    Column("points", "学习积分", ("积分", "学习强国积分", "总积分", "年度积分"), required=True),
    Column("year", "年度", ("年份",)),
)
_KIND_WORDS = {
    "单选": QuestionKind.SINGLE,
    "单选题": QuestionKind.SINGLE,
    "单项选择题": QuestionKind.SINGLE,
    "多选": QuestionKind.MULTIPLE,
    "多选题": QuestionKind.MULTIPLE,
    "多项选择题": QuestionKind.MULTIPLE,
    "判断": QuestionKind.JUDGE,
    "判断题": QuestionKind.JUDGE,
}
OPTION_LETTERS = "ABCDEFGH"
QUESTION_COLUMNS: tuple[Column, ...] = (
    Column("kind", "题型", ("题目类型", "类型"), required=True),
    Column("text", "题干", ("题目", "试题内容", "题目内容"), required=True),
    *(Column(f"option_{letter}", f"选项{letter}", (letter,)) for letter in OPTION_LETTERS),
    Column("answer", "答案", ("正确答案", "参考答案"), required=True),
    Column("tags", "标签", ("知识点", "分类")),
    Column("explanation", "解析", ("答案解析",)),
)


@dataclass
class StudyImportReport:
    kind: str
    dry_run: bool = False
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    study_import: StudyImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        return [str(error) for error in self.errors]

    def summary(self) -> str:
        verb = "将" if self.dry_run or not self.ok else "已"
        text = (
            f"共{self.total_rows}行；{verb}新增{self.created}条、{verb}更新{self.updated}条、"
            f"未变{self.unchanged}条"
        )
        if self.errors:
            return f"发现{len(self.errors)}处错误，未写入任何数据。" + text
        if self.dry_run:
            return "试导入（未写入）：" + text
        return text


def _file_error(report: StudyImportReport, message: str) -> StudyImportReport:
    report.errors.append(RowError("", 0, "文件", message))
    return report


def _open(report: StudyImportReport, content: bytes, columns: tuple[Column, ...]) -> Table | None:
    try:
        table = read_table(content, columns)
    except ImportFileError as error:
        _file_error(report, str(error))
        return None
    report.total_rows = len(table.rows)
    if not table.rows:
        _file_error(report, "文件中没有数据行")
        return None
    return table


def _record_import(
    *, actor: Actor, kind: str, file_name: str, report: StudyImportReport, paths: list[str]
) -> StudyImport:
    org_path = common_path(paths) if paths else ""
    batch = StudyImport.objects.create(
        kind=kind,
        file_name=file_name[:200],
        rows=report.total_rows,
        created=report.created,
        org_path=org_path,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=batch,
        org_path=org_path,
        changes={
            "rows": [None, report.total_rows],
            "created": [None, report.created],
            "updated": [None, report.updated],
            "unchanged": [None, report.unchanged],
        },
    )
    report.study_import = batch
    return batch


@dataclass
class _OfflineRow:
    number: int
    member: Member
    day: dt.date
    title: str
    hours: Decimal


def offline_training_import(
    *,
    actor: Actor,
    user: Any,
    content: bytes,
    file_name: str,
    today: dt.date,
    dry_run: bool = False,
) -> StudyImportReport:
    """线下培训: one 学时 row per line (member, 培训名称, 日期, 学时). `user=None` is the system;
    otherwise every member must be one the user may record for."""
    report = StudyImportReport(kind=StudyImportKind.OFFLINE, dry_run=dry_run)
    table = _open(report, content, OFFLINE_COLUMNS)
    if table is None:
        return report
    finder = MemberFinder(table, user)
    if problem := finder.check_columns():
        return _file_error(report, problem)
    parsed: list[tuple[int, object, Sequence[cells.Cell], dt.date | None, str, Decimal | None]] = []
    for number, raw in table.rows:
        key = finder.key(number, raw, report.errors)
        title = cells.free_text(table.cell(raw, "title"))
        if not title:
            report.errors.append(table.error(number, "title", "应填写培训名称"))
        elif len(title) > 200:
            report.errors.append(table.error(number, "title", "培训名称不超过200字"))
        day = _day(table, number, raw, today, report.errors)
        try:
            hours: Decimal | None = parse_hours(table.cell(raw, "hours"))
        except HoursError as error:
            report.errors.append(table.error(number, "hours", str(error)))
            hours = None
        parsed.append((number, key, raw, day, title, hours))
    finder.load()
    rows: list[_OfflineRow] = []
    seen: dict[tuple[int, dt.date, str], int] = {}
    for number, key, _raw, day, title, hours in parsed:
        member = finder.member(number, key, report.errors) if key is not None else None
        if member is None or day is None or not title or hours is None:
            continue
        if (member.pk, day, title) in seen:
            first = seen[(member.pk, day, title)]
            report.errors.append(
                table.error(number, "title", f"与第{first}行重复（同一党员、同日、同一培训）")
            )
            continue
        seen[(member.pk, day, title)] = number
        rows.append(_OfflineRow(number, member, day, title, hours))
    existing = _existing_offline(rows)
    new: list[_OfflineRow] = []
    for row in rows:
        recorded = existing.get((row.member.pk, row.day, row.title))
        if recorded is None:
            new.append(row)
        elif recorded == row.hours:
            report.unchanged += 1
        else:
            report.errors.append(
                table.error(
                    row.number,
                    "hours",
                    f"该培训已记录为{recorded}学时，与本行不同；如需更正请联系管理员",
                )
            )
    report.errors.sort(key=lambda error: (error.row, error.column))
    report.created = len(new)
    if report.errors or dry_run or not new:
        return report
    with transaction.atomic():
        batch = _record_import(
            actor=actor,
            kind=StudyImportKind.OFFLINE,
            file_name=file_name,
            report=report,
            paths=[row.member.organization.path for row in new],
        )
        StudyRecord.objects.bulk_create(
            [
                StudyRecord(
                    member=row.member,
                    source=StudySource.OFFLINE,
                    day=row.day,
                    hours=row.hours,
                    title=row.title,
                    study_import=batch,
                )
                for row in new
            ],
            batch_size=2000,
        )
    return report


def _day(
    table: Table, number: int, raw: Sequence[cells.Cell], today: dt.date, errors: list[RowError]
) -> dt.date | None:
    try:
        day = cells.date_value(table.cell(raw, "day"))
    except cells.CellError as error:
        errors.append(table.error(number, "day", str(error)))
        return None
    if day is None:
        errors.append(table.error(number, "day", "应填写培训日期"))
    elif day > today:
        errors.append(table.error(number, "day", "日期不能晚于今天"))
    elif day.year < 2000:
        errors.append(table.error(number, "day", "日期过早，请核对"))
    else:
        return day
    return None


def _existing_offline(rows: list[_OfflineRow]) -> dict[tuple[int, dt.date, str], Decimal]:
    if not rows:
        return {}
    found = StudyRecord.objects.filter(
        source=StudySource.OFFLINE,
        member_id__in={row.member.pk for row in rows},
        day__in={row.day for row in rows},
    ).values_list("member_id", "day", "title", "hours")
    return {(member_id, day, title): hours for member_id, day, title, hours in found}


def xuexi_points_import(
    *,
    actor: Actor,
    user: Any,
    content: bytes,
    file_name: str,
    year: int,
    dry_run: bool = False,
) -> StudyImportReport:
    """学习强国 points: one line per member with their points for the year (the 年度 column, or
    `year`). A later import replaces a member's points for that year."""
    report = StudyImportReport(kind=StudyImportKind.XUEXI, dry_run=dry_run)
    table = _open(report, content, XUEXI_COLUMNS)
    if table is None:
        return report
    finder = MemberFinder(table, user)
    if problem := finder.check_columns():
        return _file_error(report, problem)
    parsed: list[tuple[int, object, int | None, int | None]] = []
    for number, raw in table.rows:
        key = finder.key(number, raw, report.errors)
        points = _whole_number(table, number, raw, "points", 0, MAX_POINTS, report.errors)
        row_year: int | None = year
        if table.cell(raw, "year") not in (None, ""):
            row_year = _whole_number(table, number, raw, "year", 2000, 2100, report.errors)
        parsed.append((number, key, points, row_year))
    finder.load()
    wanted: dict[tuple[int, int], tuple[int, Member, int]] = {}
    for number, key, points, row_year in parsed:
        member = finder.member(number, key, report.errors) if key is not None else None
        if member is None or points is None or row_year is None:
            continue
        if (member.pk, row_year) in wanted:
            first = wanted[(member.pk, row_year)][0]
            report.errors.append(
                table.error(number, "points", f"与第{first}行重复（同一党员、同一年度）")
            )
            continue
        wanted[(member.pk, row_year)] = (number, member, points)
    current = {
        (row.member_id, row.year): row
        for row in XuexiPoints.objects.filter(
            member_id__in={member_id for member_id, _ in wanted},
            year__in={row_year for _, row_year in wanted},
        )
    }
    new: list[XuexiPoints] = []
    changed: list[XuexiPoints] = []
    for (member_id, row_year), (_, member, points) in wanted.items():
        row = current.get((member_id, row_year))
        if row is None:
            new.append(XuexiPoints(member=member, year=row_year, points=points))
        elif row.points != points:
            row.points = points
            changed.append(row)
        else:
            report.unchanged += 1
    report.errors.sort(key=lambda error: (error.row, error.column))
    report.created, report.updated = len(new), len(changed)
    if report.errors or dry_run or not (new or changed):
        return report
    members = {member_id: member for (member_id, _), (_, member, _) in wanted.items()}
    with transaction.atomic():
        batch = _record_import(
            actor=actor,
            kind=StudyImportKind.XUEXI,
            file_name=file_name,
            report=report,
            paths=[members[row.member_id].organization.path for row in [*new, *changed]],
        )
        now = timezone.now()
        for row in changed:
            row.updated_at = now  # bulk_update does not apply auto_now
        for row in [*new, *changed]:
            row.study_import = batch
        XuexiPoints.objects.bulk_create(new, batch_size=2000)
        XuexiPoints.objects.bulk_update(changed, ["points", "study_import", "updated_at"])
    return report


def _whole_number(
    table: Table,
    number: int,
    raw: Sequence[cells.Cell],
    key: str,
    low: int,
    high: int,
    errors: list[RowError],
) -> int | None:
    cell = table.cell(raw, key)
    text = cells.code_text(cell)
    if not text:
        errors.append(table.error(number, key, "不能为空"))
        return None
    try:
        value = float(text)
    except ValueError:
        errors.append(table.error(number, key, f"“{text}”不是数字"))
        return None
    if not value.is_integer() or not low <= value <= high:
        errors.append(table.error(number, key, f"应为{low}到{high}之间的整数"))
        return None
    return int(value)


def questions_import(
    *,
    actor: Actor,
    organization: Organization,
    content: bytes,
    file_name: str,
    dry_run: bool = False,
) -> StudyImportReport:
    """Questions into `organization`'s bank: 题型, 题干, 选项A…选项H, 答案, 标签, 解析. A question
    already in the bank with the same type and text is left alone."""
    report = StudyImportReport(kind=StudyImportKind.QUESTIONS, dry_run=dry_run)
    table = _open(report, content, QUESTION_COLUMNS)
    if table is None:
        return report
    values: list[QuestionValues] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in table.rows:
        row_values = _question_row(table, number, raw, report.errors)
        if row_values is None:
            continue
        key = (row_values.kind, row_values.text.strip())
        if key in seen:
            report.errors.append(table.error(number, "text", f"与第{seen[key]}行是同一道题"))
            continue
        seen[key] = number
        values.append(row_values)
    existing = set(Question.objects.filter(organization=organization).values_list("kind", "text"))
    new = [v for v in values if (v.kind, v.text.strip()) not in existing]
    report.unchanged = len(values) - len(new)
    report.created = len(new)
    if report.errors or dry_run or not new:
        return report
    with transaction.atomic():
        _record_import(
            actor=actor,
            kind=StudyImportKind.QUESTIONS,
            file_name=file_name,
            report=report,
            paths=[organization.path],
        )
        questions = [question_instance(v, organization, actor) for v in new]
        Question.objects.bulk_create(questions, batch_size=1000)
    return report


def _question_row(
    table: Table, number: int, raw: Sequence[cells.Cell], errors: list[RowError]
) -> QuestionValues | None:
    kind_text = cells.code_text(table.cell(raw, "kind"))
    kind = _KIND_WORDS.get(kind_text)
    if kind is None:
        errors.append(table.error(number, "kind", "题型应为单选题、多选题或判断题"))
        return None
    options = [cells.free_text(table.cell(raw, f"option_{letter}")) for letter in OPTION_LETTERS]
    while options and not options[-1]:
        options.pop()
    if kind == QuestionKind.JUDGE:
        options = []
    try:
        answer = parse_answer(kind, cells.free_text(table.cell(raw, "answer")), len(options))
    except ValueError as error:
        errors.append(table.error(number, "answer", str(error)))
        return None
    values = QuestionValues(
        kind=kind,
        text=cells.free_text(table.cell(raw, "text")),
        options=options,
        answer=answer,
        tags=cells.free_text(table.cell(raw, "tags")),
        explanation=cells.free_text(table.cell(raw, "explanation")),
    )
    problems = check_question(values)
    column_of = {
        "options": "option_A",
        "answer": "answer",
        "text": "text",
        "kind": "kind",
        "tags": "tags",
    }
    for name, reason in problems.items():
        errors.append(table.error(number, column_of.get(name, "text"), reason))
    return None if problems else values

"""Offline training, 学习强国 points and questions from Excel / CSV: every bad row reported as
第N行 [列名] 原因, nothing written then; scope-checked; re-importing writes nothing."""

import io
from decimal import Decimal

import pytest
import xlsxwriter

from chuangxian.learning import figures
from chuangxian.learning.models import Question, StudyImport, StudyRecord, XuexiPoints
from chuangxian.learning.services.imports import (
    offline_training_import,
    questions_import,
    xuexi_points_import,
)
from tests.conftest import TODAY
from tests.learning.conftest import ACTOR

pytestmark = pytest.mark.django_db


def csv_bytes(rows, encoding="utf-8"):  # type: ignore[no-untyped-def]
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode(encoding)


def xlsx_bytes(rows):  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("培训")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def offline(user, content, **kwargs):  # type: ignore[no-untyped-def]
    return offline_training_import(
        actor=ACTOR, user=user, content=content, file_name="t.csv", today=TODAY, **kwargs
    )


def test_offline_import_xlsx_with_banner_and_reimport_is_noop(tree):
    rows = [
        ["2026年线下培训登记表"],
        ["公民身份号码", "培训名称", "日期", "学时"],
        [tree.member_a1.id_number, "党员冬训", "2026-01-15", "全天"],
        [tree.member_a1g.id_number, "党员冬训", "2026年1月15日", "半天"],
        [tree.member_a1.id_number, "党务培训", "20260301", 2.5],
    ]
    report = offline(tree.town_admin, xlsx_bytes(rows))
    assert report.ok, report.error_lines()
    assert report.created == 3
    assert figures.study_hours(tree.member_a1, 2026) == Decimal("10.5")
    assert figures.study_hours(tree.member_a1g, 2026) == Decimal("4.0")
    assert StudyImport.objects.count() == 1

    again = offline(tree.town_admin, xlsx_bytes(rows))
    assert again.ok and again.created == 0 and again.unchanged == 3
    assert StudyRecord.objects.count() == 3
    assert StudyImport.objects.count() == 1


def test_offline_import_by_name_and_org_code_in_gb18030(tree):
    content = csv_bytes(
        [
            ["姓名", "所在党组织编码", "培训名称", "培训日期", "学时"],
            ["王五", "A2", "乡村振兴专题", "2026/6/1", "3小时"],
        ],
        encoding="gb18030",
    )
    report = offline(tree.town_admin, content)
    assert report.ok, report.error_lines()
    assert figures.study_hours(tree.member_a2, 2026) == Decimal("3.0")


def test_every_bad_row_is_reported_and_nothing_written(tree):
    rows = [
        ["公民身份号码", "培训名称", "日期", "学时"],
        [tree.member_a1.id_number, "党员冬训", "2026-01-15", "8"],  # good
        ["110101199003070000", "党员冬训", "2026-01-15", "8"],  # check digit wrong
        [tree.member_a1.id_number, "", "2026-01-15", "8"],  # no title
        [tree.member_a1.id_number, "专题", "2026-02-30", "8"],  # no such day
        [tree.member_a1.id_number, "专题二", "2027-01-01", "8"],  # future
        [tree.member_a1.id_number, "专题三", "2026-03-01", "0"],  # zero hours
        [tree.member_a1.id_number, "专题四", "2026-03-01", "很多"],
        [tree.member_a1.id_number, "党员冬训", "2026-01-15", "8"],  # duplicate of row 2
        [tree.member_b1.id_number, "专题五", "2026-03-01", "4"],  # out of scope
    ]
    report = offline(tree.town_admin, csv_bytes(rows))
    assert not report.ok
    lines = report.error_lines()
    assert any(line.startswith("第3行 [公民身份号码] 校验码错误") for line in lines), lines
    assert "第4行 [培训名称] 应填写培训名称" in lines
    assert any(line.startswith("第5行 [日期]") and "不是真实存在的日期" in line for line in lines)
    assert "第6行 [日期] 日期不能晚于今天" in lines
    assert "第7行 [学时] 学时应大于0" in lines
    assert any(line.startswith("第8行 [学时]") for line in lines)
    assert any(line.startswith("第9行 [培训名称] 与第2行重复") for line in lines)
    assert "第10行 [公民身份号码] 党员库中没有该党员，或不在您的管理范围内" in lines
    assert "未写入任何数据" in report.summary()
    assert not StudyRecord.objects.exists()
    assert not StudyImport.objects.exists()


def test_scope_secretary_may_import_only_their_branch(tree):
    content = csv_bytes(
        [
            ["公民身份号码", "培训名称", "日期", "学时"],
            [tree.member_a2.id_number, "培训", "2026-03-01", "4"],
        ]
    )
    refused = offline(tree.secretary, content)
    assert refused.error_lines() == [
        "第2行 [公民身份号码] 党员库中没有该党员，或不在您的管理范围内"
    ]
    allowed = offline(tree.sibling_secretary, content)
    assert allowed.ok and allowed.created == 1


def test_file_level_errors(tree):
    assert offline(tree.town_admin, b"").error_lines() == ["[文件] 文件是空的"]
    no_header = offline(tree.town_admin, csv_bytes([["甲", "乙"], ["1", "2"]]))
    assert "没有找到表头" in no_header.error_lines()[0]
    no_identity = offline(
        tree.town_admin, csv_bytes([["培训名称", "日期", "学时"], ["培训", "2026-01-01", "4"]])
    )
    assert "公民身份号码" in no_identity.error_lines()[0]
    assert not StudyRecord.objects.exists()


def test_dry_run_writes_nothing(tree):
    content = csv_bytes(
        [
            ["公民身份号码", "培训名称", "日期", "学时"],
            [tree.member_a1.id_number, "培训", "2026-03-01", "4"],
        ]
    )
    report = offline(tree.town_admin, content, dry_run=True)
    assert report.ok and report.created == 1
    assert "试导入" in report.summary()
    assert not StudyRecord.objects.exists()


def test_same_training_with_other_hours_is_refused(tree):
    header = ["公民身份号码", "培训名称", "日期", "学时"]
    offline(
        tree.town_admin, csv_bytes([header, [tree.member_a1.id_number, "培训", "2026-03-01", "4"]])
    )
    changed = offline(
        tree.town_admin, csv_bytes([header, [tree.member_a1.id_number, "培训", "2026-03-01", "8"]])
    )
    assert changed.error_lines()[0].startswith("第2行 [学时] 该培训已记录为4.0学时")
    assert figures.study_hours(tree.member_a1, 2026) == Decimal("4.0")


def test_xuexi_points_are_their_own_record(tree):
    content = csv_bytes(
        [
            ["公民身份号码", "学习积分", "年度"],
            [tree.member_a1.id_number, "5230", ""],
            [tree.member_a2.id_number, "1200", "2025"],
        ]
    )
    report = xuexi_points_import(
        actor=ACTOR, user=tree.town_admin, content=content, file_name="x.csv", year=2026
    )
    assert report.ok, report.error_lines()
    assert figures.xuexi_points(tree.member_a1, 2026) == 5230
    assert figures.xuexi_points(tree.member_a2, 2025) == 1200
    # Points are never hours.
    assert figures.study_hours(tree.member_a1, 2026) == 0

    update = csv_bytes([["公民身份号码", "学习积分"], [tree.member_a1.id_number, "6000"]])
    second = xuexi_points_import(
        actor=ACTOR, user=tree.town_admin, content=update, file_name="x.csv", year=2026
    )
    assert (second.created, second.updated) == (0, 1)
    assert figures.xuexi_points(tree.member_a1, 2026) == 6000

    bad = csv_bytes(
        [
            ["公民身份号码", "学习积分"],
            [tree.member_a1.id_number, "-3"],
            [tree.member_b1.id_number, "100"],
        ]
    )
    refused = xuexi_points_import(
        actor=ACTOR, user=tree.town_admin, content=bad, file_name="x.csv", year=2026
    )
    assert refused.error_lines() == [
        "第2行 [学习积分] 应为0到1000000之间的整数",
        "第3行 [公民身份号码] 党员库中没有该党员，或不在您的管理范围内",
    ]
    assert XuexiPoints.objects.count() == 2
    assert figures.xuexi_points(tree.member_a1, 2026) == 6000


def test_questions_import(tree):
    rows = [
        ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "标签"],
        ["单选题", "党的根本组织原则是", "民主集中制", "集体领导", "", "", "A", "党章"],
        ["多选题", "三会包括", "党员大会", "支委会", "党小组会", "职代会", "ABC", "支部"],
        ["判断题", "预备党员有表决权", "", "", "", "", "错误", ""],
        ["单选题", "答案超出", "甲", "乙", "", "", "D", ""],
        ["多选题", "只有一个答案的多选", "甲", "乙", "", "", "A", ""],
        ["问答题", "不支持", "", "", "", "", "A", ""],
        ["判断题", "标签太长", "", "", "", "", "正确", "、".join(f"标签{i}" for i in range(60))],
    ]
    report = questions_import(
        actor=ACTOR, organization=tree.town_a, content=xlsx_bytes(rows), file_name="q.xlsx"
    )
    assert report.error_lines() == [
        "第5行 [答案] 答案“D”超出了选项范围（共2个选项）",
        "第6行 [答案] 多选题至少有两个正确答案",
        "第7行 [题型] 题型应为单选题、多选题或判断题",
        "第8行 [标签] 标签合计不能超过198个字",
    ]
    assert not Question.objects.exists()
    report = questions_import(
        actor=ACTOR, organization=tree.town_a, content=xlsx_bytes(rows[:4]), file_name="q.xlsx"
    )
    assert report.ok and report.created == 3
    judge = Question.objects.get(kind="judge")
    assert judge.options == ["正确", "错误"] and judge.answer == [1]
    assert Question.objects.get(kind="multiple").answer == [0, 1, 2]
    again = questions_import(
        actor=ACTOR, organization=tree.town_a, content=xlsx_bytes(rows[:4]), file_name="q.xlsx"
    )
    assert again.created == 0 and again.unchanged == 3

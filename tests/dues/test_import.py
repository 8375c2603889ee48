"""Importing payments: every bad row reported as 第N行 [列名] 原因, nothing written on error,
scope through the access layer, warnings that do not block."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from chuangxian.audit.models import AuditEvent
from chuangxian.dues.models import Payment, PaymentMonth, PaymentSource
from chuangxian.dues.services.imports import payments_import
from tests.dues.conftest import ACTOR, TODAY, assess, m, pay

pytestmark = pytest.mark.django_db

HEADER = ["公民身份号码", "姓名", "所在党组织编码", "所属月份", "金额", "缴纳日期", "收据编号"]


def csv_bytes(rows: list[list[object]], *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年党费收缴台账"])  # a banner row above the header
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(content: bytes, user, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    return payments_import(
        actor=ACTOR, user=user, content=content, file_name="dues.csv", today=TODAY, dry_run=dry_run
    )


def test_csv_in_gb18030_with_ranges_and_names(tree) -> None:
    assess(tree.member_a1, "3000")
    a1_id = tree.member_a1.id_number
    content = csv_bytes(
        [
            [a1_id, "", "", "202601-202603", "45", "2026-03-20", "R1"],
            ["", "李四", "A1G1", "2026-04", "15.00", "2026/4/2", ""],
            [a1_id, "", "", "2026年4月", "15元", "20260421", "R2"],
        ],
        encoding="gb18030",
    )
    report = run(content, tree.secretary)
    assert report.ok, report.errors
    assert report.written == 3
    assert report.warnings and "尚未核定" in report.warnings[0].reason  # 李四 not assessed
    assert PaymentMonth.objects.filter(member=tree.member_a1).count() == 4
    payment = Payment.objects.get(receipt_number="R1")
    assert (payment.first_month, payment.last_month, payment.amount) == (
        m("2026-01"),
        m("2026-03"),
        Decimal("45.00"),
    )
    assert payment.source == PaymentSource.IMPORTED
    assert AuditEvent.objects.filter(object_type="payment", action="import").count() == 3


def test_xlsx_with_date_cells_and_numbers(tree) -> None:
    content = xlsx_bytes(
        [
            [
                tree.member_a1.id_number,
                None,
                None,
                dt.datetime(2026, 5, 1),
                15.5,
                dt.datetime(2026, 5, 9),
                None,
            ]
        ]
    )
    report = run(content, tree.secretary)
    assert report.ok, report.errors
    payment = Payment.objects.get()
    assert (payment.first_month, payment.amount, payment.paid_on) == (
        m("2026-05"),
        Decimal("15.50"),
        dt.date(2026, 5, 9),
    )


def test_every_bad_row_is_reported_and_nothing_is_written(tree) -> None:
    pay(tree.member_a1, "2026-01", amount="15.00", paid_on=dt.date(2026, 1, 5), receipt="OLD")
    good = tree.member_a1.id_number
    content = csv_bytes(
        [
            [good, "", "", "202602", "15", "2026-02-05", ""],  # row 2: fine
            [good, "", "", "2026-13", "15", "2026-02-05", ""],  # 3: month
            [good, "", "", "202602", "abc", "2026-02-05", ""],  # 4: amount
            [good, "", "", "202602", "1.005", "2026-02-05", ""],  # 5: three decimals
            [good, "", "", "202602", "15", "2026-12-30", ""],  # 6: future date
            ["430102198001011234", "", "", "202602", "15", "2026-02-05", ""],  # 7: bad check digit
            [tree.member_b1.id_number, "", "", "202602", "15", "2026-02-05", ""],  # 8: other town
            ["", "王五", "A2", "202602", "15", "2026-02-05", ""],  # 9: sibling branch
            [good, "", "", "202601", "15", "2026-01-05", ""],  # 10: same as the existing one
            [good, "", "", "202603", "15", "2026-03-05", "OLD"],  # 11: receipt taken
            [good, "", "", "202602", "15", "2026-02-05", ""],  # 12: same as row 2
            ["", "", "", "202602", "15", "2026-02-05", ""],  # 13: nobody
        ]
    )
    report = run(content, tree.secretary)
    lines = [str(error) for error in report.errors]
    expected = [
        "第3行 [所属月份]",
        "第4行 [金额]",
        "第5行 [金额]",
        "第6行 [缴纳日期] 缴纳日期不能晚于今天",
        "第7行 [公民身份号码] 校验码错误",
        "第8行 [公民身份号码] 没有找到该党员，或该党员不在您的管理范围内",
        "第9行 [姓名] 没有找到该党员，或该党员不在您的管理范围内",
        "第10行 [金额] 与已有的一笔缴费完全相同",
        "第11行 [收据编号]",
        "第12行 [金额] 与第2行完全相同",
        "第13行 [公民身份号码]",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert len(lines) == len(expected)
    assert "未写入任何数据" in report.summary()
    assert Payment.objects.count() == 1  # only the one made before
    assert not AuditEvent.objects.filter(action="import").exists()


def test_missing_columns_and_unreadable_files(tree) -> None:
    report = run("姓名,金额\n张三,15\n".encode(), tree.secretary)
    assert not report.ok
    report = run(b"\x00\x01binary", tree.secretary)
    assert not report.ok and "文件" in report.errors[0].column
    header_only = "公民身份号码,金额,缴纳日期\n".encode()
    report = run(header_only, tree.secretary)
    assert not report.ok and "表头" in report.errors[0].reason


def test_dry_run_writes_nothing(tree) -> None:
    content = csv_bytes([[tree.member_a1.id_number, "", "", "202602", "15", "2026-02-05", ""]])
    report = run(content, tree.secretary, dry_run=True)
    assert report.ok and report.written == 0 and "试导入" in report.summary()
    assert not Payment.objects.exists()


def test_administrator_above_imports_for_the_whole_subtree(tree) -> None:
    content = csv_bytes(
        [
            [tree.member_a1.id_number, "", "", "202602", "15", "2026-02-05", ""],
            [tree.member_a2.id_number, "", "", "202602", "15", "2026-02-05", ""],
        ]
    )
    assert run(content, tree.town_admin).written == 2
    content_b = csv_bytes([[tree.member_a1.id_number, "", "", "202603", "15", "2026-03-05", ""]])
    assert not run(content_b, tree.outsider).ok

"""The dues pages: permission matrix, forms, exports and query counts."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chuangxian.dues.models import DuesSetting, GoodReason, Payment
from tests.dues.conftest import assess, pay

pytestmark = pytest.mark.django_db

# Who may see 张三's dues (A1) and who may record them.
SEE = {
    "county_admin": True,
    "town_admin": True,
    "secretary": True,
    "worker": True,
    "sibling_secretary": False,
    "outsider": False,
    "member_user": True,
}
RECORD = SEE | {"member_user": False}


@pytest.mark.parametrize(("who", "allowed"), SEE.items())
def test_member_page_matrix(client_as, tree, fixed_today, who: str, allowed: bool) -> None:
    response = client_as(who).get(reverse("dues:member", args=[tree.member_a1.pk]))
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize("view", ["dues:setting", "dues:payment_create", "dues:reason_create"])
@pytest.mark.parametrize(("who", "allowed"), RECORD.items())
def test_recording_matrix(client_as, tree, fixed_today, view: str, who: str, allowed: bool) -> None:
    response = client_as(who).get(reverse(view, args=[tree.member_a1.pk]))
    assert response.status_code == (200 if allowed else 404)


def test_anonymous_is_sent_to_login(client, tree) -> None:
    response = client.get(reverse("dues:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("county_admin", True),
        ("town_admin", True),
        ("secretary", True),
        ("sibling_secretary", False),
        ("outsider", False),
        ("member_user", False),
    ],
)
def test_statement_matrix(client_as, tree, fixed_today, who: str, allowed: bool) -> None:
    response = client_as(who).get(reverse("dues:statement", args=[tree.branch_a1.pk]))
    assert response.status_code == (200 if allowed else 404)
    response = client_as(who).get(reverse("dues:flags") + f"?org={tree.branch_a1.pk}")
    assert response.status_code == (200 if allowed else 404)


def test_member_home_shows_outstanding_months(client_as, tree, fixed_today) -> None:
    assess(tree.member_a1, "3000", since="2026-08")
    pay(tree.member_a1, "2026-08", amount="15.00")
    body = client_as("member_user").get(reverse("dues:home")).content.decode()
    assert "我的党费" in body and "2026年9月" in body and "2026年10月" in body
    assert "30.00" in body  # two months of 15.00 outstanding
    assert "2026年8月" not in body.split('id="my-outstanding"')[1].split("</dd>")[0]


def test_setting_form_saves_and_refuses(client_as, tree, fixed_today) -> None:
    client = client_as("secretary")
    url = reverse("dues:setting", args=[tree.member_a1.pk])
    response = client.post(url, {"effective_from": "2026-01", "category": "employed", "base": ""})
    assert response.status_code == 200 and "计算基数" in response.content.decode()
    assert not DuesSetting.objects.exists()
    response = client.post(
        url, {"effective_from": "2026-01", "category": "employed", "base": "5000"}
    )
    assert response.status_code == 302
    assert DuesSetting.objects.get().amount == Decimal("50.00")


def test_payment_form_and_void(client_as, tree, fixed_today) -> None:
    client = client_as("worker")
    url = reverse("dues:payment_create", args=[tree.member_a1.pk])
    response = client.post(
        url,
        {
            "first_month": "2026-01",
            "last_month": "2026-03",
            "amount": "45",
            "paid_on": "2026-03-02",
            "method": "wechat",
        },
        follow=True,
    )
    assert "已登记缴费" in response.content.decode()
    payment = Payment.objects.get()
    assert payment.month_count == 3
    # The sibling branch's secretary cannot void it (404, like a missing payment).
    client.force_login(tree.sibling_secretary)
    void = reverse("dues:payment_void", args=[payment.pk])
    assert client.post(void, {"void_reason": "x"}).status_code == 404
    client.force_login(tree.secretary)
    client.post(void, {"void_reason": "重复录入"})
    payment.refresh_from_db()
    assert payment.voided_at is not None


def test_reason_form(client_as, tree, fixed_today) -> None:
    client = client_as("town_admin")
    url = reverse("dues:reason_create", args=[tree.member_a1.pk])
    response = client.post(
        url, {"applies_to": "both", "starts_on": "2026-03-01", "text": "外出务工，已书面说明"}
    )
    assert response.status_code == 302
    assert GoodReason.objects.get().ends_on is None


def test_import_page_reports_errors_and_member_cannot_open_it(client_as, tree, fixed_today) -> None:
    client = client_as("secretary")
    content = (
        f"公民身份号码,所属月份,金额,缴纳日期\n{tree.member_a1.id_number},202613,15,2026-01-02\n"
    )
    upload = SimpleUploadedFile("dues.csv", content.encode())
    body = client.post(reverse("dues:import"), {"file": upload}).content.decode()
    assert "第2行 [所属月份]" in body and "未写入任何数据" in body
    assert not Payment.objects.exists()
    upload = SimpleUploadedFile("dues.txt", b"hello")
    assert "只接受" in client.post(reverse("dues:import"), {"file": upload}).content.decode()
    assert client.get(reverse("dues:import_template")).status_code == 200
    client.force_login(tree.member_user)
    assert client.get(reverse("dues:import")).status_code == 404


def test_statement_export_is_a_workbook(client_as, tree, fixed_today) -> None:
    assess(tree.member_a1, "3000")
    pay(tree.member_a1, "2026-10", amount="15.00")
    response = client_as("town_admin").get(
        reverse("dues:statement_export", args=[tree.town_a.pk]) + "?month=2026-10"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary = [row for row in book["汇总"].iter_rows(values_only=True) if row and row[0]]
    assert summary[0][0] == "甲镇党委 2026年10月 党费收缴情况"
    total = next(row for row in summary if row[0] == "甲镇党委（合计）")
    assert total[1] == 3 and total[5] == 15.0


def test_statement_page_query_count_is_constant(
    client_as, tree, fixed_today, django_assert_max_num_queries
) -> None:
    from tests.factories import MemberFactory

    client = client_as("town_admin")
    url = reverse("dues:statement", args=[tree.branch_a1.pk])
    client.get(url)  # warm the session
    for _ in range(40):
        member = MemberFactory(organization=tree.branch_a1)
        assess(member, "4000")
        pay(member, "2026-10", amount="40.00")
    with django_assert_max_num_queries(12):
        response = client.get(url + "?month=2026-10")
    assert response.content.decode().count("已交") >= 40


def test_arrears_and_flags_pages_list_the_member(
    client_as, tree, fixed_today, django_assert_max_num_queries
) -> None:
    assess(tree.member_a1, "3000")
    client = client_as("secretary")
    with django_assert_max_num_queries(15):
        body = client.get(reverse("dues:arrears")).content.decode()
    assert "张三" in body and "党章第九条（满6个月）" in body
    body = client.get(reverse("dues:flags")).content.decode()
    assert "张三" in body and "记录正当理由" in body
    assert client.get(reverse("dues:arrears") + "?org=abc").status_code == 404


def test_staff_home_lists_scope_roots(client_as, tree, fixed_today) -> None:
    body = client_as("town_admin").get(reverse("dues:home")).content.decode()
    assert "甲镇党委" in body and "乙镇党委" not in body

"""The pages: permission matrix (owner / superior / sibling / outsider / member / anonymous),
what each role sees, forms refusing bad input in Chinese, and query counts on list pages."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from chuangxian.learning.models import Course, Exam, Question, StudyRecord, StudySource
from chuangxian.learning.services.courses import course_create, material_add
from chuangxian.learning.services.exams import attempt_start
from tests.factories import MemberFactory
from tests.learning.conftest import ACTOR, attend, held_meeting, make_bank, make_exam

pytestmark = pytest.mark.django_db

ROLES = ["county_admin", "town_admin", "secretary", "sibling_secretary", "outsider", "member_user"]


def client_for(tree, role):  # type: ignore[no-untyped-def]
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(tree, role))
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("county_admin", 200),  # superior
        ("town_admin", 200),  # superior
        ("secretary", 200),  # owner
        ("sibling_secretary", 404),
        ("outsider", 404),
        ("member_user", 404),  # a member sees their own ledger, not the branch's
        ("anonymous", 302),
    ],
)
def test_ledger_matrix(tree, role, status):
    client = client_for(tree, role)
    for name in ("learning:ledger", "learning:ledger_export"):
        response = client.get(reverse(name, args=[tree.branch_a1.pk]))
        assert response.status_code == status, (name, role)


def test_ledger_lists_only_members_in_the_viewers_scope(tree):
    """A 党委's 书记 sees the 党委's own ledger (its figures) but not the members of the
    branches below it, whom their scope does not cover — on the page or in the export."""
    import io

    import openpyxl

    from chuangxian.orgs.models import Member, Role
    from tests.factories import make_user

    town_secretary = make_user("town_sec", grants=((tree.town_a, Role.SECRETARY),))
    own = Member.objects.create(
        **{
            f.name: getattr(tree.member_a1, f.name)
            for f in Member._meta.concrete_fields
            if f.name
            not in ("id", "name", "organization", "id_number_hash", "id_number_ciphertext")
        },
        name="镇机关党员",
        organization=tree.town_a,
        id_number_hash="town-member",
        id_number_ciphertext="",
    )
    client = client_for(tree, "town_admin")
    client.force_login(town_secretary)
    page = client.get(reverse("learning:ledger", args=[tree.town_a.pk])).content.decode()
    assert tree.member_a1.name not in page and tree.member_a1g.name not in page
    assert own.name in page
    export = client.get(reverse("learning:ledger_export", args=[tree.town_a.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert tree.member_a1.name not in cells and tree.member_a1g.name not in cells
    # An administrator of the town sees everyone below.
    admin_page = client_for(tree, "town_admin").get(
        reverse("learning:ledger", args=[tree.town_a.pk])
    )
    assert tree.member_a1.name in admin_page.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("county_admin", 200),
        ("town_admin", 200),
        ("secretary", 200),
        ("sibling_secretary", 404),
        ("outsider", 404),
        ("member_user", 200),  # own record
    ],
)
def test_member_ledger_matrix(tree, role, status):
    response = client_for(tree, role).get(
        reverse("learning:member_ledger", args=[tree.member_a1.pk])
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("county_admin", 200),
        ("town_admin", 200),
        ("secretary", 200),  # offered down to the branch
        ("sibling_secretary", 404),  # course of branch A1 is not offered to A2
        ("outsider", 404),
        ("member_user", 200),
    ],
)
def test_course_and_exam_matrix(tree, role, status):
    course = course_create(
        actor=ACTOR, organization=tree.branch_a1, title="课", description="", hours=Decimal(2)
    )
    make_bank(tree.branch_a1, single=1, multiple=0, judge=0)
    exam = make_exam(tree.branch_a1, single=1, multiple=0, judge=0)
    client = client_for(tree, role)
    assert client.get(course.get_absolute_url()).status_code == status
    assert client.get(exam.get_absolute_url()).status_code == status


def test_only_managers_change_things(tree):
    course = course_create(
        actor=ACTOR, organization=tree.town_a, title="课", description="", hours=Decimal(2)
    )
    # The branch secretary sees the town's course but may not add materials to it.
    response = client_for(tree, "secretary").post(
        course.get_absolute_url(), {"title": "x", "url": "https://example.org"}
    )
    assert response.status_code == 404
    # A member may not open staff pages or post staff forms.
    member = client_for(tree, "member_user")
    for name in ("learning:questions", "learning:import_offline", "learning:import_xuexi"):
        assert member.get(reverse(name)).status_code == 404
    assert member.post(reverse("learning:courses"), {"title": "x"}).status_code == 404
    assert member.post(reverse("learning:ledger_sync", args=[tree.branch_a1.pk])).status_code == 404
    assert not course.materials.exists()


def test_attempt_matrix(tree, rng):
    make_bank(tree.branch_a1, single=1, multiple=0, judge=0)
    exam = make_exam(
        tree.branch_a1, single=1, multiple=0, judge=0, opens=timezone.now() - dt.timedelta(hours=1)
    )
    attempt = attempt_start(member=tree.member_a1, exam=exam, now=timezone.now(), rng=rng)
    url = attempt.get_absolute_url()
    assert client_for(tree, "member_user").get(url).status_code == 200
    assert client_for(tree, "secretary").get(url).status_code == 200
    assert client_for(tree, "sibling_secretary").get(url).status_code == 404
    assert client_for(tree, "outsider").get(url).status_code == 404
    # Only the member answers their own paper.
    secretary = client_for(tree, "secretary")
    response = secretary.post(
        reverse("learning:attempt_answer", args=[attempt.pk]), {"position": 1, "q1": 0}
    )
    assert response.status_code == 404


def test_member_home_on_a_phone_shows_hours_courses_exams(tree):
    lecture = held_meeting(tree.branch_a1, when=timezone.now() - dt.timedelta(days=1))
    attend(lecture, tree.member_a1)
    course_create(
        actor=ACTOR, organization=tree.town_a, title="党史学习", description="", hours=Decimal(2)
    )
    make_bank(tree.town_a, single=1, multiple=0, judge=0)
    make_exam(
        tree.town_a,
        single=1,
        multiple=0,
        judge=0,
        opens=timezone.now() - dt.timedelta(hours=1),
        closes=timezone.now() + dt.timedelta(days=1),
    )
    page = client_for(tree, "member_user").get(reverse("learning:home")).content.decode()
    assert "我的学时" in page
    assert "4.0" in page and "/ 32" in page  # attendance derived on the spot
    assert 'role="progressbar"' in page
    assert "党史学习" in page and "党章测试" in page
    assert StudyRecord.objects.filter(source=StudySource.ATTENDANCE).count() == 1


def test_staff_home_and_ledger_query_counts(tree, django_assert_max_num_queries):
    for i in range(30):
        member = MemberFactory(organization=tree.branch_a1)
        StudyRecord.objects.create(
            member=member,
            source=StudySource.OFFLINE,
            day=dt.date(2026, 3, 1),
            hours=Decimal(i % 40 + 1),
            title="培训",
        )
    client = client_for(tree, "town_admin")
    page = client.get(reverse("learning:home")).content.decode()
    assert "学习统计" in page and "甲镇党委" in page
    with django_assert_max_num_queries(20):
        response = client.get(reverse("learning:ledger", args=[tree.town_a.pk]) + "?year=2026")
    assert response.status_code == 200
    assert "甲镇一村党支部" in response.content.decode()
    export = client.get(reverse("learning:ledger_export", args=[tree.town_a.pk]) + "?year=2026")
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    rows = book.get_sheet_by_name("学时台账").to_python()
    assert rows[1][0] == "姓名" and len(rows) == 2 + 33


def test_list_pages_query_counts(tree, django_assert_max_num_queries):
    for i in range(15):
        course_create(
            actor=ACTOR, organization=tree.town_a, title=f"课{i}", description="", hours=Decimal(1)
        )
    make_bank(tree.town_a, single=10, multiple=5, judge=5)
    for _ in range(5):
        make_exam(tree.town_a, single=1, multiple=0, judge=0)
    client = client_for(tree, "town_admin")
    for name in ("learning:courses", "learning:questions", "learning:exams", "learning:plans"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200, name


def test_bad_form_input_is_refused_in_chinese_and_nothing_written(tree):
    client = client_for(tree, "town_admin")
    response = client.post(
        reverse("learning:courses"),
        {"organization": tree.town_a.pk, "title": "课", "hours": "0.3"},
    )
    assert response.status_code == 200
    assert "确保该值大于或等于0.5" in response.content.decode()
    assert not Course.objects.exists()
    response = client.post(
        reverse("learning:questions"),
        {
            "action": "add",
            "organization": tree.town_a.pk,
            "kind": "single",
            "text": "题",
            "options": "甲\n乙",
            "answer": "C",
        },
    )
    assert "超出了选项范围" in response.content.decode()
    assert not Question.objects.exists()
    response = client.post(
        reverse("learning:exams"),
        {
            "organization": tree.town_a.pk,
            "title": "考",
            "opens_at": "2026-11-01T09:00",
            "closes_at": "2026-11-30T09:00",
            "time_limit_minutes": 30,
            "pass_mark": 60,
            "attempt_limit": 1,
            "single_count": 5,
            "multiple_count": 0,
            "judge_count": 0,
        },
    )
    assert "题库中可用的单选题只有0道" in response.content.decode()
    assert not Exam.objects.exists()
    # Outside the scope: an organization the admin does not hold is not a valid choice.
    response = client.post(
        reverse("learning:courses"), {"organization": tree.town_b.pk, "title": "课", "hours": "2"}
    )
    assert "选择一个有效的选项" in response.content.decode()
    assert not Course.objects.exists()


def test_import_page_reports_rows(tree):
    client = client_for(tree, "town_admin")
    content = "公民身份号码,培训名称,日期,学时\n110101199003070000,培训,2026-01-01,4\n".encode()
    upload = io.BytesIO(content)
    upload.name = "t.csv"
    response = client.post(reverse("learning:import_offline"), {"file": upload})
    page = response.content.decode()
    assert "第2行 [公民身份号码]" in page and "未写入任何数据" in page
    assert not StudyRecord.objects.exists()
    template = client.get(reverse("learning:import_template", args=["offline"]))
    assert template.status_code == 200
    assert client.get(reverse("learning:import_template", args=["nope"])).status_code == 404


def test_material_open_records_view_and_serves_link_or_file(tree):
    course = course_create(
        actor=ACTOR, organization=tree.branch_a1, title="课", description="", hours=Decimal(2)
    )
    link = material_add(actor=ACTOR, course=course, title="视频", url="https://example.org/v")
    member = client_for(tree, "member_user")
    response = member.get(reverse("learning:material_open", args=[link.pk]))
    assert response.status_code == 302 and response["Location"] == "https://example.org/v"
    page = member.get(course.get_absolute_url()).content.decode()
    assert "已查看" in page
    response = member.post(reverse("learning:course_complete", args=[course.pk]), follow=True)
    assert "已完成课程，记入2.0学时" in response.content.decode()
    assert (
        client_for(tree, "outsider")
        .get(reverse("learning:material_open", args=[link.pk]))
        .status_code
        == 404
    )

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from chuangxian.audit.services import Actor
from chuangxian.learning.services.hours import study_hours_sync
from chuangxian.orglife.models import MeetingType
from chuangxian.orgs.models import Organization
from chuangxian.orgs.rules import MemberValues
from chuangxian.orgs.services.members import member_create
from chuangxian.reports.build import figures_rebuild, figures_refresh_changed
from chuangxian.reports.catalogue import FIGURES
from chuangxian.reports.models import FigureValue
from tests.factories import MemberFactory, make_id_number, make_org
from tests.learning.conftest import at, attend, held_meeting

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


def _snapshot() -> dict[tuple[int, int, str], int]:
    return {
        (org_id, year, key): value
        for org_id, year, key, value in FigureValue.objects.values_list(
            "organization_id", "year", "key", "value"
        )
    }


def _figure(org: Organization, key: str, year: int | None = None) -> int:
    row = FigureValue.objects.filter(organization=org, year=year or _today().year, key=key).first()
    return row.value if row else 0


@pytest.fixture
def activity(tree):  # type: ignore[no-untyped-def]
    year = _today().year
    lecture = held_meeting(tree.branch_a1, MeetingType.LECTURE, at(year, 3, 10), topic="学党章")
    attend(lecture, tree.member_a1)
    study_hours_sync(year=year)
    tree.member_a2.party_post = "书记"
    tree.member_a2.save()
    return tree


def test_figures_roll_up_the_tree(activity):
    tree = activity
    figures_rebuild(year=_today().year)
    assert _figure(tree.county, "members") == 4
    assert _figure(tree.town_a, "members") == 3
    assert _figure(tree.branch_a1, "members") == 2  # with its 党小组's member
    assert _figure(tree.county, "branches") == 3
    # Only 甲镇二村 has its secretary on the roster.
    assert _figure(tree.county, "no_secretary") == 2
    assert _figure(tree.branch_a2, "no_secretary") == 0
    assert _figure(tree.town_a, "study_members") == 3


def test_incremental_refresh_equals_a_rebuild(activity):
    tree = activity
    year = _today().year
    figures_rebuild(year=year)
    figures_rebuild(year=year - 1)
    # Changes through the services, each recorded in the audit trail.
    member_create(
        actor=Actor(user=tree.town_admin),
        organization=tree.branch_b1,
        values=MemberValues(
            name="钱七",
            gender="男",
            ethnicity="汉族",
            birth_date=dt.date(1980, 1, 1),
            id_number=make_id_number(dt.date(1980, 1, 1), 777),
            joined_on=dt.date(2010, 7, 1),
            category="正式党员",
            party_post="书记",
        ),
        today=_today(),
    )
    new_branch = make_org("A3", parent=tree.town_a, name="甲镇三村党支部")
    MemberFactory(organization=new_branch, name="孙八")
    from chuangxian.audit.models import AuditAction
    from chuangxian.audit.services import audit_record

    audit_record(
        actor=Actor(user=tree.town_admin),
        action=AuditAction.CREATE,
        obj=new_branch,
        org_path=new_branch.path,
    )
    assert figures_refresh_changed(year=year) == 2
    incremental = _snapshot()
    assert _figure(tree.county, "members") == 6
    assert _figure(tree.county, "no_secretary") == 2  # B1 now has one, A3 has none
    figures_rebuild(year=year)
    assert _snapshot() == incremental
    # Nothing changed since: refreshing again does nothing.
    assert figures_refresh_changed(year=year) == 0
    assert _snapshot() == incremental


def test_each_figure_equals_the_list_behind_it(client, activity):
    tree = activity
    year = _today().year
    figures_rebuild(year=year)
    client.force_login(tree.county_admin)
    for org in (tree.county, tree.town_a, tree.branch_a1, tree.branch_b1):
        members = client.get(FIGURES["members"].detail_url(org.pk, year))
        assert members.context["page"].paginator.count == _figure(org, "members"), org
        compliance = client.get(FIGURES["meetings_ok"].detail_url(org.pk, year)).context
        assert compliance["report"].ok == _figure(org, "meetings_ok"), org
        assert compliance["report"].organizations == _figure(org, "meetings_orgs"), org
        ledger = client.get(FIGURES["study_met"].detail_url(org.pk, year)).context
        met = [row for row in ledger["page"].paginator.object_list if row.met]
        assert len(met) == _figure(org, "study_met"), org
        assert ledger["page"].paginator.count == _figure(org, "study_members"), org
        flags = client.get(FIGURES["article9"].detail_url(org.pk, year)).context
        assert len(flags["rows"]) == _figure(org, "article9"), org
        statement = client.get(FIGURES["dues_paid"].detail_url(org.pk, year)).context
        assert statement["total"].paid_members == _figure(org, "dues_paid"), org
        assert statement["total"].owing == _figure(org, "dues_owing"), org


@pytest.mark.parametrize(
    ("who", "org", "status"),
    [
        ("county_admin", "county", 200),
        ("county_admin", "branch_b1", 200),
        ("town_admin", "town_a", 200),
        ("town_admin", "county", 404),
        ("town_admin", "branch_b1", 404),
        ("secretary", "branch_a1", 200),
        ("secretary", "branch_a2", 404),
        ("sibling_secretary", "branch_a1", 404),
        ("outsider", "town_a", 404),
        ("member_user", "branch_a1", 404),
    ],
)
def test_scope_matrix(client, tree, who, org, status):
    client.force_login(getattr(tree, who))
    target = getattr(tree, org)
    assert client.get(f"/reports/{target.pk}/").status_code == status
    export = client.get(f"/reports/{target.pk}/export/coverage/")
    assert export.status_code == status


def test_anonymous_is_sent_to_log_in(client, tree):
    response = client.get(f"/reports/{tree.county.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_shows_children_with_links_and_last_year(client, activity):
    tree = activity
    year = _today().year
    figures_rebuild(year=year)
    figures_rebuild(year=year - 1)
    client.force_login(tree.county_admin)
    body = client.get("/reports/").content.decode()
    assert "某县委" in body
    assert f'href="/reports/{tree.town_a.pk}/?year={year}"' in body
    assert "上年" in body
    assert 'id="chart-coverage-data"' in body
    assert "<script>" not in body  # only external scripts and JSON data blocks


def test_the_page_reads_a_fixed_number_of_queries(client, tree, django_assert_max_num_queries):
    figures_rebuild(year=_today().year)
    client.force_login(tree.county_admin)
    client.get(f"/reports/{tree.county.pk}/")
    for number in range(30):
        make_org(f"A9{number}", parent=tree.town_a, name=f"新支部{number}")
    with django_assert_max_num_queries(14):
        response = client.get(f"/reports/{tree.town_a.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') >= 32 * 4


def test_export_writes_names_as_text(client, tree):
    tree.branch_a1.name = '=HYPERLINK("http://example.invalid","点此")'
    tree.branch_a1.save()
    figures_rebuild(year=_today().year)
    client.force_login(tree.county_admin)
    response = client.get(f"/reports/{tree.town_a.pk}/export/coverage/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert '=HYPERLINK("http://example.invalid","点此")' in names
    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[0].value.startswith("="))
    assert cell.data_type == "s"
    assert sheet.cell(row=2, column=2).value == _figure(tree.town_a, "members")
    assert client.get(f"/reports/{tree.town_a.pk}/export/nothing/").status_code == 404

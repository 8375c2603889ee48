import pytest

from chuangxian.workdays.models import CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db


def test_everyone_on_staff_reads_the_calendar(client, tree):
    client.force_login(tree.secretary)
    page = client.get("/workdays/")
    assert page.status_code == 200
    assert "2026" in page.content.decode()
    year = client.get("/workdays/2026/").content.decode()
    assert "国庆节" in year
    assert "<textarea" not in year


def test_members_and_visitors_do_not(client, tree):
    client.force_login(tree.member_user)
    assert client.get("/workdays/").status_code == 404
    assert client.get("/workdays/2026/").status_code == 404


@pytest.mark.parametrize("who", ["town_admin", "secretary", "outsider"])
def test_only_an_administrator_of_a_root_may_edit(client, tree, who):
    client.force_login(getattr(tree, who))
    response = client.post("/workdays/2027/", {"schedule": "2027-01-01 休 元旦"})
    assert response.status_code == 404
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_root_administrator_enters_next_year(client, tree, settings):
    client.force_login(tree.county_admin)
    page = client.get("/workdays/").content.decode()
    assert "年节假日安排尚未录入" in page
    bad = client.post("/workdays/2027/", {"schedule": "2027-01-01 休 元旦\n2027-02-31 休 错"})
    assert bad.status_code == 200
    assert "第2行 日期不存在" in bad.content.decode()
    assert not SpecialDay.objects.filter(date__year=2027).exists()
    good = client.post("/workdays/2027/", {"schedule": "2027-01-01 休 元旦"})
    assert good.status_code == 302
    assert CalendarYear.objects.get(year=2027).updated_by == tree.county_admin
    assert "county_admin" in client.get("/workdays/").content.decode()


def test_user_text_is_escaped(client, tree):
    client.force_login(tree.county_admin)
    client.post("/workdays/2027/", {"schedule": "2027-01-01 休 <script>x</script>"})
    client.force_login(tree.secretary)
    body = client.get("/workdays/2027/").content.decode()
    assert "<script>x" not in body
    assert "&lt;script&gt;" in body

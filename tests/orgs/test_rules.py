import datetime as dt

from chuangxian.orgs.rules import MemberValues, check_member
from tests.factories import make_id_number

TODAY = dt.date(2026, 11, 22)
BORN = dt.date(1985, 3, 9)


def values(**overrides):
    base = dict(
        name="  张三 ",
        gender="男",
        ethnicity="汉",
        birth_date=BORN,
        id_number=make_id_number(BORN, 7).lower(),
        joined_on=dt.date(2010, 7, 1),
        confirmed_on=dt.date(2011, 7, 1),
        category="正式党员",
        phone="139 1234 5678",
    )
    base.update(overrides)
    return MemberValues(**base)


def test_valid_values_are_normalized():
    v = values()
    assert check_member(v, today=TODAY) == {}
    assert v.name == "张三"
    assert v.ethnicity == "汉族"
    assert v.phone == "13912345678"
    assert v.id_number == v.id_number.upper()


def test_birth_date_filled_from_the_id_number():
    v = values(birth_date=None)
    assert check_member(v, today=TODAY) == {}
    assert v.birth_date == BORN


def test_every_problem_is_reported_at_once():
    v = values(
        name="",
        gender="女",
        ethnicity="火星族",
        birth_date=dt.date(1985, 3, 10),
        phone="123",
        education="博士后",
        category="积极分子",
        joined_on=dt.date(2027, 1, 1),
        confirmed_on=None,
        status="不存在",
    )
    errors = check_member(v, today=TODAY)
    assert set(errors) == {
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "phone",
        "education",
        "category",
        "joined_on",
        "status",
    }
    assert "性别位" in errors["gender"]
    assert "1985-03-09" in errors["birth_date"]


def test_confirmation_rules():
    assert (
        "早于入党日期"
        in check_member(values(confirmed_on=dt.date(2009, 1, 1)), today=TODAY)["confirmed_on"]
    )
    assert "预备党员" in check_member(values(category="预备党员"), today=TODAY)["confirmed_on"]
    assert check_member(values(category="预备党员", confirmed_on=None), today=TODAY) == {}


def test_joining_before_eighteen_refused():
    errors = check_member(values(joined_on=dt.date(2002, 1, 1)), today=TODAY)
    assert "未满18周岁" in errors["joined_on"]

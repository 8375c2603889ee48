import datetime as dt

import pytest
from django.db import connection

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import Actor
from chuangxian.orgs.models import Member, MemberStatus
from chuangxian.orgs.rules import MemberValues
from chuangxian.orgs.services.errors import RosterError
from chuangxian.orgs.services.members import member_create, member_transfer, member_update
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)
BORN = dt.date(1990, 1, 1)


def values(**kw):
    base = dict(
        name="钱七",
        gender="男",
        ethnicity="汉族",
        birth_date=BORN,
        id_number=make_id_number(BORN, 4242),
        joined_on=dt.date(2015, 7, 1),
        confirmed_on=dt.date(2016, 7, 1),
        category="正式党员",
    )
    base.update(kw)
    return MemberValues(**base)


def test_create_encrypts_the_id_number_at_rest(tree):
    v = values()
    member = member_create(
        actor=Actor(user=tree.secretary), organization=tree.branch_a1, values=v, today=TODAY
    )
    assert member.id_number == v.id_number
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM orgs_member WHERE id = %s", [member.pk])
        row = " ".join(str(cell) for cell in cursor.fetchone())
    assert v.id_number not in row
    assert v.id_number[6:14] not in row  # the birth date digits are not left in clear either
    event = AuditEvent.objects.get(object_type="member", action=AuditAction.CREATE)
    assert v.id_number not in str(event.changes)
    assert event.changes["id_number"] == ["***", "***(已修改)"]


def test_duplicate_id_number_refused(tree):
    v = values()
    member_create(actor=Actor(), organization=tree.branch_a1, values=v, today=TODAY)
    with pytest.raises(RosterError, match="已在党员库中"):
        member_create(actor=Actor(), organization=tree.branch_a2, values=values(), today=TODAY)
    assert Member.objects.filter(name="钱七").count() == 1


def test_invalid_member_writes_nothing(tree):
    before = Member.objects.count()
    with pytest.raises(RosterError) as caught:
        member_create(
            actor=Actor(),
            organization=tree.branch_a1,
            values=values(id_number="430102199001011230", phone="12"),
            today=TODAY,
        )
    assert set(caught.value.message_dict) == {"id_number", "phone"}
    assert Member.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_update_records_before_and_after(tree):
    member = tree.member_a1
    v = values(
        name="张三丰",
        id_number=member.id_number,
        birth_date=member.birth_date,
        joined_on=member.joined_on,
        confirmed_on=member.confirmed_on,
        phone="13800000000",
    )
    member_update(actor=Actor(user=tree.secretary), member=member, values=v, today=TODAY)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes["name"] == ["张三", "张三丰"]
    assert "id_number" not in event.changes
    assert event.actor_label == "secretary_a1"


def test_changed_id_number_is_audited_masked(tree):
    member = tree.member_a1
    new_number = make_id_number(member.birth_date, 999)
    v = values(
        id_number=new_number,
        birth_date=member.birth_date,
        joined_on=member.joined_on,
        confirmed_on=member.confirmed_on,
    )
    member_update(actor=Actor(), member=member, values=v, today=TODAY)
    member.refresh_from_db()
    assert member.id_number == new_number
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes["id_number"] == ["***", "***(已修改)"]
    assert new_number not in str(event.changes)


def test_transfer_keeps_history_and_is_seen_by_both_sides(tree):
    member = tree.member_a1
    member_transfer(
        actor=Actor(user=tree.county_admin),
        member=member,
        on=TODAY,
        to_organization=tree.branch_b1,
        reason="工作调动",
        today=TODAY,
    )
    member.refresh_from_db()
    assert member.organization == tree.branch_b1
    history = list(member.transfers.all())
    assert [(t.from_organization, t.to_organization) for t in history] == [
        (tree.branch_a1, tree.branch_b1)
    ]
    paths = set(
        AuditEvent.objects.filter(action=AuditAction.TRANSFER).values_list("org_path", flat=True)
    )
    assert paths == {tree.branch_a1.path, tree.branch_b1.path}


def test_transfer_out_of_the_system(tree):
    member = tree.member_a2
    member_transfer(
        actor=Actor(), member=member, on=TODAY, destination_text="外省某县某村党支部", today=TODAY
    )
    member.refresh_from_db()
    assert member.status == MemberStatus.TRANSFERRED_OUT
    assert member.organization == tree.branch_a2
    with pytest.raises(RosterError, match="不能办理转接"):
        member_transfer(
            actor=Actor(), member=member, on=TODAY, to_organization=tree.branch_b1, today=TODAY
        )


def test_transfer_refusals(tree):
    with pytest.raises(RosterError):
        member_transfer(actor=Actor(), member=tree.member_a1, on=TODAY, today=TODAY)
    with pytest.raises(RosterError):
        member_transfer(
            actor=Actor(),
            member=tree.member_a1,
            on=TODAY + dt.timedelta(days=1),
            to_organization=tree.branch_b1,
            today=TODAY,
        )
    with pytest.raises(RosterError):
        member_transfer(
            actor=Actor(),
            member=tree.member_a1,
            on=TODAY,
            to_organization=tree.branch_a1,
            today=TODAY,
        )
    assert not tree.member_a1.transfers.exists()

import io

import pytest
from python_calamine import CalamineWorkbook

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import SYSTEM, Actor
from chuangxian.orgs.models import Member, MemberCategory, Organization
from chuangxian.roster_io.services.exports import roster_export
from chuangxian.roster_io.services.imports import roster_import
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def sheet(content: bytes, name: str) -> list[list[object]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def test_export_then_import_changes_nothing(tree) -> None:  # type: ignore[no-untyped-def]
    MemberFactory(
        organization=tree.branch_a2,
        name="孙十",
        work_post="某公司（总经理）",
        party_post="组织委员",
        category=MemberCategory.PROBATIONARY,
        confirmed_on=None,
        in_hardship=True,
        phone="",
        education="大学专科",
    )
    content = roster_export(actor=SYSTEM, user=None, org=tree.county)
    before = (Organization.objects.count(), Member.objects.count(), AuditEvent.objects.count())
    report = roster_import(actor=SYSTEM, source=content)
    assert report.ok, report.error_lines()
    assert report.counts.changed == 0
    assert (report.counts.orgs_unchanged, report.counts.members_unchanged) == (7, 5)
    assert (
        Organization.objects.count(),
        Member.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_town_export_reimported_by_the_town_admin_changes_nothing(tree) -> None:  # type: ignore[no-untyped-def]
    content = roster_export(
        actor=Actor(user=tree.town_admin), user=tree.town_admin, org=tree.town_a
    )
    orgs = sheet(content, "党组织")
    assert orgs[0][:3] == ["组织编码", "组织名称", "上级组织编码"]
    assert [row[0] for row in orgs[1:]] == ["A", "A1", "A1G1", "A2"]
    assert orgs[1][2] == "C"  # the subtree's root keeps its parent, so re-import changes nothing
    report = roster_import(actor=SYSTEM, source=content, user=tree.town_admin)
    assert report.ok, report.error_lines()
    assert report.counts.changed == 0 and report.counts.members_unchanged == 3


def test_export_is_audited_and_holds_the_full_id_number_as_text(tree) -> None:  # type: ignore[no-untyped-def]
    content = roster_export(
        actor=Actor(user=tree.secretary), user=tree.secretary, org=tree.branch_a1
    )
    members = sheet(content, "党员")
    assert members[0][4] == "公民身份号码"
    ids = sorted(row[4] for row in members[1:])
    assert ids == sorted([tree.member_a1.id_number, tree.member_a1g.id_number])
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == tree.secretary
    assert event.org_path == tree.branch_a1.path
    assert event.changes == {"organizations": [None, 2], "members": [None, 2]}


def test_worker_export_masks_id_numbers(tree) -> None:  # type: ignore[no-untyped-def]
    content = roster_export(actor=Actor(user=tree.worker), user=tree.worker, org=tree.branch_a1)
    ids = [row[4] for row in sheet(content, "党员")[1:]]
    assert all("********" in number for number in ids)

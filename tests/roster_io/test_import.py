import datetime as dt

import pytest
from django.db import connection

from chuangxian.audit.models import AuditAction, AuditEvent
from chuangxian.audit.services import SYSTEM, Actor
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.models import Member, MemberTransfer, Organization
from chuangxian.roster_io.bulk_insert import indexes_built_after
from chuangxian.roster_io.services import imports
from chuangxian.roster_io.services.imports import roster_import
from tests.factories import make_id_number
from tests.roster_io import files
from tests.roster_io.audit import creation_of

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Organization.objects.count(),
        Member.objects.count(),
        AuditEvent.objects.count(),
        MemberTransfer.objects.count(),
    )


def run(content: bytes, **kwargs):  # type: ignore[no-untyped-def]
    return roster_import(actor=kwargs.pop("actor", SYSTEM), source=content, **kwargs)


def test_new_tree_created_with_paths_even_when_children_come_first(tree) -> None:  # type: ignore[no-untyped-def]
    content = files.xlsx(
        orgs=[
            files.org("N1G", "N1", 组织类别="党小组"),
            files.org("N1", "N", 组织类别="党支部"),
            files.org("N", "A", 组织类别="党总支"),
        ],
        members=[files.member("N1G", 姓名="周七"), files.member("N", 姓名="吴八")],
    )
    report = run(content)
    assert report.ok, report.error_lines()
    assert (report.counts.orgs_created, report.counts.members_created) == (3, 2)
    town, general, branch, group = (
        Organization.objects.get(code=c) for c in ("A", "N", "N1", "N1G")
    )
    assert general.parent == town and branch.parent == general and group.parent == branch
    assert group.path == f"{town.path}{general.pk}/{branch.pk}/{group.pk}/"
    assert (general.depth, branch.depth, group.depth) == (
        town.depth + 1,
        town.depth + 2,
        town.depth + 3,
    )
    assert Organization.objects.filter(path__startswith=town.path).count() == 7
    zhou = Member.objects.get(name="周七")
    assert zhou.organization == group
    assert zhou.birth_date == dt.date(1985, 3, 9)


def test_creates_are_audited_without_the_id_number(tree) -> None:  # type: ignore[no-untyped-def]
    row = files.member("A1", 姓名="周七")
    report = run(files.xlsx(members=[row]))
    assert report.ok
    member = Member.objects.get(name="周七")
    event, entry = creation_of(member)
    assert event.object_type == "member"
    assert event.org_path == tree.branch_a1.path
    assert event.object_label == f"党员 1 名（{tree.branch_a1.name}）"
    assert entry.changes["id_number"] == ["***", "***(已修改)"]
    assert row["公民身份号码"] not in str(event.changes)
    assert member.id_number_hash not in str(event.changes)
    assert entry.changes["name"] == [None, "周七"]
    assert entry.changes["organization"] == [None, "A1"]
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_every_error_reported_with_excel_row_numbers_and_nothing_written(tree) -> None:  # type: ignore[no-untyped-def]
    born = dt.date(1990, 1, 1)
    good_id = make_id_number(born, 7)
    wrong_check = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    dup_id = make_id_number(born, 8)
    members = [
        files.member("A1"),  # row 4: fine
        files.member("A1", 公民身份号码=4.30102199001011e17),  # row 5: number cell
        files.member("A1", 公民身份号码="4.30102199001011E+17"),  # row 6: sci text
        files.member("A1", 公民身份号码=wrong_check, born=born),  # row 7
        files.member("A1", 公民身份号码=dup_id, born=born),  # row 8
        files.member("NOPE"),  # row 9: unknown org
        files.member("A1", 入党日期="2010-02-30"),  # row 10: impossible date
        files.member("A1", 转正日期="2009-07-01"),  # row 11: confirmed before joined
        files.member("A1", 公民身份号码=dup_id, born=born),  # row 12: duplicate of row 8
        files.member("A1", 性别="未知", 手机号码="12345"),  # row 13: two bad cells
    ]
    orgs = [
        files.org("X1", "A"),  # row 4: fine
        files.org("X1", "A"),  # row 5: duplicate code
        files.org("X2", "MISSING"),  # row 6: unknown parent
        files.org("X3", "X4"),  # row 7: cycle
        files.org("X4", "X3"),  # row 8: cycle
        files.org("X5", "A", 组织类别="党小组"),  # row 9: group under 党委
        files.org("X6", "A", 成立日期="2019年2月29日"),  # row 10: impossible date
    ]
    before = counts()
    report = run(files.xlsx(orgs=orgs, members=members, banner_rows=2))
    assert counts() == before
    lines = report.error_lines()
    by_sheet = {(e.sheet, e.row, e.column) for e in report.errors}
    expected_members = {
        (5, "公民身份号码"),
        (6, "公民身份号码"),
        (7, "公民身份号码"),
        (8, "公民身份号码"),
        (9, "所在党组织编码"),
        (10, "入党日期"),
        (11, "转正日期"),
        (12, "公民身份号码"),
        (13, "性别"),
        (13, "手机号码"),
    }
    assert {(r, c) for s, r, c in by_sheet if s == "党员"} == expected_members
    expected_orgs = {
        (4, "组织编码"),
        (5, "组织编码"),
        (6, "上级组织编码"),
        (7, "上级组织编码"),
        (8, "上级组织编码"),
        (9, "组织类别"),
        (10, "成立日期"),
    }
    assert {(r, c) for s, r, c in by_sheet if s == "党组织"} == expected_orgs
    assert (
        "第5行 [公民身份号码] 被Excel存成了数字，后几位已丢失精度；"
        "请把该列设置为“文本”格式后重新录入号码" in lines
    )
    assert any(
        line.startswith("第6行 [公民身份号码] “4.30102199001011E+17”是科学计数法") for line in lines
    )
    assert "第7行 [公民身份号码] 校验码错误，请核对号码是否抄错" in lines
    assert "第8行 [公民身份号码] 公民身份号码在文件中重复：第8行、第12行" in lines
    assert "第12行 [公民身份号码] 公民身份号码在文件中重复：第8行、第12行" in lines
    assert "第9行 [所在党组织编码] 找不到组织编码为“NOPE”的党组织（文件和系统中都没有）" in lines
    assert "第11行 [转正日期] 转正日期早于入党日期" in lines
    assert "第4行 [组织编码] 组织编码重复：第4行、第5行" in lines
    assert "第9行 [组织类别] 党小组只能设在党支部之下" in lines
    assert "第10行 [入党日期] “2010-02-30”不是真实存在的日期" in lines
    assert not report.ok and not report.written


def test_dry_run_counts_but_writes_nothing(tree) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    report = run(
        files.xlsx(orgs=[files.org("X1", "A")], members=[files.member("X1")]), dry_run=True
    )
    assert report.ok
    assert (report.counts.orgs_created, report.counts.members_created) == (1, 1)
    assert counts() == before


def test_reimport_changes_nothing_and_audits_nothing(tree) -> None:  # type: ignore[no-untyped-def]
    content = files.xlsx(
        orgs=[files.org("X1", "A")], members=[files.member("X1"), files.member("A1")]
    )
    assert run(content).ok
    before = counts()
    updated_at = list(Member.objects.order_by("pk").values_list("updated_at", flat=True))
    report = run(content)
    assert report.ok
    assert report.counts.changed == 0
    assert (report.counts.orgs_unchanged, report.counts.members_unchanged) == (1, 2)
    assert counts() == before
    assert list(Member.objects.order_by("pk").values_list("updated_at", flat=True)) == updated_at


def test_changed_row_updates_member_and_is_audited(tree) -> None:  # type: ignore[no-untyped-def]
    row = files.member("A1", 姓名="周七")
    assert run(files.xlsx(members=[row])).ok
    member = Member.objects.get(name="周七")
    changed = dict(row, 手机号码="13900000001", 困难党员="是", 学历="大专")
    events_before = AuditEvent.objects.count()
    report = run(files.xlsx(members=[changed]), actor=Actor(label="测试"))
    assert report.counts.members_updated == 1 and report.counts.members_created == 0
    member.refresh_from_db()
    assert (member.phone, member.in_hardship, member.education) == ("13900000001", True, "大学专科")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(member.pk))
    assert event.changes == {
        "phone": ["13800138000", "13900000001"],
        "education": ["大学本科", "大学专科"],
        "in_hardship": [False, True],
    }
    assert AuditEvent.objects.count() == events_before + 2  # the update and the import summary


def test_moving_a_member_to_another_branch_records_the_transfer(tree) -> None:  # type: ignore[no-untyped-def]
    member = tree.member_a2
    row = files.member(
        "A1",
        姓名=member.name,
        公民身份号码=member.id_number,
        born=member.birth_date,
        手机号码=member.phone,
        入党日期=member.joined_on.isoformat(),
        转正日期=member.confirmed_on.isoformat(),
        学历="",
        工作单位及职务="",
    )
    report = run(files.xlsx(members=[row]), user=tree.town_admin)
    assert report.ok, report.error_lines()
    member.refresh_from_db()
    assert member.organization == tree.branch_a1
    transfer = MemberTransfer.objects.get(member=member)
    assert (transfer.from_organization, transfer.to_organization) == (
        tree.branch_a2,
        tree.branch_a1,
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(member.pk))
    assert event.changes == {"organization": ["A2", "A1"]}


def test_absent_optional_column_keeps_the_current_value(tree) -> None:  # type: ignore[no-untyped-def]
    header = [h for h in files.MEMBER_HEADER if h not in ("手机号码", "工作单位及职务")]
    member = tree.member_a1
    member.work_post = "村委会主任"
    member.save()
    row = files.member(
        "A1",
        姓名=member.name,
        公民身份号码=member.id_number,
        born=member.birth_date,
        入党日期=member.joined_on.isoformat(),
        转正日期=member.confirmed_on.isoformat(),
        学历="",
    )
    report = run(files.xlsx(members=[row], member_header=header))
    assert report.ok and report.counts.changed == 0
    member.refresh_from_db()
    assert member.work_post == "村委会主任"


def test_changing_an_existing_parent_is_refused(tree) -> None:  # type: ignore[no-untyped-def]
    row = files.org("A1", "B", 组织名称=tree.branch_a1.name)
    report = run(files.xlsx(orgs=[row]))
    assert report.error_lines() == [
        "第2行 [上级组织编码] 与系统中的上级组织（A）不一致；"
        "导入不调整组织隶属关系，请在组织树上使用“调整上级”"
    ]


def test_org_update_audited_and_kind_change_checked_against_children(tree) -> None:  # type: ignore[no-untyped-def]
    renamed = files.org("A2", "A", 组织名称="甲镇二村新党支部", 成立日期="")
    report = run(files.xlsx(orgs=[renamed]))
    assert report.ok and report.counts.orgs_updated == 1
    tree.branch_a2.refresh_from_db()
    assert tree.branch_a2.name == "甲镇二村新党支部"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(tree.branch_a2.pk))
    assert event.changes == {"name": ["甲镇二村党支部", "甲镇二村新党支部"]}
    to_general = files.org("A1", "A", 组织名称=tree.branch_a1.name, 组织类别="党总支", 成立日期="")
    assert run(files.xlsx(orgs=[to_general])).error_lines() == [
        "第2行 [组织类别] 下级有党小组（A1G1），不能改为党总支"
    ]


@pytest.mark.parametrize(
    ("org_row", "expected"),
    [
        (files.org("X1", "B"), "第2行 [上级组织编码] 上级组织“B”不在您的管理范围内"),
        (
            files.org("X1", ""),
            "第2行 [上级组织编码] 只有系统管理员可以导入顶级组织，请填写上级组织编码",
        ),
        (files.org("B1", "B", 组织名称="改名"), "第2行 [组织编码] 该组织不在您的管理范围内"),
    ],
)
def test_town_admin_cannot_write_organizations_outside_the_town(tree, org_row, expected) -> None:  # type: ignore[no-untyped-def]
    report = run(files.xlsx(orgs=[org_row]), user=tree.town_admin)
    assert report.error_lines() == [expected]


def test_town_admin_cannot_import_members_outside_the_town(tree) -> None:  # type: ignore[no-untyped-def]
    outsider = tree.member_b1
    existing_elsewhere = files.member(
        "A1", 姓名=outsider.name, 公民身份号码=outsider.id_number, born=outsider.birth_date
    )
    before = counts()
    report = run(
        files.xlsx(members=[files.member("B1"), existing_elsewhere, files.member("A1")]),
        user=tree.town_admin,
    )
    assert counts() == before
    assert report.error_lines() == [
        "第2行 [所在党组织编码] 党组织“B1”不在您的管理范围内",
        "第3行 [公民身份号码] 该党员已在“乙镇一村党支部”（不在您的管理范围内），不能由您导入或修改",
    ]
    # The system (command line without --user) may.
    assert run(files.xlsx(members=[files.member("B1")])).ok


def test_secretary_may_only_write_their_own_branch(tree) -> None:  # type: ignore[no-untyped-def]
    ok = run(files.xlsx(members=[files.member("A1G1")]), user=tree.secretary)
    assert ok.ok, ok.error_lines()
    refused = run(files.xlsx(members=[files.member("A2")]), user=tree.secretary)
    assert refused.error_lines() == ["第2行 [所在党组织编码] 党组织“A2”不在您的管理范围内"]


def test_member_found_again_by_the_hash_of_the_id_number(tree) -> None:  # type: ignore[no-untyped-def]
    number = files.member()["公民身份号码"]
    lowercase = number[:-1] + number[-1].lower()
    assert run(files.xlsx(members=[files.member("A1", 公民身份号码=number)])).ok
    report = run(files.xlsx(members=[files.member("A1", 公民身份号码=lowercase)]))
    assert report.counts.members_created == 0
    assert Member.objects.filter(id_number_hash=fieldcrypto.keyed_hash(number.upper())).count() == 1


def test_csv_imports_members_into_existing_organizations(tree) -> None:  # type: ignore[no-untyped-def]
    content = files.csv_file([files.member("A2", 姓名="钱九")], encoding="gb18030")
    report = run(content)
    assert report.ok, report.error_lines()
    assert Member.objects.get(name="钱九").organization == tree.branch_a2


def test_unreadable_file_is_one_error(tree) -> None:  # type: ignore[no-untyped-def]
    report = run(b"PK\x03\x04 not really a zip")
    assert len(report.errors) == 1 and "无法打开" in report.errors[0].reason


def _member_indexes() -> list[tuple[str, str]]:
    """Member's indexes as the database describes them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, COALESCE(sql, '') FROM sqlite_master"
                " WHERE type = 'index' AND tbl_name = 'orgs_member' ORDER BY name"
            )
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE tablename = 'orgs_member' ORDER BY indexname"
            )
        return list(cursor.fetchall())


@pytest.mark.parametrize("eager", [True, False])
def test_an_import_into_an_empty_roster_leaves_every_index(tree, eager, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Into an empty roster the SQLite importer builds Member's plain index after the rows
    (the unique ID hash keeps checking); the indexes are all there after it, whether it wrote
    or refused (the eager import refuses after writing)."""
    before = _member_indexes()
    assert any("organization_id" in sql for _, sql in before)
    while_writing: list[list[tuple[str, str]]] = []
    copy_rows = imports.copy_rows

    def watching_copy_rows(table, columns, rows):  # type: ignore[no-untyped-def]
        if table == Member._meta.db_table:
            while_writing.append(_member_indexes())
        copy_rows(table, columns, rows)

    monkeypatch.setattr(imports, "copy_rows", watching_copy_rows)
    Member.objects.all().delete()
    rows = [files.member("A1", 姓名=f"空{i}") for i in range(6)]
    refused = run(
        files.xlsx(members=[*rows, files.member("A1", 入党日期="2010-02-30")]), eager=eager
    )
    assert not refused.ok and not Member.objects.exists()
    assert _member_indexes() == before
    report = run(files.xlsx(members=rows), eager=eager)
    assert report.ok and report.counts.members_created == 6, report.error_lines()
    assert _member_indexes() == before
    assert while_writing
    for indexes in while_writing:
        if connection.vendor == "sqlite":
            assert indexes == [(name, sql) for name, sql in before if "organization_id" not in sql]
        else:
            assert indexes == before
    listed = Member.objects.filter(organization=tree.branch_a1, status="在册").order_by("name")
    assert [m.name for m in listed] == [f"空{i}" for i in range(6)]


@pytest.mark.django_db(transaction=True)
def test_indexes_are_only_rebuilt_inside_a_transaction() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its indexes: nothing to check outside a transaction")
    with pytest.raises(RuntimeError, match="transaction"):  # noqa: SIM117
        with indexes_built_after(Member):
            pass

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chuangxian.orgs.models import Member
from tests.roster_io import files

pytestmark = pytest.mark.django_db


def test_import_prints_every_error_and_exits_non_zero(tree, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "roster.xlsx"
    path.write_bytes(
        files.xlsx(
            members=[files.member("NOPE"), files.member("A1", 入党日期="明天")], banner_rows=1
        )
    )
    with pytest.raises(CommandError, match="发现2处错误"):
        call_command("import_roster", str(path))
    out = capsys.readouterr().out
    assert "第3行 [所在党组织编码] 找不到组织编码为“NOPE”的党组织（文件和系统中都没有）" in out
    assert "第4行 [入党日期] “明天”不是可识别的日期（如 2020-07-01、2020年7月1日、202007）" in out
    assert Member.objects.count() == 4


def test_import_dry_run_then_for_real(tree, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "roster.csv"
    path.write_bytes(files.csv_file([files.member("A1", 姓名="郑十一")]))
    call_command("import_roster", str(path), "--dry-run")
    assert "试导入" in capsys.readouterr().out
    assert not Member.objects.filter(name="郑十一").exists()
    call_command("import_roster", str(path), "--user", "town_admin")
    assert Member.objects.filter(name="郑十一").exists()


def test_import_as_user_outside_scope_fails(tree, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "roster.csv"
    path.write_bytes(files.csv_file([files.member("B1")]))
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--user", "town_admin")


def test_export_then_import_reports_no_change(tree, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "out.xlsx"
    call_command("export_roster", "--org", "A", "--user", "town_admin", str(path))
    call_command("import_roster", str(path), "--user", "town_admin")
    out = capsys.readouterr().out
    assert "党员已新增0名、已更新0名、未变3名" in out


def test_export_refuses_an_organization_outside_the_users_scope(tree, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="没有找到组织编码"):
        call_command(
            "export_roster", "--org", "B", "--user", "town_admin", str(tmp_path / "x.xlsx")
        )

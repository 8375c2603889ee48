import pytest
from django.core.management import CommandError, call_command

from chuangxian.orgs import access
from chuangxian.orgs.models import Organization, User

pytestmark = pytest.mark.django_db


def test_create_admin_bootstraps_an_installation(capsys):
    call_command(
        "create_admin",
        "--org-code",
        "4301",
        "--org-name",
        "某县委",
        "--username",
        "boss",
        "--password",
        "Strong2026pw",
    )
    org = Organization.objects.get(code="4301")
    user = User.objects.get(username="boss")
    assert org.path == f"/{org.pk}/"
    assert access.can_manage_organization(user, org)
    assert "已创建管理员 boss" in capsys.readouterr().out


def test_create_admin_refuses_weak_password_and_writes_nothing():
    with pytest.raises(CommandError, match="password"):
        call_command(
            "create_admin",
            "--org-code",
            "4301",
            "--org-name",
            "某县委",
            "--username",
            "boss",
            "--password",
            "123",
        )
    assert not Organization.objects.exists()
    assert not User.objects.exists()

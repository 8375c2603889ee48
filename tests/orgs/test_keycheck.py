import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from chuangxian import environment
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.apps import check_field_key
from chuangxian.orgs.keycheck import field_key_problem, record_field_key, refuse_wrong_field_key
from chuangxian.orgs.models import FieldKeyCheck, Member
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db


def a_member() -> Member:
    return MemberFactory(organization=make_org("K1"))


def test_the_key_in_force_passes_and_its_fingerprint_was_recorded_by_the_migration() -> None:
    a_member()
    assert FieldKeyCheck.objects.get().fingerprint == fieldcrypto.fingerprint()
    assert field_key_problem() is None
    assert check_field_key() == []
    refuse_wrong_field_key()


def test_a_different_key_is_refused_at_start(settings) -> None:  # type: ignore[no-untyped-def]
    a_member()
    settings.FIELD_ENCRYPTION_KEY = "a key generated over existing data"
    assert "字段加密密钥与数据库中的数据不符" in (field_key_problem() or "")
    with pytest.raises(ImproperlyConfigured, match="不会用新密钥覆盖已有数据"):
        refuse_wrong_field_key()
    with pytest.raises(SystemCheckError, match=r"chuangxian\.E001"):
        call_command("check")


def test_a_missing_key_is_refused_and_a_generated_one_named(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a_member()
    settings.FIELD_ENCRYPTION_KEY = ""
    assert "缺少字段加密密钥" in (field_key_problem() or "")
    settings.FIELD_ENCRYPTION_KEY = "freshly generated"
    monkeypatch.setattr(environment, "GENERATED", {"field_key"})
    assert "是这次启动时新生成的" in (field_key_problem() or "")


def test_without_a_recorded_fingerprint_a_stored_ciphertext_decides(settings) -> None:  # type: ignore[no-untyped-def]
    FieldKeyCheck.objects.all().delete()
    assert field_key_problem() is None  # nothing encrypted yet: any key will do
    a_member()
    assert field_key_problem() is None
    settings.FIELD_ENCRYPTION_KEY = "another"
    assert "无法解密已存的公民身份号码" in (field_key_problem() or "")


def test_switching_the_algorithm_without_rotating_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    a_member()
    settings.FIELD_CRYPTO_ALGORITHM = fieldcrypto.SM
    assert "rotate_field_key" in (field_key_problem() or "")
    record_field_key()
    # The recorded fingerprint now says SM; the stored ciphertext still reads (it names AES).
    assert field_key_problem() is None
    assert Member.objects.get().id_number


def test_a_missing_key_file_is_not_created_next_to_an_existing_database(
    tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CHUANGXIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CHUANGXIAN_FIELD_KEY", raising=False)
    assert not environment.embedded_database_has_data()
    (tmp_path / "chuangxian.sqlite3").write_bytes(b"SQLite format 3\0")
    assert environment.embedded_database_has_data()
    create = not environment.embedded_database_has_data()
    assert (
        environment.secret_from_env_or_file("CHUANGXIAN_FIELD_KEY", "field_key", create=create)
        == ""
    )
    assert not (tmp_path / "field_key").exists()

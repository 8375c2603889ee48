import io
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import SYSTEM, audit_record
from chuangxian.operations import sealed
from chuangxian.operations.backup import (
    BackupError,
    backup_create,
    backup_opened,
    restore_postgresql,
    restore_sqlite,
)

PASSPHRASE = "长效机制-backup-2026"


def _fill(tree: Any) -> None:
    """Something in most kinds of table: the tree, accounts, members, audit."""
    audit_record(actor=SYSTEM, action=AuditAction.UPDATE, object_type="t", changes={"a": [1, 2]})


def _tables_of(cursor: Any, names: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    quote = connection.ops.quote_name
    rows = {}
    for name in names:
        cursor.execute(f"SELECT * FROM {quote(name)}")  # noqa: S608
        rows[name] = sorted(cursor.fetchall(), key=repr)
    return rows


def _sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [name for (name,) in cursor.fetchall()]


@pytest.fixture
def target(tmp_path: Path) -> dict[str, Path]:
    data_dir = tmp_path / "restored"
    data_dir.mkdir()
    return {
        "database": data_dir / "chuangxian.sqlite3",
        "data_dir": data_dir,
        "media_root": data_dir / "media",
    }


def _media(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    (media / "uploads").mkdir(parents=True)
    (media / "uploads" / "会议纪要.pdf").write_bytes(b"%PDF-1.4 minutes")
    return media


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite round trip")
@pytest.mark.django_db(transaction=True)
def test_sqlite_round_trip_keeps_every_row_of_every_table(tree, tmp_path, target) -> None:  # type: ignore[no-untyped-def]
    _fill(tree)
    path = tmp_path / "chuangxian.backup"
    summary = backup_create(path=path, passphrase=PASSPHRASE, media_root=_media(tmp_path))
    assert summary.vendor == "sqlite" and path.stat().st_mode & 0o777 == 0o600
    # Sealed: neither a name nor the key is readable in the file.
    content = path.read_bytes()
    assert "张三".encode() not in content and settings.FIELD_ENCRYPTION_KEY.encode() not in content
    with backup_opened(path, PASSPHRASE) as unpacked:
        restore_sqlite(unpacked, force=False, **target)
    with connection.cursor() as cursor:
        names = _sqlite_tables(cursor)
        original = _tables_of(cursor, names)
    # Read as Django reads (its converters: datetimes, decimals, booleans).
    restored_db = sqlite3.connect(
        target["database"], detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
    )
    try:
        assert _sqlite_tables(restored_db.cursor()) == names
        assert _tables_of(restored_db.cursor(), names) == original
    finally:
        restored_db.close()
    assert "orgs_member" in names and original["orgs_member"]
    assert (target["data_dir"] / "field_key").read_text().strip() == settings.FIELD_ENCRYPTION_KEY
    assert (target["data_dir"] / "secret_key").read_text().strip() == settings.SECRET_KEY
    assert (target["media_root"] / "uploads" / "会议纪要.pdf").read_bytes() == b"%PDF-1.4 minutes"


@pytest.mark.django_db(transaction=True)
def test_a_wrong_passphrase_is_refused_and_nothing_changes(tree, tmp_path, target) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "b.backup"
    backup_create(path=path, passphrase=PASSPHRASE, media_root=tmp_path / "none")
    (target["data_dir"] / "field_key").write_text("the key already here\n")
    before = sorted(p.name for p in target["data_dir"].iterdir())
    with (
        pytest.raises(BackupError, match=r"备份口令不正确.*没有做任何改动"),
        backup_opened(path, "not the passphrase") as unpacked,
    ):
        restore_sqlite(unpacked, force=False, **target)  # pragma: no cover
    assert sorted(p.name for p in target["data_dir"].iterdir()) == before
    assert (target["data_dir"] / "field_key").read_text() == "the key already here\n"


@pytest.mark.django_db(transaction=True)
def test_a_damaged_or_cut_file_is_refused(tree, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "b.backup"
    backup_create(path=path, passphrase=PASSPHRASE, media_root=tmp_path / "none")
    content = path.read_bytes()
    cut = tmp_path / "cut.backup"
    cut.write_bytes(content[: len(content) - 100])
    with pytest.raises(BackupError, match=r"截断|损坏"), backup_opened(cut, PASSPHRASE):
        pass  # pragma: no cover
    flipped = bytearray(content)
    flipped[-50] ^= 1
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(bytes(flipped))
    with pytest.raises(BackupError, match="损坏"), backup_opened(damaged, PASSPHRASE):
        pass  # pragma: no cover


def test_the_sealed_stream_spans_chunks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(sealed.CHUNK * 2 + 123)
    path = tmp_path / "s"
    with path.open("wb") as handle:
        writer = sealed.SealedWriter(handle, "passphrase long enough")
        writer.write(data[:10])
        writer.write(data[10:])
        writer.close()
    with path.open("rb") as handle:
        assert sealed.SealedReader(handle, "passphrase long enough").read() == data
    # Dropping a whole middle chunk is found too.
    raw = path.read_bytes()
    header_end = raw.index(b"\n", len(sealed.MAGIC)) + 1
    first = int.from_bytes(raw[header_end : header_end + 4], "big") + 4
    second = int.from_bytes(raw[header_end + first : header_end + first + 4], "big") + 4
    path.write_bytes(raw[: header_end + first] + raw[header_end + first + second :])
    with path.open("rb") as handle, pytest.raises(sealed.SealError, match="第 2 段"):
        sealed.SealedReader(handle, "passphrase long enough").read()


@pytest.mark.django_db(transaction=True)
def test_a_target_with_data_needs_force(tree, tmp_path, target) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "b.backup"
    backup_create(path=path, passphrase=PASSPHRASE, media_root=tmp_path / "none")
    with sqlite3.connect(target["database"]) as other:
        other.execute("CREATE TABLE precious (x)")
    with backup_opened(path, PASSPHRASE) as unpacked:
        if unpacked.manifest["vendor"] == "sqlite":
            with pytest.raises(BackupError, match="--force"):
                restore_sqlite(unpacked, force=False, **target)
            restore_sqlite(unpacked, force=True, **target)
            with sqlite3.connect(target["database"]) as restored:
                tables = {n for (n,) in restored.execute("SELECT name FROM sqlite_master")}
            assert "precious" not in tables and "orgs_member" in tables
        else:
            with pytest.raises(BackupError, match="不能恢复到 SQLite"):
                restore_sqlite(unpacked, force=True, **target)


@pytest.mark.django_db(transaction=True)
def test_an_environment_key_that_differs_is_refused(tree, tmp_path, target, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "b.backup"
    backup_create(path=path, passphrase=PASSPHRASE, media_root=tmp_path / "none")
    monkeypatch.setenv("CHUANGXIAN_FIELD_KEY", "some other key")
    with backup_opened(path, PASSPHRASE) as unpacked:
        restore = restore_sqlite if unpacked.manifest["vendor"] == "sqlite" else restore_postgresql
        with pytest.raises(BackupError, match="CHUANGXIAN_FIELD_KEY 与备份中的密钥不同"):
            restore(
                unpacked,
                force=True,
                database=target["database"]
                if restore is restore_sqlite
                else {**connection.settings_dict, "NAME": "not_reached"},
                data_dir=target["data_dir"],
                media_root=target["media_root"],
            )
    assert not target["database"].exists()


@pytest.mark.django_db(transaction=True)
def test_the_commands(tree, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CHUANGXIAN_BACKUP_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "c.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    assert path.exists()
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", str(path))
    if connection.vendor == "sqlite":  # the test database is in memory
        with pytest.raises(CommandError, match="内存"):
            call_command("restore", str(path))
    else:  # the test database holds data: restoring over it needs --force
        with pytest.raises(CommandError, match="--force"):
            call_command("restore", str(path))
        monkeypatch.setenv("CHUANGXIAN_BACKUP_PASSPHRASE", "a wrong passphrase")
        with pytest.raises(CommandError, match="备份口令不正确"):
            call_command("restore", str(path))
    monkeypatch.setenv("CHUANGXIAN_BACKUP_PASSPHRASE", "short")
    with pytest.raises(CommandError, match="至少 12 个字符"):
        call_command("backup", str(tmp_path / "d.backup"))


def _pg_connect(database: dict[str, Any], name: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        dbname=name,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        autocommit=True,
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL round trip")
@pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="pg_dump and pg_restore (PostgreSQL client tools) are not on PATH",
)
@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip_keeps_every_row_of_every_table(tree, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _fill(tree)
    path = tmp_path / "pg.backup"
    backup_create(path=path, passphrase=PASSPHRASE, media_root=_media(tmp_path))
    database = dict(connection.settings_dict)
    copy_name = f"{database['NAME']}_restored"
    with _pg_connect(database, "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copy_name}"')
        admin.execute(f'CREATE DATABASE "{copy_name}"')
    try:
        data_dir = tmp_path / "restored"
        data_dir.mkdir()
        with backup_opened(path, PASSPHRASE) as unpacked:
            restore_postgresql(
                unpacked,
                database={**database, "NAME": copy_name},
                data_dir=data_dir,
                media_root=data_dir / "media",
                force=False,
            )
            with pytest.raises(BackupError, match="--force"):
                restore_postgresql(
                    unpacked,
                    database={**database, "NAME": copy_name},
                    data_dir=data_dir,
                    media_root=data_dir / "media",
                    force=False,
                )
        names = connection.introspection.table_names()
        # Both read the same way (one driver, no Django loaders).
        with _pg_connect(database, database["NAME"]) as source:
            original = _tables_of(source.cursor(), names)
        with _pg_connect(database, copy_name) as restored:
            assert _tables_of(restored.cursor(), names) == original
        assert original["orgs_member"] and original["audit_auditevent"]
        assert (data_dir / "field_key").read_text().strip() == settings.FIELD_ENCRYPTION_KEY
        assert (data_dir / "media" / "uploads" / "会议纪要.pdf").exists()
    finally:
        with _pg_connect(database, "postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy_name}"')

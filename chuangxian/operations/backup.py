"""Backup and restore: a consistent snapshot of the database with the key material and the
uploaded files, sealed with a passphrase (sealed.py), and its restore into an empty data
directory or database.

The sealed content is a tar stream of `manifest.json` (what was backed up, from where, and the
two keys with where each came from), the database (`database.sqlite3`: SQLite's online backup
API, a consistent copy while the application keeps running; `database.pgdump`: `pg_dump
--format=custom`, one snapshot transaction) and `media/` (uploaded files).

A restore decrypts and unpacks the whole file into a temporary directory first: a wrong
passphrase or a damaged file is refused before anything is touched. It refuses a target that
holds data (a database with tables, or uploaded files) unless forced, a backup of the other
database kind, and an environment variable that would override a restored key with another.
"""

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from chuangxian.operations.sealed import SealedReader, SealedWriter, SealError

FORMAT = "chuangxian-backup"
MINIMUM_PASSPHRASE = 12
# The two secrets: their setting, environment variable and file in the data directory.
KEYS = (
    ("SECRET_KEY", "SECRET_KEY", "secret_key"),
    ("FIELD_ENCRYPTION_KEY", "CHUANGXIAN_FIELD_KEY", "field_key"),
)


class BackupError(Exception):
    """A message for the operator, in Chinese."""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：PostgreSQL 数据库的备份和恢复需要 PostgreSQL 客户端工具"
            "（Debian/Ubuntu：postgresql-client，版本不低于服务器），请安装后再试"
        )
    return path


def _pg_environment(database: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def _run(command: list[str], database: dict[str, Any]) -> None:
    done = subprocess.run(  # noqa: S603 (a fixed tool with arguments from the settings)
        command, env=_pg_environment(database), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{done.stderr.strip()[-2000:]}")


def _snapshot(using: str, target: Path) -> str:
    """The database's consistent snapshot at `target`; returns its file name in the backup."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:
            # The copy would wait for this very connection's own transaction to end.
            raise BackupError("不能在事务中备份 SQLite 数据库")
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        return "database.sqlite3"
    if connection.vendor == "postgresql":
        database = connection.settings_dict
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                str(database["NAME"]),
            ],
            database,
        )
        return "database.pgdump"
    raise BackupError(f"不支持备份 {connection.vendor} 数据库")


def _key_sources() -> dict[str, Any]:
    keys = {setting: getattr(settings, setting) for setting, _, _ in KEYS}
    sources = {setting: "env" if os.environ.get(env) else "file" for setting, env, _ in KEYS}
    return {
        "keys": keys,
        "key_sources": sources,
        "field_crypto_algorithm": getattr(settings, "FIELD_CRYPTO_ALGORITHM", "aes"),
    }


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    vendor: str
    size: int
    key_sources: dict[str, str]


def backup_create(
    *, path: Path, passphrase: str, using: str = "default", media_root: Path | None = None
) -> BackupSummary:
    """Write a sealed backup to `path` (a new file; written beside it and renamed at the
    end, so a failed backup leaves nothing)."""
    if len(passphrase) < MINIMUM_PASSPHRASE:
        raise BackupError(f"备份口令至少 {MINIMUM_PASSPHRASE} 个字符")
    if path.exists():
        raise BackupError(f"文件 {path} 已存在，不会覆盖")
    media = Path(settings.MEDIA_ROOT) if media_root is None else media_root
    vendor = connections[using].vendor
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="chuangxian-backup-") as work:
        snapshot = Path(work) / "database"
        database_name = _snapshot(using, snapshot)
        manifest = {
            "format": FORMAT,
            "version": 1,
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "database": database_name,
            "media": media.is_dir(),
            **_key_sources(),
        }
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                sealed = SealedWriter(handle, passphrase)
                with tarfile.open(fileobj=sealed, mode="w|") as archive:  # type: ignore[call-overload]
                    text = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                    info = tarfile.TarInfo("manifest.json")
                    info.size, info.mtime = len(text), int(dt.datetime.now().timestamp())
                    archive.addfile(info, io.BytesIO(text))
                    archive.add(snapshot, arcname=database_name)
                    if media.is_dir():
                        archive.add(media, arcname="media")
                sealed.close()
                handle.flush()
                os.fsync(handle.fileno())
            partial.rename(path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupSummary(path, vendor, path.stat().st_size, manifest["key_sources"])


@dataclass(frozen=True)
class Unpacked:
    """A backup decrypted into a temporary directory."""

    root: Path
    manifest: dict[str, Any]

    @property
    def database(self) -> Path:
        return self.root / str(self.manifest["database"])

    @property
    def media(self) -> Path | None:
        media = self.root / "media"
        return media if media.is_dir() else None


@contextmanager
def backup_opened(path: Path, passphrase: str) -> Iterator[Unpacked]:
    """The backup at `path` decrypted and unpacked into a temporary directory (removed after
    the block); any wrong passphrase or damage raises BackupError before the block runs."""
    with tempfile.TemporaryDirectory(prefix="chuangxian-restore-") as work, path.open("rb") as f:
        root = Path(work)
        try:
            reader = SealedReader(f, passphrase)
            reader.check_first_chunk()
            with tarfile.open(fileobj=reader, mode="r|") as archive:  # type: ignore[call-overload]
                archive.extractall(root, filter="data")
        except SealError as error:
            raise BackupError(f"{error}；没有做任何改动")
        except tarfile.TarError as error:
            raise BackupError(f"备份文件内容已损坏（{error}）；没有做任何改动")
        try:
            manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise BackupError("备份文件中没有清单（manifest.json）；没有做任何改动")
        if manifest.get("format") != FORMAT or not (root / str(manifest["database"])).exists():
            raise BackupError("备份文件不完整；没有做任何改动")
        yield Unpacked(root, manifest)


def _sqlite_has_data(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with sqlite3.connect(path) as probe:
        tables = probe.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
        return bool(tables.fetchone()[0])


def _check_keys(unpacked: Unpacked, data_dir: Path) -> list[str]:
    """Refuse keys the environment would override with others; returns notes for the
    operator. (Key files in the data directory are replaced: the target holds no data they
    protect, or the restore was forced.)"""
    notes = []
    keys = unpacked.manifest["keys"]
    for setting, env, file_name in KEYS:
        value = os.environ.get(env)
        if value and value != keys[setting]:
            raise BackupError(
                f"环境变量 {env} 与备份中的密钥不同：请改为备份时的值（或不设置它，"
                f"由恢复写入数据目录的 {file_name}）；没有做任何改动"
            )
        if unpacked.manifest["key_sources"][setting] == "env" and not value:
            notes.append(
                f"备份时 {setting} 来自环境变量 {env}；现已写入数据目录的 {file_name}"
                f"（也可改为设置 {env} 后删除该文件）"
            )
    return notes


def _write_secret(path: Path, value: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    partial.replace(path)


def _restore_files(unpacked: Unpacked, data_dir: Path, media_root: Path) -> None:
    for setting, _, file_name in KEYS:
        _write_secret(data_dir / file_name, unpacked.manifest["keys"][setting])
    if media_root.exists():
        shutil.rmtree(media_root)
    if unpacked.media is not None:
        shutil.copytree(unpacked.media, media_root)


def _media_has_files(media_root: Path) -> bool:
    return media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*"))


@dataclass(frozen=True)
class RestoreSummary:
    created_at: str
    vendor: str
    notes: list[str]


def restore_sqlite(
    unpacked: Unpacked, *, database: Path, data_dir: Path, media_root: Path, force: bool
) -> RestoreSummary:
    """Put an unpacked SQLite backup in place: the database file, the keys, the uploads."""
    if unpacked.manifest["vendor"] != "sqlite":
        raise BackupError("这是 PostgreSQL 数据库的备份，不能恢复到 SQLite；没有做任何改动")
    notes = _check_keys(unpacked, data_dir)
    if not force and (_sqlite_has_data(database) or _media_has_files(media_root)):
        raise BackupError(
            f"目标不是空的（{database} 中已有数据表或已有上传文件）：恢复会覆盖它，"
            "请确认后加 --force；没有做任何改动"
        )
    database.parent.mkdir(parents=True, exist_ok=True)
    staged = database.with_name(database.name + ".restoring")
    shutil.copyfile(unpacked.database, staged)
    with staged.open("rb") as handle:
        os.fsync(handle.fileno())
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    staged.replace(database)
    _restore_files(unpacked, data_dir, media_root)
    return RestoreSummary(unpacked.manifest["created_at"], "sqlite", notes)


def _postgresql_has_tables(database: dict[str, Any]) -> bool:
    import psycopg

    with psycopg.connect(
        dbname=database["NAME"],
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
    ) as probe:
        found = probe.execute(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        return bool(found and found[0])


def restore_postgresql(
    unpacked: Unpacked,
    *,
    database: dict[str, Any],
    data_dir: Path,
    media_root: Path,
    force: bool,
) -> RestoreSummary:
    """pg_restore an unpacked PostgreSQL backup into `database` in one transaction, then the
    keys and the uploads."""
    if unpacked.manifest["vendor"] != "postgresql":
        raise BackupError("这是 SQLite 数据库的备份，不能恢复到 PostgreSQL；没有做任何改动")
    notes = _check_keys(unpacked, data_dir)
    pg_restore = _tool("pg_restore")
    has_data = _postgresql_has_tables(database) or _media_has_files(media_root)
    if has_data and not force:
        raise BackupError(
            f"目标数据库 {database['NAME']} 不是空的（已有数据表或上传文件）：恢复会覆盖它，"
            "请确认后加 --force；没有做任何改动"
        )
    command = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={database['NAME']}",
    ]
    if has_data:
        command += ["--clean", "--if-exists"]
    _run([*command, str(unpacked.database)], database)
    _restore_files(unpacked, data_dir, media_root)
    return RestoreSummary(unpacked.manifest["created_at"], "postgresql", notes)

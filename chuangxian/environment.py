"""Reading the deployment's configuration from the environment and the data directory.

Settings come from environment variables only. For the embedded (laptop) default the two
secrets are generated once and kept in the data directory, so that a fresh install needs no
set-up and a restart keeps sessions and encrypted ID numbers readable.
"""

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    path = Path(os.environ.get("CHUANGXIAN_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} 应是整数，现在是“{value}”") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# The secret files this process created (a missing key file next to existing data is named
# in the start-up check's message).
GENERATED: set[str] = set()


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ValueError(f"{name} 只能是 {'、'.join(choices)}，现在是“{value}”")
    return value


def embedded_database_has_data() -> bool:
    """Whether the embedded SQLite database (no DATABASE_URL) already exists with content."""
    if os.environ.get("DATABASE_URL"):
        return False
    path = data_dir() / "chuangxian.sqlite3"
    return path.exists() and path.stat().st_size > 0


def secret_from_env_or_file(env_name: str, file_name: str, *, create: bool = True) -> str:
    """The secret in `env_name`, else the one kept in the data dir (created on first use; with
    `create` false a missing file gives "", for the start-up check to refuse)."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = data_dir() / file_name
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    if not create:
        return ""
    GENERATED.add(file_name)
    value = secrets.token_urlsafe(48)
    # Written to a private temporary file and linked into place, so that two processes
    # starting at once on a new data directory (the web server and the worker, or parallel
    # test workers) agree on one secret: the loser of the race reads the winner's, and nobody
    # ever reads a half-written file. Readable by the owner only: losing or leaking this
    # file loses or leaks the data it protects.
    temporary = path.with_name(f".{file_name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
    finally:
        temporary.unlink(missing_ok=True)
    return value

"""The PostgreSQL databases the benchmarks seed: found or created, never hanging.

A database whose name ends in the benchmark's scratch suffix is the benchmark's own and may be
dropped and created again; any other one is never dropped."""

from typing import Any
from urllib.parse import urlsplit, urlunsplit

CONNECT_TIMEOUT = 5


class DatabaseUnreachable(Exception):
    """PostgreSQL did not answer, or the database could not be created; the message says why."""


def prepare_database(
    url: str, *, recreate: bool, scratch_suffix: str, refuse_foreign: bool = False
) -> None:
    """Make sure the database in `url` exists. With `recreate`, a scratch database (its name
    ends in `scratch_suffix`) is dropped and created empty; another existing database is kept
    as it is, or refused with `refuse_foreign`."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    try:
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT).close()
        exists = True
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise DatabaseUnreachable(str(error).strip().splitlines()[0]) from None
        exists = False
    scratch = name.endswith(scratch_suffix)
    if exists and not scratch and refuse_foreign:
        raise DatabaseUnreachable(f"{name} exists and is not a scratch *{scratch_suffix} database")
    if exists and not (recreate and scratch):
        return
    with _maintenance_connection(parts) as admin:
        if exists:
            print(f"dropping the scratch database {name}")
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        print(f"creating database {name}")
        admin.execute(f'CREATE DATABASE "{name}"')


def _maintenance_connection(parts: Any) -> Any:
    import psycopg

    last_error = ""
    for maintenance in ("postgres", "test", "template1"):
        other = urlunsplit(parts._replace(path=f"/{maintenance}"))
        try:
            return psycopg.connect(other, connect_timeout=CONNECT_TIMEOUT, autocommit=True)
        except psycopg.OperationalError as error:
            last_error = str(error).strip()
    raise DatabaseUnreachable(f"cannot create the database: {last_error}")

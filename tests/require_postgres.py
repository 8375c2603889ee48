"""Fail fast, with a clear message, when the PostgreSQL named by DATABASE_URL is not there.

Run before the PostgreSQL suite so that an absent server is reported in one line instead of
as hundreds of connection errors or a hang."""

import os
import sys

import psycopg


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"DATABASE_URL is not a PostgreSQL URL: {url!r}", file=sys.stderr)
        return 2
    try:
        with psycopg.connect(url, connect_timeout=5) as connection:
            version = connection.execute("SHOW server_version").fetchone()
    except psycopg.OperationalError as error:
        print(f"PostgreSQL is not reachable at {url}: {error}".strip(), file=sys.stderr)
        print("Start it (see README) or set DATABASE_URL to a reachable server.", file=sys.stderr)
        return 2
    print(f"PostgreSQL {version[0] if version else '?'} reachable at {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

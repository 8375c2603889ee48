"""Fast INSERTs for the import's big tables (members and their audit rows).

`bulk_create` spends most of its time preparing each value through the field API, several
times what the database needs to store the row; at 100,000 members that alone breaks the
import's time budget. Here the caller hands over rows of values the database driver already
understands, and they go in with one prepared `executemany` on SQLite and with `COPY … FROM
STDIN` on PostgreSQL. Only for rows that are new by construction; the caller supplies every
column (primary keys included, see `reserve_ids`). Runs inside the caller's transaction.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from psycopg.copy import QueuedLibpqWriter

BATCH = 5000


def reserve_ids(model: type[models.Model], count: int) -> range | list[int]:
    """`count` primary keys no other row has or will get, for rows inserted in this transaction.

    PostgreSQL: drawn from the table's sequence (safe under concurrent writers). SQLite: the
    transaction already holds the write lock (`transaction_mode = IMMEDIATE`; and a write made
    by a deferred one after another connection's commit fails as busy, writing nothing), so the
    next keys after both the highest key and the AUTOINCREMENT counter are free; the counter
    is moved past them. Either way a key reserved and not used is a gap, never reused."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence's name looked up once (in the select list it would be per row).
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            (sequence,) = cursor.fetchone()
            cursor.execute(
                "SELECT min(v), max(v) FROM"
                " (SELECT nextval(%s::regclass) AS v FROM generate_series(1, %s)) AS drawn",
                [sequence, count],
            )
            low, high = cursor.fetchone()
            if high - low + 1 == count:  # no other writer drew in between: one run of keys
                return range(low, high + 1)
            # Drawn out of order: draw again, keeping each key (the first draw is a gap).
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
            )
            return [value for (value,) in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(connection.vendor)
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(pk)}), 0) FROM {quote(table)}")  # noqa: S608
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        counter = cursor.fetchone()
        start = max(highest, counter[0] if counter else 0) + 1
        # The AUTOINCREMENT counter moves past them, as a sequence would: no later insert or
        # reservation takes one of them, used or not.
        if counter:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count - 1, table]
            )
        else:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                [table, start + count - 1],
            )
    return range(start, start + count)


@contextmanager
def indexes_built_after(model: type[models.Model]) -> Iterator[None]:
    """On SQLite, the table's plain indexes (made by CREATE INDEX and not unique: never its
    primary key or a unique constraint or index) dropped for the block and built again after
    it, inside the caller's transaction: for filling an empty table, where sorting once beats
    inserting every row into a random-order index. The block must not swallow its errors: an
    error leaving the caller's atomic block rolls back and so restores them (SQLite's schema
    is transactional). Elsewhere nothing changes: on PostgreSQL dropping an index locks the
    table against every reader."""
    if connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_built_after needs the caller's transaction")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # Plain ones only (made by CREATE INDEX, not unique): a unique index keeps checking.
        cursor.execute(f"PRAGMA index_list({connection.ops.quote_name(table)})")
        plain = [row[1] for row in cursor.fetchall() if row[3] == "c" and not row[2]]
        indexes = []
        for name in plain:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [name]
            )
            indexes.append((name, cursor.fetchone()[0]))
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield  # (on an exception, nothing: it leaves the caller's atomic block, which rolls back)
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)


def db_datetime(value: Any) -> Any:
    """A datetime as the database driver takes it (naive UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert driver-ready rows (str, int, bool, None, date, datetime from `db_datetime`, and
    JSON as text) into `table`'s `columns` (database column names)."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The queued writer sends on its own thread, so producing the next rows (the caller
            # may hand over a generator) overlaps with the server storing the previous ones.
            raw = cursor.cursor
            statement = f"COPY {quote(table)} ({names}) FROM STDIN"
            with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
            return
        sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def json_text(value: Any, encoder: Any = None) -> str:
    """Compact JSON, non-ASCII kept as is: what a JSON column stores, at the least cost. Keys
    sorted: the audit rows' `changes` must be canonical (audit.chain.canonical_json) to hash
    them as they are; sorting costs nothing on the big batch rows, which are lists."""
    return json.dumps(value, cls=encoder, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

"""The audit tables refuse UPDATE and DELETE in the database, not only in the model.

Triggers on `audit_auditevent` and `audit_auditcheckpoint` abort any UPDATE or DELETE — a
queryset's `update()`/`delete()`, raw SQL, the database's own shell — with one exception each:

- an event's `actor_id` may be emptied and nothing else changed (the account it links to was
  deleted; `actor_label` keeps who it was, and the hash chain does not cover the link);
- while the table `audit_unlock` holds a row, nothing is refused. Only `audit_unlocked()`
  writes one, inside a transaction that removes it again before it commits, so no other
  connection ever sees it. Two commands use it: `audit_archive` (deleting archived events
  older than the retention) and `flush` (emptying the whole database, as TRUNCATE — which
  fires no row trigger — does on PostgreSQL).

What this does not stop: the database's owner dropping the triggers, committing a row into
`audit_unlock`, or TRUNCATE on PostgreSQL. Those are what the hash chain is for
(`audit_verify` finds the first changed or missing event; it also reports a committed unlock
row and missing triggers).

SQLite rebuilds a table to alter it (a later migration changing an audit model), which drops
its triggers: such a migration must call `install_sql` again; a test checks they are present.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction

UNLOCK_TABLE = "audit_unlock"
_TABLES = ("audit_auditevent", "audit_auditcheckpoint")
# Every column of an event but actor_id: the only one an UPDATE may change (to NULL).
_EVENT_COLUMNS = (
    "id",
    "at",
    "actor_label",
    "ip_address",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "org_path",
    "changes",
    "reason",
    "seq",
    "row_hash",
)
REFUSED_UPDATE = "审计记录只能追加，不能修改"
REFUSED_DELETE = "审计记录只能追加，不能删除"


def trigger_names(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"{table}_append_only" for table in _TABLES]
    return [f"{table}_{verb}" for table in _TABLES for verb in ("no_update", "no_delete")]


def install_sql(vendor: str) -> list[str]:
    statements = [f"CREATE TABLE {UNLOCK_TABLE} (reason varchar(100) NOT NULL)"]
    unlocked = f"EXISTS (SELECT 1 FROM {UNLOCK_TABLE})"  # noqa: S608
    if vendor == "postgresql":
        statements.append(
            f"""CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {unlocked} THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_auditevent' THEN
        IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
           AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
            RETURN NEW;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '{REFUSED_DELETE}（%）', TG_TABLE_NAME;
    END IF;
    RAISE EXCEPTION '{REFUSED_UPDATE}（%）', TG_TABLE_NAME;
END
$$"""
        )
        statements += [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
            for table in _TABLES
        ]
        return statements
    if vendor != "sqlite":
        raise NotImplementedError(vendor)
    actor_emptied = " AND ".join(
        [
            "OLD.actor_id IS NOT NULL",
            "NEW.actor_id IS NULL",
            *(f"NEW.{column} IS OLD.{column}" for column in _EVENT_COLUMNS),
        ]
    )
    for table in _TABLES:
        allowed = f"{unlocked} OR ({actor_emptied})" if table == "audit_auditevent" else unlocked
        statements += [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}"
            f" WHEN NOT ({allowed})"
            f" BEGIN SELECT RAISE(ABORT, '{REFUSED_UPDATE}'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}"
            f" WHEN NOT {unlocked}"
            f" BEGIN SELECT RAISE(ABORT, '{REFUSED_DELETE}'); END",
        ]
    return statements


def uninstall_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            *(f"DROP TRIGGER {table}_append_only ON {table}" for table in _TABLES),
            "DROP FUNCTION audit_append_only()",
            f"DROP TABLE {UNLOCK_TABLE}",
        ]
    return [
        *(f"DROP TRIGGER {name}" for name in trigger_names(vendor)),
        f"DROP TABLE {UNLOCK_TABLE}",
    ]


def installed_triggers(using: str = "default") -> set[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
                " AND tgrelid = ANY(%s::regclass[])",
                [list(_TABLES)],
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def missing_triggers(using: str = "default") -> list[str]:
    present = installed_triggers(using)
    return [name for name in trigger_names(connections[using].vendor) if name not in present]


def unlock_rows(using: str = "default") -> int:
    """Rows committed into the unlock table (there should never be any)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {UNLOCK_TABLE}")  # noqa: S608
        return int(cursor.fetchone()[0])


@contextmanager
def audit_unlocked(reason: str, using: str = "default") -> Iterator[None]:
    """Inside one transaction, let the block update and delete audit rows; nobody else sees
    the unlock, and it is gone before the transaction commits (or rolled back with it)."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"INSERT INTO {UNLOCK_TABLE} (reason) VALUES (%s)", [reason[:100]])  # noqa: S608
        yield
        cursor.execute(f"DELETE FROM {UNLOCK_TABLE}")  # noqa: S608

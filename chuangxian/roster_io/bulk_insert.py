"""Plain multi-row INSERTs for the import's big tables (members and their audit rows).

`bulk_create` spends most of its time preparing each value through the field API, several
times what the database needs to store the row; at 100,000 members that alone breaks the
import's time budget. Here the values are adapted once per column type and sent with
`executemany`. Only for rows that are new by construction; the caller supplies every column.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

BATCH = 5000
Adapter = Callable[[Any], Any] | None


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert `rows`, each holding one value per field named in `columns` (by field name)."""
    fields = [model._meta.get_field(name) for name in columns]
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names come from the model)
        quote(model._meta.db_table),
        ", ".join(quote(str(field.column)) for field in fields),  # type: ignore[union-attr]
        ", ".join(["%s"] * len(fields)),
    )
    plain = all(adapt is None for adapt in adapters)
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row if plain else _adapted(adapters, row))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _adapted(adapters: list[Adapter], row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(
        value if adapt is None or value is None else adapt(value)
        for adapt, value in zip(adapters, row, strict=True)
    )


def _adapter(field: Any) -> Adapter:
    if isinstance(field, models.DateTimeField):
        # Every row of an import carries the same timestamp: adapt it once.
        return _memo(connection.ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.GenericIPAddressField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _memo(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    last: list[Any] = [object(), None]

    def adapt_last(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return adapt_last

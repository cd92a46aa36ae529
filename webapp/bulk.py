"""Fast paths for the writes a large push repeats hundreds of times.

peewee builds each statement anew, which costs more than SQLite takes to run it; here the SQL is
built once per shape and the values go through the fields' own converters, so what is stored is
exactly what the ORM would store.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from peewee import Field, Model, PostgresqlDatabase

try:
    from psycopg2.extras import execute_values
except ImportError:  # PostgreSQL's driver is installed only where PostgreSQL is used
    execute_values = None

PAGE = 500  # rows per multi-row INSERT on PostgreSQL


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@cache
def _insert_sql(model: type[Model], names: tuple[str, ...], param: str | None) -> str:
    """One row's INSERT with `param` placeholders; with None, the multi-row form that
    psycopg2's `execute_values` fills (`VALUES %s`)."""
    fields = [model._meta.fields[n] for n in names]
    columns = ", ".join(_quote(f.column_name) for f in fields)
    values = "%s" if param is None else "(" + ", ".join([param] * len(fields)) + ")"
    # names come from the model, never from a request; values go as parameters
    return f"INSERT INTO {_quote(model._meta.table_name)} ({columns}) VALUES {values}"  # noqa: S608


@cache
def _update_sql(model: type[Model], names: tuple[str, ...], param: str, guarded: bool) -> str:
    fields = [model._meta.fields[n] for n in names]
    assignments = ", ".join(f"{_quote(f.column_name)} = {param}" for f in fields)
    where = f"{_quote(model._meta.primary_key.column_name)} = {param}"
    if guarded:
        where += f" AND {_quote(model._meta.fields['version'].column_name)} = {param}"
    return f"UPDATE {_quote(model._meta.table_name)} SET {assignments} WHERE {where}"  # noqa: S608


def _converted(field: Field, value: Any) -> Any:
    return None if value is None else field.db_value(value)


def insert_many(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows given by field name (all rows with the same fields)."""
    if not rows:
        return
    database = model._meta.database
    names = tuple(rows[0])
    fields = [model._meta.fields[n] for n in names]
    params = [tuple(_converted(f, row[f.name]) for f in fields) for row in rows]
    cursor = database.cursor()
    if isinstance(getattr(database, "obj", database), PostgresqlDatabase):  # through the proxy
        # psycopg2's executemany sends one statement per row, a round trip each: a push of 100
        # edits waited on 200 of them for its history and audit rows. One statement per page.
        execute_values(cursor, _insert_sql(model, names, None), params, page_size=PAGE)
    else:
        cursor.executemany(_insert_sql(model, names, database.param), params)


def update_columns(record: Model, names: list[str], *, version: int | None = None) -> int:
    """Write these fields of one row, from the record's current values; with `version`, only
    while the row still has that version. Return the number of rows written (0 or 1)."""
    model = type(record)
    database = model._meta.database
    fields = [model._meta.fields[n] for n in names]
    params = [_converted(f, record.__data__.get(f.name)) for f in fields]
    params.append(model._meta.primary_key.db_value(record.get_id()))
    if version is not None:
        params.append(version)
    sql = _update_sql(model, tuple(names), database.param, version is not None)
    return database.execute_sql(sql, params).rowcount

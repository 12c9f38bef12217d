"""Statements on the write path's hottest lines, run on the database driver directly.

Every action appends to the ledger and writes its projection rows inside one transaction, and
each of those statements through Django's cursor wrapper costs more in Python than the
database spends on it (on SQLite the wrapper rewrites every query's placeholders with a regular
expression). These helpers keep what matters of the wrapper (Django's database exceptions, and
the check that the transaction is not already broken) and drop the rest. Statements are
written with ``%s`` placeholders, as for Django, and translated once per statement. Each
takes the Django connection object itself (``connections[alias]``, looked up once by the
caller: the lookup is a context-local read that costs as much as a short statement).

Use them only for short, fixed statements on the write path; everything else goes through the
ORM or a Django cursor.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["copy_rows", "execute", "executemany", "fetchone"]

_SQLITE_STATEMENTS: dict[str, str] = {}


def _statement(vendor: str, sql: str) -> str:
    if vendor != "sqlite":
        return sql
    found = _SQLITE_STATEMENTS.get(sql)
    if found is None:
        if "%%" in sql:
            raise ValueError("rawsql statements must not contain a literal %")
        found = _SQLITE_STATEMENTS[sql] = sql.replace("%s", "?")
    return found


def _cursor(connection: BaseDatabaseWrapper) -> Any:
    """The driver cursor these helpers use on Django's ``connection``: one per open driver
    connection, kept. On PostgreSQL it binds parameters on the server, so psycopg prepares a
    statement once it has run ``prepare_threshold`` times on the connection (set in
    ``tocsin.config``) and the server plans it once, not every time. Django's own cursors
    interpolate parameters into the text, so every statement is parsed and planned afresh:
    for the ledger's append statement, a third of its cost. A one-off request pays nothing
    extra; long-lived writers (the worker, imports, the demo) gain."""
    connection.validate_no_broken_transaction()
    connection.ensure_connection()
    driver = connection.connection
    cursor = _CURSORS.get(connection)
    if cursor is None or cursor.connection is not driver:
        if connection.vendor == "postgresql":
            import psycopg

            cursor = psycopg.Cursor(driver)
        else:
            cursor = driver.cursor()
        _CURSORS[connection] = cursor
    return cursor


#: The cursor kept for each Django connection (weakly: a connection that goes away takes its
#: entry with it).
_CURSORS: weakref.WeakKeyDictionary[BaseDatabaseWrapper, Any] = weakref.WeakKeyDictionary()


def execute(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; return the number of rows it changed."""
    with connection.wrap_database_errors:
        cursor = _cursor(connection)
        cursor.execute(_statement(connection.vendor, sql), params)
        return int(cursor.rowcount)


def executemany(connection: BaseDatabaseWrapper, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run one statement once for each row of parameters."""
    with connection.wrap_database_errors:
        _cursor(connection).executemany(_statement(connection.vendor, sql), rows)


def fetchone(
    connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any] = ()
) -> tuple[Any, ...] | None:
    """The first row of a query, or None."""
    with connection.wrap_database_errors:
        cursor = _cursor(connection)
        cursor.execute(_statement(connection.vendor, sql), params)
        row = cursor.fetchone()
    return None if row is None else tuple(row)


def copy_rows(
    connection: BaseDatabaseWrapper,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """PostgreSQL only: add ``rows`` to ``table`` with ``COPY ... FROM STDIN``, the fastest way
    in for many rows (one round trip, no statement to parse per row). ``table`` and ``columns``
    are quoted already; the values are as ``get_db_prep_save`` gives them."""
    if connection.vendor != "postgresql":
        raise ValueError("COPY is PostgreSQL's; use executemany on other databases")
    with connection.wrap_database_errors:
        cursor = _cursor(connection)
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

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

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["execute", "executemany", "fetchone"]

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


def _driver(connection: BaseDatabaseWrapper) -> Any:
    """The open driver connection under Django's ``connection``."""
    connection.validate_no_broken_transaction()
    connection.ensure_connection()
    return connection.connection


def execute(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; return the number of rows it changed."""
    driver = _driver(connection)
    with connection.wrap_database_errors:
        cursor = driver.cursor()
        try:
            cursor.execute(_statement(connection.vendor, sql), params)
            return int(cursor.rowcount)
        finally:
            cursor.close()


def executemany(connection: BaseDatabaseWrapper, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run one statement once for each row of parameters."""
    driver = _driver(connection)
    with connection.wrap_database_errors:
        cursor = driver.cursor()
        try:
            cursor.executemany(_statement(connection.vendor, sql), rows)
        finally:
            cursor.close()


def fetchone(
    connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any] = ()
) -> tuple[Any, ...] | None:
    """The first row of a query, or None."""
    driver = _driver(connection)
    with connection.wrap_database_errors:
        cursor = driver.cursor()
        try:
            cursor.execute(_statement(connection.vendor, sql), params)
            row = cursor.fetchone()
        finally:
            cursor.close()
    return None if row is None else tuple(row)

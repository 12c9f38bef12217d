"""Pass 3b: the replayed projections in a scratch database, compared row by row with the live
ones. A difference names the table, the row and the sequence number of the event that last
wrote the row in the replay."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from tocsin.server.projections import ProjectionModel, ReplaySession, projection_models
from tocsin.server.verify._names import BATCH, Problem, Progress

__all__ = ["compare_projections"]

_SCRATCH = "tocsin_verify_scratch"


def _open_scratch() -> str:
    """A fresh in-memory SQLite database holding empty projection tables.

    The connection is made directly rather than declared in ``DATABASES``: it exists only for
    this verification, and nothing else may route to it.
    """
    from django.db.backends.sqlite3.base import DatabaseWrapper

    name = f"file:tocsin-verify-{uuid.uuid4().hex}?mode=memory&cache=shared"
    settings_dict = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        # Replayed rows may refer to rows a tampered ledger never created; verification must
        # report that by comparison, not stop at a foreign-key error.
        "OPTIONS": {"init_command": "PRAGMA foreign_keys=OFF"},
        "TEST": {"NAME": name},
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
    }
    connections[_SCRATCH] = DatabaseWrapper(settings_dict, alias=_SCRATCH)
    with connections[_SCRATCH].schema_editor() as editor:
        for model in projection_models():
            editor.create_model(model)
    # The schema editor turns foreign-key enforcement back on as it closes; replayed rows are
    # compared, not constrained (and checking every reference would slow a million inserts).
    connections[_SCRATCH].disable_constraint_checking()
    return _SCRATCH


def _close_scratch() -> None:
    # Django keeps in-memory SQLite connections open on close(); this one must really go.
    try:
        wrapper = connections[_SCRATCH]
    except Exception:
        return
    BaseDatabaseWrapper.close(wrapper)
    del connections[_SCRATCH]


def _rows(
    model: type[models.Model], using: str, *, raw: bool
) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Rows of ``model``'s table on ``using``, ordered by primary key: ``(pk, row)``.

    ``raw``: the values as stored, the fast way when both databases are SQLite. Otherwise the
    values as Django reads them (dates as dates, JSON parsed), which compare equal across
    SQLite and PostgreSQL whatever each stores.
    """
    connection = connections[using]
    fields = model._meta.concrete_fields
    pk_position = [f.primary_key for f in fields].index(True)
    if not raw:
        names = [f.attname for f in fields]
        values = model._base_manager.using(using).order_by("pk").values_list(*names)
        for row in values.iterator(chunk_size=BATCH):
            converted = tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            yield converted[pk_position], converted
        return
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"SELECT {columns} FROM {table} ORDER BY {pk_column}"  # noqa: S608 - names, quoted
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(BATCH):
            for row in batch:
                yield row[pk_position], tuple(row)


def compare_projections(
    using: str, session: ReplaySession, problems: list[Problem], progress: Progress
) -> int:
    """Store the replayed rows in a scratch database and compare every projection table on
    ``using`` with them, row by row; return how many rows were compared."""
    scratch = _open_scratch()
    compared = 0
    try:
        for model in projection_models():
            try:
                session.flush(scratch, models=[model])
            except DatabaseError as exc:
                problems.append(
                    Problem(
                        "replay",
                        model._meta.db_table,
                        None,
                        None,
                        f"replayed rows could not be stored: {exc}",
                    )
                )
            compared += _compare_table(model, using, scratch, session, problems)
            progress("projections", compared, compared)
    finally:
        _close_scratch()
    return compared


def _compare_table(
    model: type[ProjectionModel],
    using: str,
    scratch: str,
    session: ReplaySession,
    problems: list[Problem],
) -> int:
    table = model._meta.db_table
    names = [f.attname for f in model._meta.concrete_fields]
    raw = connections[using].vendor == connections[scratch].vendor
    live = _rows(model, using, raw=raw)
    replayed = _rows(model, scratch, raw=raw)
    pk_field = model._meta.pk
    assert pk_field is not None

    def key(raw_pk: Any) -> Any:
        return pk_field.to_python(raw_pk)  # the primary key as the ORM and replay know it

    live_row, replayed_row = next(live, None), next(replayed, None)
    compared = 0
    while live_row is not None or replayed_row is not None:
        compared += 1
        if replayed_row is None or (live_row is not None and live_row[0] < replayed_row[0]):
            assert live_row is not None
            problems.append(
                Problem(
                    "projection",
                    table,
                    str(key(live_row[0])),
                    None,
                    "row exists in the live table but no event created it",
                )
            )
            live_row = next(live, None)
        elif live_row is None or replayed_row[0] < live_row[0]:
            problems.append(
                Problem(
                    "projection",
                    table,
                    str(key(replayed_row[0])),
                    session.written_by.get((table, str(key(replayed_row[0])))),
                    "row is missing from the live table",
                )
            )
            replayed_row = next(replayed, None)
        else:
            differing = [
                f"{name}: live {a!r} != replayed {b!r}"
                for name, a, b in zip(names, live_row[1], replayed_row[1], strict=True)
                if a != b
            ]
            if differing:
                problems.append(
                    Problem(
                        "projection",
                        table,
                        str(key(live_row[0])),
                        session.written_by.get((table, str(key(live_row[0])))),
                        "; ".join(_redact(d) for d in differing),
                    )
                )
            live_row, replayed_row = next(live, None), next(replayed, None)
    return compared


def _redact(difference: str) -> str:
    # Never print a password hash, even a tampered one.
    name = difference.split(":", 1)[0]
    if name == "password":
        return "password: live value differs from the replayed one"
    return difference

"""Projections: tables that are a pure function of the event sequence.

* :class:`ProjectionModel` is the base of every projection table. Its ``save``, ``delete`` and
  bulk query methods, through every manager (Django's base manager included) and ``save_base``,
  refuse to run unless an applier is running, so nothing but an applier can write one
  (``tests/unit/server/test_projections.py`` tries every model, manager and write path). The
  guard is one context-variable lookup, so the append path pays nothing for it.
* Appliers are registered per event kind with :func:`applies` and write through a
  :class:`ProjectionSession`. The live session writes each change at once, inside the append
  transaction; the replay session keeps rows in memory and writes each table in one bulk insert,
  which is what lets ``tocsin verify`` rebuild a million-event ledger in seconds.
* Each session remembers which sequence number last wrote each row, so a difference found by
  verification can name the event behind it.
"""

from __future__ import annotations

import contextvars
import functools
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from django.core import checks
from django.db import connections, models, transaction
from django.db.models.signals import pre_save

from tocsin.domain.events import Event
from tocsin.ledger import Envelope
from tocsin.server import rawsql

__all__ = [
    "BatchSession",
    "BufferedSession",
    "LiveSession",
    "ProjectionModel",
    "ProjectionSession",
    "ProjectionWriteOutsideApplier",
    "ReplaySession",
    "applier_for",
    "applies",
    "projection_models",
    "row_exists",
    "when_erasing",
]

_applying: contextvars.ContextVar[bool] = contextvars.ContextVar("applying", default=False)


class ProjectionWriteOutsideApplier(RuntimeError):
    """Code other than an applier tried to write a projection table."""


def _require_applier(model: type[models.Model]) -> None:
    if not _applying.get():
        raise ProjectionWriteOutsideApplier(
            f"{model._meta.label} is a projection: change it by appending an event through an "
            "action (do_<verb>_<noun>), never directly"
        )


@contextmanager
def _applier_running() -> Iterator[None]:
    token = _applying.set(True)
    try:
        yield
    finally:
        _applying.reset(token)


class ProjectionQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        _require_applier(self.model)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        _require_applier(self.model)
        return super().delete()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        _require_applier(self.model)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, *args: Any, **kwargs: Any) -> int:
        _require_applier(self.model)
        return super().bulk_update(objs, *args, **kwargs)


ProjectionManager = models.Manager.from_queryset(ProjectionQuerySet)


def _refuse_raw_save(sender: type[models.Model], **kwargs: Any) -> None:
    # Model.save_base, which loaddata calls directly, skips the save() above but not pre_save.
    if issubclass(sender, ProjectionModel):
        _require_applier(sender)


class ProjectionModel(models.Model):
    """A table written only by appliers. ``subject_prefix`` names the subjects whose rows it
    holds (``user`` for ``user:<id>``); :meth:`tombstone` says what a row becomes when its
    record is expunged (None: the model holds nothing that can be expunged)."""

    subject_prefix: ClassVar[str] = ""
    #: For rows that belong to another record (a concern's screenings, say): the column holding
    #: that record's id. Expunging the record deletes these rows instead of tombstoning them.
    owner_field: ClassVar[str | None] = None

    objects = ProjectionManager()

    class Meta:
        abstract = True
        # The base manager (Django's own, for related lookups and refresh_from_db, and what
        # ``_base_manager`` names) is the guarded one too. Each projection inherits it from here,
        # so long as ProjectionModel comes first among its bases; check() refuses otherwise.
        base_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        _require_applier(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _require_applier(type(self))
        return super().delete(*args, **kwargs)

    @classmethod
    def check(cls, **kwargs: Any) -> list[checks.CheckMessage]:
        """Django's model checks, and: every manager of a projection, the base manager
        included, hands out querysets that refuse writes outside an applier."""
        errors = super().check(**kwargs)
        if cls._meta.abstract:
            return errors
        for manager in [*cls._meta.managers, cls._base_manager]:
            queryset_class = getattr(manager, "_queryset_class", None)
            if not (
                isinstance(queryset_class, type) and issubclass(queryset_class, ProjectionQuerySet)
            ):
                errors.append(
                    checks.Error(
                        f"{cls._meta.label}.{manager.name} can write outside an applier",
                        hint="derive the manager from ProjectionQuerySet, and list "
                        "ProjectionModel first among the model's bases",
                        obj=cls,
                        id="tocsin.E001",
                    )
                )
        return errors

    @classmethod
    def tombstone(cls, pk: str) -> dict[str, Any] | None:
        """The columns (by attname) of the row that stands for an expunged record: the same
        whatever events the record had. None if this model keeps nothing to expunge."""
        return None


pre_save.connect(_refuse_raw_save, dispatch_uid="tocsin.projections.refuse_raw_save")

_M = TypeVar("_M", bound=ProjectionModel)


def projection_models() -> list[type[ProjectionModel]]:
    """Every concrete projection model, parents before children (the order to insert in)."""
    from django.apps import apps

    found = [m for m in apps.get_models() if issubclass(m, ProjectionModel)]
    ordered: list[type[ProjectionModel]] = []

    def visit(model: type[ProjectionModel]) -> None:
        if model in ordered:
            return
        for field in model._meta.concrete_fields:
            target = field.related_model
            if target is not None and target is not model and target in found:
                visit(target)
        ordered.append(model)

    for model in found:
        visit(model)
    return ordered


def _pk_key(model: type[models.Model], pk: Any) -> Any:
    """The primary key in one canonical Python form (a UUID for a UUID key)."""
    if type(pk) is str and _is_uuid_field(model._meta.pk):
        try:
            return _uuid(pk)
        except ValueError:
            pass  # the field's own conversion says what is wrong
    return model._meta.pk.to_python(pk)


#: A UUID from its text, remembered: in a bulk load the same ids (a concern's, a child's) are
#: typed again for every row that names them, and building a UUID costs more than the lookup.
_uuid = functools.lru_cache(maxsize=1 << 16)(uuid.UUID)


def _is_uuid_field(field: Any) -> bool:
    """A UUID column, or a foreign key to one."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    return isinstance(target, models.UUIDField)


def _typed(row: _M) -> _M:
    """Give every column its Python type (a UUID for a UUID, a date for a date), as a row read
    back from the database would have, since event payloads carry them as JSON strings."""
    for field in row._meta.concrete_fields:
        setattr(row, field.attname, field.to_python(getattr(row, field.attname)))
    return row


#: Fields whose ``to_python`` and ``get_db_prep_save`` hand back a value of this type as it is
#: (on every database): the commonest columns, spared the field machinery on bulk writes.
_AS_GIVEN: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
}


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any, Any], Any]:
    """``field.get_db_prep_save``, skipped for a value the field would pass on unchanged."""
    prepare = field.get_db_prep_save
    kind = _AS_GIVEN.get(type(field))
    if kind is None:
        return prepare

    def prepared(value: Any, connection: Any) -> Any:
        return value if type(value) is kind else prepare(value, connection)

    return prepared


def _typer(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """``field.to_python``, skipped for a value of the type it would return anyway."""
    to_python = field.to_python
    kind = _AS_GIVEN.get(type(field))
    if kind is None and _is_uuid_field(field):

        def typed_uuid(value: Any) -> Any:
            if type(value) is str:
                try:
                    return _uuid(value)
                except ValueError:
                    pass  # to_python says what is wrong
            return value if type(value) is uuid.UUID else to_python(value)

        return typed_uuid
    if kind is None:
        return to_python

    def typed(value: Any) -> Any:
        return value if type(value) is kind else to_python(value)

    return typed


class _Insert:
    """One projection model's INSERT statement, built once per model and database vendor."""

    _made: ClassVar[dict[tuple[type[models.Model], str], _Insert]] = {}

    def __init__(self, model: type[models.Model], connection: Any) -> None:
        quote = connection.ops.quote_name
        self.fields = [(f.attname, f) for f in model._meta.concrete_fields]
        self.preparers = [(f.attname, _preparer(f)) for f in model._meta.concrete_fields]
        self.typers = [(f.attname, _typer(f), f) for f in model._meta.concrete_fields]
        self.attnames = frozenset(name for name, _ in self.fields)
        self.pk = model._meta.pk.attname
        self.table = quote(model._meta.db_table)
        self.columns = [quote(f.column) for _, f in self.fields]
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({marks})"

    @classmethod
    def of(cls, model: type[models.Model], connection: Any) -> _Insert:
        found = cls._made.get((model, connection.vendor))
        if found is None:
            found = cls._made[(model, connection.vendor)] = cls(model, connection)
        return found


def row_exists(model: type[models.Model], using: str = "default", **equals: Any) -> bool:
    """Whether ``model`` has a row whose columns (by attname) equal ``equals``: the actions'
    uniqueness checks, without the cost of building an ORM query."""
    connection = connections[using]
    key = (model, connection.vendor, tuple(sorted(equals)))
    found = _EXISTS.get(key)
    if found is None:
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        fields = [(name, by_name[name]) for name in key[2]]
        quote = connection.ops.quote_name
        where = " AND ".join(f"{quote(f.column)} = %s" for _, f in fields)
        sql = f"SELECT 1 FROM {quote(model._meta.db_table)} WHERE {where} LIMIT 1"
        found = _EXISTS[key] = (sql, fields)
    sql, fields = found
    values = [f.get_db_prep_value(f.to_python(equals[n]), connection) for n, f in fields]
    return rawsql.fetchone(connection, sql, values) is not None


_EXISTS: dict[
    tuple[type[models.Model], str, tuple[str, ...]],
    tuple[str, list[tuple[str, models.Field[Any, Any]]]],
] = {}


class ProjectionSession:
    """Where appliers write. Columns are named by attname (``agency_id``, not ``agency``);
    ``seq`` is the sequence number of the event being applied."""

    seq: int = -1

    def insert(self, model: type[ProjectionModel], **fields: Any) -> None:
        """Add a new row; its primary key must not exist yet."""
        raise NotImplementedError

    def insert_many(self, model: type[ProjectionModel], rows: Iterable[dict[str, Any]]) -> None:
        """Add several new rows (each as :meth:`insert` takes it). A live session writes them
        in one batch: an event that adds a row per item costs one statement, not one each."""
        for fields in rows:
            self.insert(model, **fields)

    def update(self, model: type[ProjectionModel], pk: Any, **changes: Any) -> None:
        """Change columns of an existing row; LookupError if there is none."""
        raise NotImplementedError

    def replace(self, model: type[ProjectionModel], pk: Any, **fields: Any) -> None:
        """Make the row with key ``pk`` exactly ``fields``, inserting it if need be."""
        raise NotImplementedError

    def exists(self, model: type[ProjectionModel], pk: Any) -> bool:
        raise NotImplementedError

    def get(self, model: type[ProjectionModel], pk: Any) -> dict[str, Any]:
        """The columns of the row with key ``pk`` as the session holds them now (by attname);
        LookupError if there is none. For an applier whose change depends on the row."""
        raise NotImplementedError

    def delete_owned(self, model: type[ProjectionModel], owner: Any) -> None:
        """Delete every row of ``model`` whose ``owner_field`` is ``owner``."""
        raise NotImplementedError

    def erase_subject(self, subject: str) -> None:
        """Replace the rows of ``subject`` by their tombstones; delete the rows it owns. First,
        each :func:`when_erasing` hook takes out what rows of other records keep about it."""
        for hook in _ERASING:
            hook(subject, self)
        prefix, _, ident = subject.partition(":")
        for model in projection_models():
            if model.subject_prefix != prefix:
                continue
            if model.owner_field is not None:
                self.delete_owned(model, ident)
                continue
            stone = model.tombstone(ident)
            if stone is not None:
                self.replace(model, ident, **stone)


class _RowReader:
    """``model._base_manager.filter(pk=pk).values(<every column>)[:1]``, compiled once (for a
    session, on its connection) and run again for each key: the same SQL, the same
    converters, so the same row, without building the query each time (a bulk load reads a
    row for every event about an earlier record). Falls back to the ORM for a key the
    compiled query cannot take."""

    _UNSET = object()

    def __init__(self, model: type[ProjectionModel], connection: Any) -> None:
        self.model = model
        self.connection = connection
        self.names = [f.attname for f in model._meta.concrete_fields]
        self.pk_field = model._meta.pk
        self.sql: str | None = None
        sample = _sample_key(self.pk_field)
        if sample is None:
            return
        query = (
            model._base_manager.using(connection.alias)
            .filter(pk=sample)
            .values(*self.names)[:1]
            .query
        )
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if list(params) != [self._prepared(sample)]:
            return  # not one parameter for the key: use the ORM every time
        self.sql, self.compiler = sql, compiler
        self.converters = compiler.get_converters(
            [column for column, _, _ in compiler.select[: compiler.col_count]]
        )

    def _prepared(self, pk: Any) -> Any:
        return self.pk_field.get_db_prep_value(pk, self.connection, prepared=False)

    def read(self, pk: Any) -> dict[str, Any] | None:
        if self.sql is None:
            return self._orm(pk)
        try:
            prepared = self._prepared(pk)
        except Exception:  # what the ORM would refuse, let it refuse the same way
            return self._orm(pk)
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, [prepared])
            rows: Iterable[Any] = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        for values in rows:
            return dict(zip(self.names, values, strict=True))
        return None

    def _orm(self, pk: Any) -> dict[str, Any] | None:
        manager = self.model._base_manager.using(self.connection.alias)
        rows = list(manager.filter(pk=pk).values(*self.names)[:1])
        return rows[0] if rows else None


def _sample_key(field: Any) -> Any:
    """A value of ``field``'s type to compile a lookup with (None: a key of another kind)."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.UUIDField):
        return uuid.UUID(int=0)
    if isinstance(target, models.IntegerField | models.AutoField):
        return 0
    if isinstance(target, models.CharField):
        return "key"
    return None


class LiveSession(ProjectionSession):
    """Writes each change at once, on the ``using`` database, inside the append transaction."""

    def __init__(self, using: str) -> None:
        self.using = using
        #: every column (by attname, with its Python type) of each row this session inserted
        #: or replaced, by model and key
        self.written: dict[tuple[type[ProjectionModel], Any], dict[str, Any]] = {}
        #: each model's row read, compiled once for this session (:meth:`get`)
        self._readers: dict[type[ProjectionModel], _RowReader] = {}
        self._inserts: dict[type[ProjectionModel], _Insert] = {}

    def _insert_of(self, model: type[ProjectionModel]) -> _Insert:
        """``model``'s INSERT statement, looked up once per session (a bulk load asks for it
        for every row, and finding the thread's connection each time cost 3% of the load)."""
        statement = self._inserts.get(model)
        if statement is None:
            statement = self._inserts[model] = _Insert.of(model, connections[self.using])
        return statement

    def insert(self, model: type[ProjectionModel], **fields: Any) -> None:
        # Not through Model.save: its machinery costs several times what the database spends
        # on the row. The values are prepared exactly as save() would prepare them.
        connection = connections[self.using]
        statement = self._insert_of(model)
        values = self._prepared(model, statement, fields, connection)
        rawsql.execute(connection, statement.sql, values)

    def insert_many(self, model: type[ProjectionModel], rows: Iterable[dict[str, Any]]) -> None:
        connection = connections[self.using]
        statement = self._insert_of(model)
        values = [self._prepared(model, statement, fields, connection) for fields in rows]
        if values:
            rawsql.executemany(connection, statement.sql, values)

    def _prepared(
        self,
        model: type[ProjectionModel],
        statement: _Insert,
        fields: dict[str, Any],
        connection: Any,
    ) -> list[Any]:
        """One row's values for ``statement``, noted in :attr:`written`."""
        typed = self._typed_row(model, statement, fields)
        return [prepare(typed[name], connection) for name, prepare in statement.preparers]

    def _typed_row(
        self, model: type[ProjectionModel], statement: _Insert, fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Every column of a new row, typed as save() would type it, noted in :attr:`written`."""
        if not statement.attnames.issuperset(fields):
            unknown = ", ".join(sorted(set(fields) - statement.attnames))
            raise TypeError(f"{model._meta.label} has no column {unknown}")
        typed = {
            name: to_python(fields[name]) if name in fields else field.get_default()
            for name, to_python, field in statement.typers
        }
        self.written[(model, _pk_key(model, typed[statement.pk]))] = typed
        return typed

    def update(self, model: type[ProjectionModel], pk: Any, **changes: Any) -> None:
        with _applier_running():
            changed = model._base_manager.using(self.using).filter(pk=pk).update(**changes)
        if changed != 1:
            raise LookupError(f"{model._meta.label} {pk} does not exist")

    def replace(self, model: type[ProjectionModel], pk: Any, **fields: Any) -> None:
        row = _typed(model(**{model._meta.pk.attname: pk, **fields}))
        exists = self.exists(model, pk)
        with _applier_running():
            row.save(using=self.using, force_update=exists, force_insert=not exists)
        self.written[(model, _pk_key(model, pk))] = {
            f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields
        }

    def exists(self, model: type[ProjectionModel], pk: Any) -> bool:
        return model._base_manager.using(self.using).filter(pk=pk).exists()

    def get(self, model: type[ProjectionModel], pk: Any) -> dict[str, Any]:
        # values(), not a model instance: an applier's read is not a person's read.
        reader = self._readers.get(model)
        if reader is None:
            reader = self._readers[model] = _RowReader(model, connections[self.using])
        row = reader.read(pk)
        if row is None:
            raise LookupError(f"{model._meta.label} {pk} does not exist")
        return row

    def delete_owned(self, model: type[ProjectionModel], owner: Any) -> None:
        assert model.owner_field is not None
        with _applier_running():
            model._base_manager.using(self.using).filter(**{model.owner_field: owner}).delete()

    def row(self, model: type[_M], pk: Any) -> _M:
        """A row this session inserted or replaced, as a model instance (so an action can
        return it without reading it back)."""
        row = model(**self.written[(model, _pk_key(model, pk))])
        row._state.adding = False
        row._state.db = self.using
        return row


class BufferedSession(LiveSession):
    """A live session for bulk loads: new rows wait in memory, where later events of the same
    load read and change them, and :meth:`flush` writes each table's rows at once (one
    ``executemany`` on SQLite, one ``COPY`` on PostgreSQL). Rows that were already in the
    database are read and changed there, as :class:`LiveSession` does.

    Call :meth:`flush` before the transaction ends: rows still waiting then are lost, with
    the transaction's other writes kept, which is why only the recording actions use it.
    Replacing, deleting or asking whether a row exists flushes first, so every statement
    sees the rows inserted before it, in the order the events came.
    """

    #: From this many rows of a table on, PostgreSQL takes them by COPY rather than INSERT.
    COPY_FROM = 20

    def __init__(self, using: str) -> None:
        super().__init__(using)
        self._waiting: dict[type[ProjectionModel], dict[Any, dict[str, Any]]] = {}

    def insert(self, model: type[ProjectionModel], **fields: Any) -> None:
        statement = self._insert_of(model)
        table = self._waiting.setdefault(model, {})
        if statement.pk in fields and _pk_key(model, fields[statement.pk]) in table:
            raise ValueError(f"{model._meta.label} {fields[statement.pk]} would be inserted twice")
        typed = self._typed_row(model, statement, fields)
        table[_pk_key(model, typed[statement.pk])] = typed

    def insert_many(self, model: type[ProjectionModel], rows: Iterable[dict[str, Any]]) -> None:
        for fields in rows:
            self.insert(model, **fields)

    def _waiting_row(self, model: type[ProjectionModel], pk: Any) -> dict[str, Any] | None:
        table = self._waiting.get(model)
        return None if table is None else table.get(_pk_key(model, pk))

    def get(self, model: type[ProjectionModel], pk: Any) -> dict[str, Any]:
        row = self._waiting_row(model, pk)
        if row is None:
            return super().get(model, pk)
        return dict(row)

    def update(self, model: type[ProjectionModel], pk: Any, **changes: Any) -> None:
        row = self._waiting_row(model, pk)
        if row is None:
            super().update(model, pk, **changes)
            return
        statement = self._insert_of(model)
        if not statement.attnames.issuperset(changes):
            unknown = ", ".join(sorted(set(changes) - statement.attnames))
            raise TypeError(f"{model._meta.label} has no column {unknown}")
        by_name = dict(statement.fields)
        row.update({name: by_name[name].to_python(value) for name, value in changes.items()})

    def replace(self, model: type[ProjectionModel], pk: Any, **fields: Any) -> None:
        self.flush()
        super().replace(model, pk, **fields)

    def exists(self, model: type[ProjectionModel], pk: Any) -> bool:
        return self._waiting_row(model, pk) is not None or super().exists(model, pk)

    def delete_owned(self, model: type[ProjectionModel], owner: Any) -> None:
        self.flush()
        super().delete_owned(model, owner)

    def flush(self) -> None:
        """Write every waiting row, parents before children, one statement per table."""
        if not self._waiting:
            return
        connection = connections[self.using]
        waiting, self._waiting = self._waiting, {}
        for model in projection_models():
            rows = waiting.pop(model, None)
            if not rows:
                continue
            statement = _Insert.of(model, connection)
            values = [
                [prepare(row[name], connection) for name, prepare in statement.preparers]
                for row in rows.values()
            ]
            if connection.vendor == "postgresql" and len(values) >= self.COPY_FROM:
                rawsql.copy_rows(connection, statement.table, statement.columns, values)
            else:
                rawsql.executemany(connection, statement.sql, values)
        if waiting:
            raise TypeError(f"not projections: {', '.join(m._meta.label for m in waiting)}")


class BatchSession(BufferedSession):
    """A :class:`BufferedSession` that also holds the rows already in the database that its
    events read or change: each is read once, changed in memory, and written back by
    :meth:`flush` (one ``executemany`` UPDATE per table), so a bulk load of events about
    existing records (case work on concerns recorded earlier) costs a few statements per
    table and batch, not a query and an update per event. Use it only while nothing else
    writes those rows (a bulk load holds the ledger's write lock for its transaction)."""

    def __init__(self, using: str) -> None:
        super().__init__(using)
        self._held: dict[type[ProjectionModel], dict[Any, dict[str, Any]]] = {}
        self._changed: dict[type[ProjectionModel], set[Any]] = {}

    def _held_row(self, model: type[ProjectionModel], pk: Any) -> dict[str, Any]:
        key = _pk_key(model, pk)
        table = self._held.setdefault(model, {})
        row = table.get(key)
        if row is None:
            row = table[key] = LiveSession.get(self, model, pk)
        return row

    def hold(self, model: type[ProjectionModel], pks: Iterable[Any]) -> None:
        """Read the rows of ``model`` with keys ``pks`` now, a few queries for them all, for
        the events about to read or change them (keys with no row are left out)."""
        table = self._held.setdefault(model, {})
        wanted = [pk for pk in {_pk_key(model, pk) for pk in pks} if pk not in table]
        names = [f.attname for f in model._meta.concrete_fields]
        manager = model._base_manager.using(self.using)
        for start in range(0, len(wanted), 500):
            for row in manager.filter(pk__in=wanted[start : start + 500]).values(*names):
                table[_pk_key(model, row[model._meta.pk.attname])] = row

    def get(self, model: type[ProjectionModel], pk: Any) -> dict[str, Any]:
        if self._waiting_row(model, pk) is not None:
            return super().get(model, pk)
        return dict(self._held_row(model, pk))

    def update(self, model: type[ProjectionModel], pk: Any, **changes: Any) -> None:
        if self._waiting_row(model, pk) is not None:
            super().update(model, pk, **changes)
            return
        row = self._held_row(model, pk)
        statement = self._insert_of(model)
        if not statement.attnames.issuperset(changes):
            unknown = ", ".join(sorted(set(changes) - statement.attnames))
            raise TypeError(f"{model._meta.label} has no column {unknown}")
        by_name = dict(statement.fields)
        row.update({name: by_name[name].to_python(value) for name, value in changes.items()})
        self._changed.setdefault(model, set()).add(_pk_key(model, pk))

    def exists(self, model: type[ProjectionModel], pk: Any) -> bool:
        held = self._held.get(model)
        if held is not None and _pk_key(model, pk) in held:
            return True
        return super().exists(model, pk)

    def flush(self) -> None:
        """Write every waiting row, then every held row that changed; forget the held rows
        (the next batch reads them afresh) and the rows :meth:`row` could return."""
        super().flush()
        self.written.clear()
        connection = connections[self.using]
        changed, self._changed = self._changed, {}
        held, self._held = self._held, {}
        for model in projection_models():
            keys = changed.pop(model, None)
            if not keys:
                continue
            statement = _Insert.of(model, connection)
            rows = held[model]
            others = [(name, p) for name, p in statement.preparers if name != statement.pk]
            prepare_pk = dict(statement.preparers)[statement.pk]
            quote = connection.ops.quote_name
            by_name = dict(statement.fields)
            assignments = ", ".join(f"{quote(by_name[name].column)} = %s" for name, _ in others)
            pk_column = quote(model._meta.pk.column)
            rawsql.executemany(
                connection,
                f"UPDATE {statement.table} SET {assignments} WHERE {pk_column} = %s",
                [
                    [prepare(rows[key][name], connection) for name, prepare in others]
                    + [prepare_pk(rows[key][statement.pk], connection)]
                    for key in keys
                ],
            )

    def replace(self, model: type[ProjectionModel], pk: Any, **fields: Any) -> None:
        self.flush()
        LiveSession.replace(self, model, pk, **fields)

    def delete_owned(self, model: type[ProjectionModel], owner: Any) -> None:
        self.flush()
        LiveSession.delete_owned(self, model, owner)


def _replay_key(pk: Any) -> str:
    """Replay keys rows by the id as events carry it: the canonical string (a UUID's
    lower-case dashed form), which costs nothing to compute for a million rows."""
    return pk if isinstance(pk, str) else str(pk)


def _scratch_converter(field: models.Field[Any, Any]) -> Callable[[Any, Any], Any]:
    """How to prepare ``field``'s values for the SQLite scratch database: exactly what
    ``get_db_prep_save`` gives, without its cost for the commonest case (a UUID written as
    its canonical string in an event, which SQLite stores as 32 hex digits)."""
    prepare = field.get_db_prep_save
    if not isinstance(field, models.UUIDField | models.ForeignKey):
        return prepare
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if not isinstance(target, models.UUIDField):
        return prepare

    def convert(value: Any, connection: Any) -> Any:
        if isinstance(value, str) and len(value) == 36 and value.islower():
            return value.replace("-", "")
        return prepare(value, connection)

    return convert


class ReplaySession(ProjectionSession):
    """Keeps every row in memory as a dict of columns (one map per model) and records the
    sequence number that last wrote each; :meth:`flush` writes them to a scratch database."""

    def __init__(self) -> None:
        self.rows: dict[type[ProjectionModel], dict[Any, dict[str, Any]]] = {}
        self.written_by: dict[tuple[str, Any], int] = {}
        self._defaults: dict[type[ProjectionModel], dict[str, Any]] = {}

    def _blank(self, model: type[ProjectionModel]) -> dict[str, Any]:
        defaults = self._defaults.get(model)
        if defaults is None:
            defaults = self._defaults[model] = {
                f.attname: f.get_default() for f in model._meta.concrete_fields
            }
        return dict(defaults)

    def _key(self, model: type[ProjectionModel], pk: Any) -> str:
        key = _replay_key(pk)
        self.written_by[(model._meta.db_table, key)] = self.seq
        return key

    def insert(self, model: type[ProjectionModel], **fields: Any) -> None:
        row = self._blank(model)
        row.update(fields)
        pk_name = model._meta.pk.attname
        table = self.rows.setdefault(model, {})
        key = self._key(model, row[pk_name])
        if key in table:
            raise ValueError(f"{model._meta.label} {key} would be inserted twice")
        table[key] = row

    def update(self, model: type[ProjectionModel], pk: Any, **changes: Any) -> None:
        row = self.rows.get(model, {}).get(_replay_key(pk))
        if row is None:
            raise LookupError(f"{model._meta.label} {pk} does not exist")
        self._key(model, pk)
        row.update(changes)

    def replace(self, model: type[ProjectionModel], pk: Any, **fields: Any) -> None:
        row = self._blank(model)
        row.update(fields)
        row[model._meta.pk.attname] = pk
        self.rows.setdefault(model, {})[self._key(model, pk)] = row

    def exists(self, model: type[ProjectionModel], pk: Any) -> bool:
        return _replay_key(pk) in self.rows.get(model, {})

    def get(self, model: type[ProjectionModel], pk: Any) -> dict[str, Any]:
        row = self.rows.get(model, {}).get(_replay_key(pk))
        if row is None:
            raise LookupError(f"{model._meta.label} {pk} does not exist")
        return dict(row)

    def delete_owned(self, model: type[ProjectionModel], owner: Any) -> None:
        assert model.owner_field is not None
        field = model._meta.get_field(model.owner_field)
        assert isinstance(field, models.Field)
        wanted = _replay_key(owner)
        table = self.rows.get(model, {})
        for key in [k for k, row in table.items() if _replay_key(row[field.attname]) == wanted]:
            del table[key]

    def flush(
        self,
        using: str,
        models: list[type[ProjectionModel]] | None = None,
    ) -> None:
        """Insert the rows held for ``models`` (default: every projection) into ``using``.

        One ``executemany`` per table, with values prepared by each field exactly as the ORM
        would prepare them: a million rows take seconds rather than minutes.
        """
        connection = connections[using]
        # One transaction: in Django's autocommit mode each of a million inserts would
        # otherwise be a transaction of its own.
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for model in models or projection_models():
                rows = list(self.rows.get(model, {}).values())
                if not rows:
                    continue
                fields = model._meta.concrete_fields
                columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
                marks = ", ".join(["%s"] * len(fields))
                prepare = [(f.attname, _scratch_converter(f)) for f in fields]
                cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
                    f"({columns}) VALUES ({marks})",
                    [[convert(row[name], connection) for name, convert in prepare] for row in rows],
                )


Applier = Callable[[Any, Envelope, ProjectionSession], None]
_APPLIERS: dict[str, Applier] = {}
ErasingHook = Callable[[str, ProjectionSession], None]
_ERASING: list[ErasingHook] = []


def when_erasing(hook: ErasingHook) -> ErasingHook:
    """Register ``hook(subject, session)`` to run when a record is expunged, before its rows
    become tombstones: for a projection of another record that keeps something derived from
    it (a child's band across concerns keeps each concern's screenings). Replay skips an
    expunged record's events, so such a row must end as if they had never been applied."""
    _ERASING.append(hook)
    return hook


def applies(event_type: type[Event]) -> Callable[[Applier], Applier]:
    """Register the decorated function as the one applier for ``event_type``."""

    def register(function: Applier) -> Applier:
        if event_type.kind in _APPLIERS:
            raise RuntimeError(f"{event_type.kind} already has an applier")
        _APPLIERS[event_type.kind] = function
        return function

    return register


def applier_for(kind: str) -> Applier:
    try:
        return _APPLIERS[kind]
    except KeyError:
        raise LookupError(f"no applier is registered for {kind}") from None


def apply_event(event: Event, envelope: Envelope, session: ProjectionSession) -> None:
    """Run the applier for ``event`` (its payload already decoded) in ``session``."""
    session.seq = envelope.seq
    applier_for(envelope.kind)(event, envelope, session)

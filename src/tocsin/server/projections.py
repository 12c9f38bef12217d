"""Projections: tables that are a pure function of the event sequence.

* :class:`ProjectionModel` is the base of every projection table. Its ``save``, ``delete`` and
  bulk query methods refuse to run unless an applier is running, so nothing but an applier can
  write one (``tests/unit/server/test_projections.py`` proves it).
* Appliers are registered per event kind with :func:`applies` and write through a
  :class:`ProjectionSession`. The live session writes each change at once, inside the append
  transaction; the replay session keeps rows in memory and writes each table in one bulk insert,
  which is what lets ``tocsin verify`` rebuild a million-event ledger in seconds.
* Each session remembers which sequence number last wrote each row, so a difference found by
  verification can name the event behind it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from django.db import models

from tocsin.domain.events import Event
from tocsin.ledger import Envelope

__all__ = [
    "LiveSession",
    "ProjectionModel",
    "ProjectionSession",
    "ProjectionWriteOutsideApplier",
    "ReplaySession",
    "applier_for",
    "applies",
    "projection_models",
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


class ProjectionModel(models.Model):
    """A table written only by appliers. ``subject_prefix`` names the subjects whose rows it
    holds (``user`` for ``user:<id>``); :meth:`tombstone` says what a row becomes when its
    record is expunged (None: the model holds nothing that can be expunged)."""

    subject_prefix: ClassVar[str] = ""

    objects = ProjectionManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        _require_applier(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _require_applier(type(self))
        return super().delete(*args, **kwargs)

    @classmethod
    def tombstone(cls, pk: Any) -> ProjectionModel | None:
        """The row that stands for an expunged record, the same whatever events it had."""
        return None


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


class ProjectionSession:
    """Where an applier reads and writes rows. ``seq`` is the event being applied."""

    seq: int = -1

    def get(self, model: type[_M], pk: Any) -> _M | None:
        raise NotImplementedError

    def put(self, row: ProjectionModel) -> None:
        """Insert or replace ``row`` (by primary key)."""
        raise NotImplementedError

    def insert(self, row: ProjectionModel) -> None:
        """Insert ``row``, which must be new (a duplicate key is an error)."""
        self.put(row)

    def exists(self, model: type[ProjectionModel], pk: Any) -> bool:
        return self.get(model, pk) is not None

    def erase_subject(self, subject: str) -> None:
        """Replace every row belonging to ``subject`` by its model's tombstone."""
        prefix, _, ident = subject.partition(":")
        for model in projection_models():
            if model.subject_prefix == prefix:
                stone = model.tombstone(ident)
                if stone is not None:
                    self.put(stone)


class LiveSession(ProjectionSession):
    """Writes each change at once, on the ``using`` database, inside the append transaction."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.written: dict[tuple[type[ProjectionModel], Any], ProjectionModel] = {}

    def get(self, model: type[_M], pk: Any) -> _M | None:
        return model.objects.using(self.using).filter(pk=pk).first()

    def put(self, row: ProjectionModel) -> None:
        with _applier_running():
            if row._state.adding:
                # A row built from scratch (a tombstone) replaces whatever has its key; Django
                # would otherwise INSERT blindly when the key field has a default.
                exists = type(row)._base_manager.using(self.using).filter(pk=row.pk).exists()
                row.save(using=self.using, force_update=exists, force_insert=not exists)
            else:
                row.save(using=self.using)
        self.written[(type(row), row.pk)] = row

    def insert(self, row: ProjectionModel) -> None:
        with _applier_running():
            row.save(using=self.using, force_insert=True)
        self.written[(type(row), row.pk)] = row

    def row(self, model: type[_M], pk: Any) -> _M:
        """A row this session wrote (so an action can return it without reading it back)."""
        return self.written[(model, _normalise_pk(model, pk))]  # type: ignore[return-value]


class ReplaySession(ProjectionSession):
    """Keeps every row in memory (one identity map per model) and records the sequence number
    that last wrote each; :meth:`flush` bulk-inserts them into a scratch database."""

    def __init__(self) -> None:
        self.rows: dict[type[ProjectionModel], dict[Any, ProjectionModel]] = {}
        self.written_by: dict[tuple[str, Any], int] = {}

    def get(self, model: type[_M], pk: Any) -> _M | None:
        found = self.rows.get(model, {}).get(_normalise_pk(model, pk))
        return found  # type: ignore[return-value]

    def put(self, row: ProjectionModel) -> None:
        model = type(row)
        key = _normalise_pk(model, row.pk)
        self.rows.setdefault(model, {})[key] = row
        self.written_by[(model._meta.db_table, key)] = self.seq

    def flush(
        self,
        using: str,
        batch_size: int = 2000,
        models: list[type[ProjectionModel]] | None = None,
    ) -> None:
        """Bulk-insert the rows held for ``models`` (default: every projection) into ``using``."""
        with _applier_running():
            for model in models or projection_models():
                rows = list(self.rows.get(model, {}).values())
                if rows:
                    model.objects.using(using).bulk_create(rows, batch_size=batch_size)


def _normalise_pk(model: type[models.Model], pk: Any) -> Any:
    return model._meta.pk.to_python(pk) if model._meta.pk is not None else pk


Applier = Callable[[Any, Envelope, ProjectionSession], None]
_APPLIERS: dict[str, Applier] = {}


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
    with _applier_running():
        applier_for(envelope.kind)(event, envelope, session)

"""Reads recorded by construction: every protected record loaded while a request (or a CLI
command) is being answered is listed in that request's one ``record.viewed``.

How it holds without any view remembering it:

- A **read scope** is open for every page request (:class:`ReadScopeMiddleware`), every API
  request (the same middleware; the API's base view names the person DRF signed in, see
  ``tocsin.server.api.views``) and every CLI command that shows records (:func:`read_scope`).
- Protected projection models (a child, a concern and what hangs off it) inherit
  :class:`ShownWhenLoaded`. Django builds every model instance it loads through
  ``Model.from_db`` — plain queries, ``get``, ``select_related``, prefetches and related
  descriptors alike — and that hook adds the instance's subjects to the open scope. So what a
  gate returns is in the scope the moment it reaches the view, and so is anything the view
  reaches from it.
- When the request has been answered, the scope appends one ``record.viewed`` listing every
  subject, at a constant cost per request whatever the page shows.

What is not recorded: counts and aggregates (``count()``, ``values()``) show no record, and a
lookup that shows nothing to the person (matching a follow-up code) runs in :func:`not_shown`.
Outside any scope (appliers, verification, the estimate's lists, tests) loading records is
internal and recorded by nothing; the interfaces never run outside one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.http import HttpRequest, HttpResponse

from tocsin.server.actors import Actor, SystemActor

if TYPE_CHECKING:
    from tocsin.ledger import Envelope

__all__ = [
    "PUBLIC_VIEWER",
    "ReadScope",
    "ReadScopeMiddleware",
    "ShownWhenLoaded",
    "current_scope",
    "not_shown",
    "read_scope",
    "shows",
]

#: Who a page read by someone not signed in (the public reporting pages) is recorded as.
PUBLIC_VIEWER = SystemActor("public-reporting")

#: Responses after which nothing was shown: a refusal, a missing record, a failure. A form
#: sent back with its errors (400) still shows what the page holds, so it is recorded.
_NOTHING_SHOWN = frozenset({401, 403, 404, 405})

_current: ContextVar[ReadScope | None] = ContextVar("tocsin_read_scope", default=None)

_View = TypeVar("_View", bound=Callable[..., Any])


class ReadScope:
    """What one request (or one command) has shown, in the order it was first loaded."""

    def __init__(self, viewer: Actor | None, purpose: str) -> None:
        self.viewer = viewer
        self.purpose = purpose
        self._shown: dict[str, None] = {}
        self._suspended = 0

    @property
    def shown(self) -> list[str]:
        """Every subject shown so far (``concern:<id>``, ``child:<id>``)."""
        return list(self._shown)

    def add(self, subjects: Iterable[str]) -> None:
        """Note that ``subjects`` were shown (ignored inside :func:`not_shown`)."""
        if self._suspended:
            return
        for subject in subjects:
            self._shown[subject] = None

    def record(self) -> Envelope | None:
        """Append the one ``record.viewed`` for everything shown (nothing if nothing was),
        committed before this returns; requests answered at the same moment share one
        transaction (:class:`GroupCommit`)."""
        if not self._shown or self.viewer is None:
            return None
        return READ_RECORDS.record(self.viewer, self.purpose, self.shown)


class _Waiting:
    """One request's read record, waiting to be appended."""

    __slots__ = ("error", "lead", "result", "view", "woken")

    def __init__(self, view: tuple[Actor, str, list[str]]) -> None:
        self.view = view
        self.woken = threading.Event()
        self.lead = False
        self.result: Envelope | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """Appends the read records of requests answered at the same moment in one transaction.

    Each request still waits until its own ``record.viewed`` is committed (no read is ever
    shown before it is on the ledger, and none is lost), but on SQLite, where every append
    takes the database's one write lock and syncs to disk, twenty requests finishing together
    take the lock once instead of queueing twenty times (docs/architecture.md, "Reads on
    SQLite"). The first request to arrive appends everything waiting; those arriving while it
    does wait, and the first of them appends the next batch. A failed append fails every
    request in its batch (their reads are not on the ledger, so their pages are not shown)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[_Waiting] = []
        self._busy = False
        #: How many transactions appended how many records (for tests and the benchmark).
        self.batches: list[int] = []

    def record(self, viewer: Actor, purpose: str, shown: list[str]) -> Envelope | None:
        from django.db import connection

        if connection.in_atomic_block:
            # Inside a transaction of its own (a command, a test): append in it, since a
            # batch appended on another thread's connection would wait for this one's lock.
            from tocsin.server.concerns.actions import do_record_views

            return do_record_views([(viewer, purpose, shown)])[0]
        mine = _Waiting((viewer, purpose, shown))
        with self._lock:
            self._waiting.append(mine)
            if not self._busy:
                self._busy = mine.lead = True
        if not mine.lead:
            mine.woken.wait()
        if mine.lead:
            self._append_waiting()
        if mine.error is not None:
            raise mine.error
        return mine.result

    def _append_waiting(self) -> None:
        from tocsin.server.concerns.actions import do_record_views

        with self._lock:
            batch, self._waiting = self._waiting, []
        try:
            results = do_record_views([w.view for w in batch])
        except BaseException as exc:
            for waiting in batch:
                waiting.error = exc
        else:
            for waiting, result in zip(batch, results, strict=True):
                waiting.result = result
        with self._lock:
            self.batches.append(len(batch))
            del self.batches[:-1000]
            for waiting in batch:
                waiting.lead = False
                waiting.woken.set()
            if self._waiting:
                # The first to arrive while this batch was appended appends the next.
                self._waiting[0].lead = True
                self._waiting[0].woken.set()
            else:
                self._busy = False


#: The process's one group of read records.
READ_RECORDS = GroupCommit()


def current_scope() -> ReadScope | None:
    """The scope of the request or command being answered, if any."""
    return _current.get()


@contextmanager
def read_scope(viewer: Actor, purpose: str) -> Iterator[ReadScope]:
    """Open a scope for a CLI command (or a test) that shows records; when the block ends
    without an error, one ``record.viewed`` lists everything loaded inside it. Print only
    after the block, so that nothing is shown that is not already on the ledger."""
    scope = ReadScope(viewer, purpose)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)
    scope.record()


@contextmanager
def not_shown() -> Iterator[None]:
    """Load records without showing them (a lookup whose result the person never sees)."""
    scope = _current.get()
    if scope is None:
        yield
        return
    scope._suspended += 1
    try:
        yield
    finally:
        scope._suspended -= 1


def shows(purpose: str) -> Callable[[_View], _View]:
    """Name what a page is for in "who has seen this record" (default: its URL name)."""

    def name(view: _View) -> _View:
        view.read_purpose = purpose  # type: ignore[attr-defined]
        return view

    return name


class ShownWhenLoaded(models.Model):
    """A protected projection: loading a row adds ``shown_subjects()`` to the open scope.
    List it after ``ProjectionModel`` among the bases, whose guarded managers must come first
    (``class Child(ProjectionModel, ShownWhenLoaded)``)."""

    class Meta:
        abstract = True

    def shown_subjects(self) -> tuple[str, ...]:
        """The records a person sees when this row is shown to them."""
        raise NotImplementedError

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        scope = _current.get()
        if scope is not None:
            scope.add(instance.shown_subjects())
        return instance


class ReadScopeMiddleware:
    """Opens a read scope for each request and, once it is answered, records what it showed:
    as the signed-in person (or the person the API signed in), for the purpose the view names
    with :func:`shows` (or its URL name)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scope = ReadScope(None, request.path)
        token = _current.set(scope)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if response.status_code in _NOTHING_SHOWN or response.status_code >= 500:
            return response
        if scope.viewer is None:
            user = getattr(request, "user", None)
            scope.viewer = user if user is not None and user.is_authenticated else PUBLIC_VIEWER
        scope.record()
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        scope = _current.get()
        if scope is None:
            return
        view_class = getattr(view, "view_class", None)
        match = request.resolver_match
        scope.purpose = (
            getattr(view, "read_purpose", None)
            or getattr(view_class, "read_purpose", None)
            or (match.view_name if match is not None else request.path)
        )

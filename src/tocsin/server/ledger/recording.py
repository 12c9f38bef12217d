"""The write path's core: append one event and apply it to the projections, atomically.

Every action ends here. The append and the projection update share one database transaction,
and the transaction holds the ledger's write lock from before it reads the head until it
commits, so sequence numbers are dense and no two writers, in any number of processes, can fork
the tree.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from tocsin.domain.bounds import control_characters_problem
from tocsin.domain.events import Event
from tocsin.ledger import (
    Envelope,
    Ledger,
    NewEvent,
    SealedPayload,
    format_event_time,
    seal_payload,
)
from tocsin.server.ledger.store import DatabaseStore, DeferringStore
from tocsin.server.projections import BatchSession, LiveSession, apply_event

__all__ = [
    "LEDGER_GREW",
    "BulkRecording",
    "SystemActor",
    "appending_ledger",
    "reading_ledger",
    "record_event",
    "record_events",
    "recording_in_bulk",
]

_APPENDERS: dict[str, Ledger] = {}

LEDGER_GREW = threading.Event()
"""Set when a transaction that appended to the ledger commits in this process: it wakes the
checkpoint worker of ``tocsin serve``, so that a checkpoint covers the write within seconds."""


@dataclass(frozen=True)
class SystemActor:
    """An actor that is not a person: the command line during set-up, the worker, the demo."""

    name: str

    @property
    def actor_id(self) -> str:
        return f"system:{self.name}"


def _sealed(event: Event) -> tuple[dict[str, Any], SealedPayload, Event]:
    """The event's payload sealed as the ledger will hold it, and the event decoded back from
    those bytes: the live appliers then see exactly what a replay will, down to the order of
    keys in a JSON column, and the payload is canonicalised once."""
    payload = event.payload()
    sealed = seal_payload(payload)
    applied = type(event).from_payload(event.version, json.loads(sealed.body.decode()))
    return payload, sealed, applied


def _texts(value: Any, key: str = "") -> list[tuple[str, str]]:
    """Every text in a payload, with the name of the field that holds it."""
    if isinstance(value, str):
        return [(key, value)]
    if isinstance(value, dict):
        return [found for k, item in value.items() for found in _texts(item, str(k))]
    if isinstance(value, list | tuple):
        return [found for item in value for found in _texts(item, key)]
    return []


def _may_hold_controls(sealed: SealedPayload) -> bool:
    """Whether a payload may hold a control character :func:`_refuse_control_characters`
    refuses, read from its canonical JSON in a few C calls: there, each C0 control but tab,
    line feed and carriage return is written as an escape (``\\u00XX``, ``\\b`` or
    ``\\f``), and DEL and the C1 controls as themselves, which are not printable. A false
    alarm (an escaped backslash before a ``b``) only costs the full walk."""
    text = sealed.body.decode("utf-8")
    return not text.isprintable() or "\\u" in text or "\\b" in text or "\\f" in text


def _refuse_control_characters(
    prepared: Sequence[tuple[dict[str, Any], SealedPayload, Event]],
) -> None:
    """The last line against control characters: every write is an event, so whatever a
    route's own checks missed (a reason, a summary) is refused here, at its field, before
    the ledger or a projection sees it (PostgreSQL cannot store NUL at all). Only the payloads
    whose canonical JSON may hold one (:func:`_may_hold_controls`) are walked."""
    from tocsin.domain.concerns import FieldProblem
    from tocsin.server.actors import Invalid

    problems = [
        FieldProblem(key, message)
        for payload, sealed, _ in prepared
        if _may_hold_controls(sealed)
        for key, text in _texts(payload)
        if (message := control_characters_problem(text, free_text=True)) is not None
    ]
    if problems:
        raise Invalid(list(dict.fromkeys(problems)))


def appending_ledger(using: str = "default") -> Ledger:
    """The process's ledger for appends on ``using`` (it caches the frontier between appends)."""
    ledger = _APPENDERS.get(using)
    if ledger is None:
        ledger = _APPENDERS[using] = Ledger(DatabaseStore(using, for_update=True))
    return ledger


def reading_ledger(using: str = "default") -> Ledger:
    """A ledger for proofs and roots; takes no locks."""
    return Ledger(DatabaseStore(using))


def record_event(
    event: Event,
    *,
    actor_id: str,
    using: str = "default",
    now: datetime | None = None,
    session: LiveSession | None = None,
) -> Envelope:
    """Append ``event`` and apply it, in one transaction; return its envelope. Pass a
    ``session`` to read back the rows the applier wrote (``session.row(Model, pk)``)."""
    return record_events([event], actor_id=actor_id, using=using, now=now, session=session)[0]


def record_events(
    events: Sequence[Event],
    *,
    actor_id: str | Sequence[str],
    using: str = "default",
    now: datetime | None = None,
    session: LiveSession | None = None,
) -> list[Envelope]:
    """Append ``events`` in order and apply each, all in one transaction (for bulk loads).
    ``actor_id``: who did all of them, or one actor for each event."""
    actors = [actor_id] * len(events) if isinstance(actor_id, str) else list(actor_id)
    if len(actors) != len(events):
        raise ValueError("one actor for each event")
    time_text = format_event_time(now or timezone.now())
    ledger = appending_ledger(using)
    session = session or LiveSession(using)
    prepared = [_sealed(event) for event in events]
    _refuse_control_characters(prepared)
    with transaction.atomic(using=using):
        envelopes = ledger.append(
            [
                NewEvent(
                    kind=event.kind,
                    v=event.version,
                    time=time_text,
                    actor=actor,
                    subjects=event.subjects(),
                    payload=payload,
                    sealed=sealed,
                )
                for event, actor, (payload, sealed, _) in zip(events, actors, prepared, strict=True)
            ]
        )
        for (_, _, applied), envelope in zip(prepared, envelopes, strict=True):
            apply_event(applied, envelope, session)
        transaction.on_commit(LEDGER_GREW.set, using=using)
    return envelopes


class BulkRecording:
    """The write path of a bulk load (:func:`recording_in_bulk`): each :meth:`record` appends
    its events (sequence numbers, envelopes and tree as any append) and applies them at once,
    as :func:`record_events` does, but the ledger's rows and the projections' rows wait in
    memory (:class:`~tocsin.server.ledger.store.DeferringStore`,
    :class:`~tocsin.server.projections.BatchSession`) until :meth:`flush` writes them, a few
    statements per table. Reads in between go through :attr:`session`, never the ORM."""

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self.store = DeferringStore(using)
        self.ledger = Ledger(self.store)
        self.session = BatchSession(using)

    @property
    def waiting(self) -> int:
        """Events recorded and not yet written."""
        return self.store.waiting

    def record(
        self, events: Sequence[Event], *, actor_id: str, now: datetime | None = None
    ) -> list[Envelope]:
        """Append ``events`` by ``actor_id`` and apply them (in :attr:`session`); checked for
        control characters as every append is."""
        time_text = format_event_time(now or timezone.now())
        prepared = [_sealed(event) for event in events]
        _refuse_control_characters(prepared)
        envelopes = self.ledger.append(
            [
                NewEvent(
                    kind=event.kind,
                    v=event.version,
                    time=time_text,
                    actor=actor_id,
                    subjects=event.subjects(),
                    payload=payload,
                    sealed=sealed,
                )
                for event, (payload, sealed, _) in zip(events, prepared, strict=True)
            ]
        )
        for (_, _, applied), envelope in zip(prepared, envelopes, strict=True):
            apply_event(applied, envelope, self.session)
        return envelopes

    def flush(self) -> None:
        """Write the waiting ledger rows and projection rows (inside the load's transaction)."""
        self.store.write_deferred()
        self.session.flush()


@contextmanager
def recording_in_bulk(using: str = "default") -> Iterator[BulkRecording]:
    """One transaction for a bulk load through :class:`BulkRecording`: everything it
    recorded is written when the block ends (flush earlier to let the ORM see it), or nothing
    is, if the block raises."""
    with transaction.atomic(using=using):
        recording = BulkRecording(using)
        yield recording
        recording.flush()
        transaction.on_commit(LEDGER_GREW.set, using=using)

"""The write path's core: append one event and apply it to the projections, atomically.

Every action ends here. The append and the projection update share one database transaction,
and the transaction holds the ledger's write lock from before it reads the head until it
commits, so sequence numbers are dense and no two writers, in any number of processes, can fork
the tree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from tocsin.domain.events import Event
from tocsin.ledger import (
    Envelope,
    Ledger,
    NewEvent,
    SealedPayload,
    format_event_time,
    seal_payload,
)
from tocsin.server.ledger.store import DatabaseStore
from tocsin.server.projections import LiveSession, apply_event

__all__ = ["SystemActor", "appending_ledger", "reading_ledger", "record_event", "record_events"]

_APPENDERS: dict[str, Ledger] = {}


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
    actor_id: str,
    using: str = "default",
    now: datetime | None = None,
    session: LiveSession | None = None,
) -> list[Envelope]:
    """Append ``events`` in order and apply each, all in one transaction (for bulk loads)."""
    time_text = format_event_time(now or timezone.now())
    ledger = appending_ledger(using)
    session = session or LiveSession(using)
    prepared = [_sealed(event) for event in events]
    with transaction.atomic(using=using):
        envelopes = ledger.append(
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
            apply_event(applied, envelope, session)
    return envelopes

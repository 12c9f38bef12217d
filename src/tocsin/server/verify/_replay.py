"""Passes 2 and 3a: every envelope and commitment checked, every event replayed into memory.

Every leaf is parsed (canonical form, envelope members, its sequence number and the copies of
its kind and subject); every stored payload is checked against its commitment; a missing
payload is accepted only where a ``record.expunged`` event lists it. Every event is then
applied, by the same appliers the live system uses, to a :class:`ReplaySession`.
"""

from __future__ import annotations

import json

from tocsin.domain.events import EventDecodeError, event_type
from tocsin.domain.records import RecordExpunged
from tocsin.ledger import CanonicalJSONError, Envelope, EnvelopeError, LedgerStore
from tocsin.server.projections import ReplaySession, apply_event
from tocsin.server.verify._names import PAYLOAD_TABLE, TABLES, Problem, Progress

__all__ = ["check_events_and_replay", "expunged_seqs"]


def expunged_seqs(store: LedgerStore, problems: list[Problem]) -> dict[int, int]:
    """Payloads that ``record.expunged`` events erased: event seq -> the expunging seq. Only
    earlier events can be erased: an expunction naming a later one erases nothing."""
    erased: dict[int, int] = {}
    for stored in store.events_of_kind(RecordExpunged.kind):
        seq = stored.seq
        if stored.payload is None:
            problems.append(
                Problem(
                    "payload",
                    PAYLOAD_TABLE,
                    str(seq),
                    seq,
                    "the payload of a record.expunged event is missing",
                )
            )
            continue
        try:
            seqs = stored.payload.decode()["seqs"]
        except (CanonicalJSONError, EnvelopeError, KeyError, TypeError):
            continue  # reported by pass 2 when the commitment or payload is checked
        for erased_seq in seqs if isinstance(seqs, list) else []:
            if isinstance(erased_seq, int) and erased_seq < seq:
                erased[erased_seq] = seq
    return erased


def check_events_and_replay(
    store: LedgerStore, size: int, problems: list[Problem], progress: Progress
) -> ReplaySession:
    """Check every event below ``size`` and replay it; return the replayed projections."""
    leaf_table = TABLES.leaf
    erased = expunged_seqs(store, problems)
    session = ReplaySession()
    for batch in store.stream_events(size):
        for seq, kind_column, subject_column, data, sealed in batch:
            try:
                envelope = Envelope.parse(data)
            except EnvelopeError as exc:
                problems.append(Problem("envelope", leaf_table, str(seq), seq, str(exc)))
                continue
            if envelope.seq != seq:
                problems.append(
                    Problem(
                        "envelope",
                        leaf_table,
                        str(seq),
                        seq,
                        f"the leaf says it is seq {envelope.seq}",
                    )
                )
            first_subject = envelope.subjects[0] if envelope.subjects else ""
            if kind_column != envelope.kind or subject_column != first_subject:
                problems.append(
                    Problem(
                        "envelope",
                        leaf_table,
                        str(seq),
                        seq,
                        "the kind or subject column differs from the leaf",
                    )
                )
            if sealed is None:
                if seq not in erased:
                    problems.append(
                        Problem(
                            "payload",
                            PAYLOAD_TABLE,
                            str(seq),
                            seq,
                            "payload is missing and no record.expunged event erased it",
                        )
                    )
                # The record's rows become tombstones now, as its record.expunged event will
                # make them later, so events about other records can still refer to it.
                if first_subject:
                    session.seq = seq
                    session.erase_subject(first_subject)
                continue
            if seq in erased:
                problems.append(
                    Problem(
                        "payload",
                        PAYLOAD_TABLE,
                        str(seq),
                        seq,
                        f"payload should have been erased by the record.expunged event at seq "
                        f"{erased[seq]}",
                    )
                )
            if sealed.commitment != envelope.commitment:
                problems.append(
                    Problem(
                        "payload",
                        PAYLOAD_TABLE,
                        str(seq),
                        seq,
                        "payload or salt does not match the leaf's commitment",
                    )
                )
                continue
            try:
                # The commitment matched, so these are exactly the bytes appended: decoding
                # them needs no second canonical-form check.
                payload = json.loads(sealed.body.decode("utf-8"))
                event = event_type(envelope.kind).from_payload(envelope.v, payload)
                apply_event(event, envelope, session)
            except (
                LookupError,
                EventDecodeError,
                CanonicalJSONError,
                EnvelopeError,
                TypeError,
                ValueError,
                AttributeError,
            ) as exc:
                problems.append(
                    Problem("replay", leaf_table, str(seq), seq, f"event cannot be replayed: {exc}")
                )
            if seq % 20000 == 0:
                progress("events", seq, size)
    for seq in store.orphan_payloads():
        problems.append(Problem("payload", PAYLOAD_TABLE, str(seq), seq, "payload has no leaf"))
    progress("events", size, size)
    return session

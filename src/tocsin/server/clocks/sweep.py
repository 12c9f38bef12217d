"""The sweep: the clock engine run over the ledger, escalations appended, the cache kept.

Each sweep carries on from the saved state: it reads only the events appended since the last
one, feeds them to the engine, asks it which levels have been reached by ``now``, appends one
``obligation.escalated`` per obligation per level (feeding each back, so a second sweep at
the same moment appends nothing), and updates the cached open obligations it changed. Its cost
is in proportion to the new events and the obligations they touch, not to the whole ledger.
One sweep runs at a time (the state row is locked for the whole transaction). After the
escalations it runs the capacity check (``tocsin.server.capacity.check``): caseloads and queue
ages against the policy's thresholds, alarms raised and cleared as events. The messages that
tell people of the escalations and alarms are queued in the same transaction
(``tocsin.server.clocks.notify``), and the outbox is drained once it commits: every sweep
also tries again the messages that failed before.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.db import transaction
from django.utils import timezone

from tocsin.config import load_config
from tocsin.domain.clocks import (
    CapacityAlarmRaised,
    ClockEngine,
    ClockEvent,
    ClockPolicy,
    ClockStateError,
    Escalation,
    Obligation,
    default_policy,
    load_policy,
)
from tocsin.domain.events import EventDecodeError, event_type
from tocsin.ledger import Envelope, EnvelopeError, format_event_time
from tocsin.server.actors import SystemActor, actor_id
from tocsin.server.clocks.models import ClockState, OpenObligation
from tocsin.server.ledger.recording import reading_ledger, record_event
from tocsin.server.ledger.store import DatabaseStore

__all__ = ["CLOCKS", "SweepResult", "clocks_policy", "sweep"]

#: Who appends escalations: the clocks themselves, not any person.
CLOCKS = SystemActor("clocks")

Progress = Callable[[str, int, int], None]


@cache
def clocks_policy() -> ClockPolicy:
    """The policy in force: the file the ``TOCSIN_CLOCKS_POLICY`` setting names, or the
    shipped default."""
    path = load_config().clocks_policy
    return load_policy(path) if path is not None else default_policy()


@dataclass
class SweepResult:
    as_of: datetime
    #: events fed to the engine this sweep (appended since the last one).
    fed: int = 0
    escalations: list[Escalation] = field(default_factory=list)
    open: int = 0
    rebuilt: bool = False
    #: messages sent from the outbox by this sweep (docs/clocks.md, "Notifications"): of the
    #: escalations, alarms and answers, new or tried again.
    notified: int = 0
    #: messages queued by this sweep, sends that failed (kept to try again), and messages
    #: still waiting in the outbox afterwards.
    queued: int = 0
    notify_failed: int = 0
    notify_waiting: int = 0
    #: capacity alarms raised and cleared by this sweep (``tocsin.server.capacity``).
    alarms_raised: int = 0
    alarms_cleared: int = 0


def _clock_events(after: int | None, end: int, kinds: Collection[str]) -> Iterator[ClockEvent]:
    """The ledger's events of ``kinds`` after seq ``after`` (up to ``end``), as the engine
    reads them; an erased payload is None, and a payload decoded at its current version
    (upcast). Events of other kinds would change nothing in the engine, so they are not
    read (the sweep then skips the engine to the end)."""
    store = DatabaseStore()  # the reading ledger's store, with the query by kind
    start = 0 if after is None else after + 1
    for batch in store.stream_events_of_kinds(kinds, end, start=start):
        for seq, _kind, _subject, data, sealed in batch:
            try:
                envelope = Envelope.parse(data)
            except EnvelopeError:
                continue  # tocsin verify reports it; the clocks read what they can
            payload: dict[str, Any] | None = None
            if sealed is not None:
                try:
                    raw = json.loads(sealed.body.decode("utf-8"))
                    payload = event_type(envelope.kind).from_payload(envelope.v, raw).payload()
                except (LookupError, EventDecodeError, TypeError, ValueError):
                    payload = None
            yield ClockEvent.of(seq, envelope.time, envelope.kind, envelope.subjects, payload)


def _engine(policy: ClockPolicy, saved: ClockState | None) -> tuple[ClockEngine, bool]:
    """The engine as the last sweep left it, or a fresh one (to replay the whole ledger) when
    there is no saved state or it was saved under another policy."""
    if saved is not None and saved.policy_digest == policy.digest:
        try:
            return ClockEngine.from_state(policy, saved.state), False
        except ClockStateError:
            pass
    return ClockEngine(policy), True


#: The engine the last sweep in this process saved, by what it saved (last seq, policy,
#: when): the next sweep carries on from it rather than reading the saved state back.
_RESUMED: dict[str, tuple[tuple[Any, ...], ClockEngine]] = {}
_RESUMED_LOCK = threading.Lock()


def _mark(saved: Mapping[str, Any]) -> tuple[Any, ...]:
    return (saved["last_seq"], saved["policy_digest"], saved["swept_at"])


def _keep(mark: tuple[Any, ...], engine: ClockEngine) -> None:
    with _RESUMED_LOCK:
        _RESUMED["engine"] = (mark, engine)


def _resumed(policy: ClockPolicy) -> tuple[tuple[Any, ...], ClockEngine, bool] | None:
    """The engine to carry on from, made before the sweep takes the write lock: the one this
    process's last sweep saved when the saved state is still that one, else read from the
    saved state. Reading a borough's state back (tens of thousands of open obligations, their
    deadlines worked out again on the calendar) takes seconds, and on SQLite every page that
    shows a record waits while the sweep holds the lock. The sweep uses it only if the state
    is unchanged once locked."""
    with _RESUMED_LOCK:
        kept = _RESUMED.pop("engine", None)  # the sweep changes it: nobody else may hold it
    peek = ClockState.objects.filter(pk=1).values("last_seq", "policy_digest", "swept_at").first()
    if peek is None:
        return None
    if kept is not None and kept[0] == _mark(peek) and peek["policy_digest"] == policy.digest:
        return kept[0], kept[1], False
    saved = ClockState.objects.filter(pk=1).first()
    if saved is None:
        return None
    engine, rebuilt = _engine(policy, saved)
    return (saved.last_seq, saved.policy_digest, saved.swept_at), engine, rebuilt


def _cache(ob: Obligation) -> OpenObligation:
    return OpenObligation(
        id=ob.id,
        obligation=ob.obligation,
        label=ob.label,
        key=ob.key,
        concern_id=ob.concern_id,
        owner=ob.owner,
        owner_id=ob.owner_id or "",
        started=ob.started,
        due=ob.due,
        level_1=ob.thresholds[0],
        level_2=ob.thresholds[1],
        level_3=ob.thresholds[2],
        escalated_level=ob.escalated_level,
    )


def _refresh(engine: ClockEngine, ids: set[str], now: datetime, rebuilt: bool) -> None:
    """Bring the cached open obligations in line with the engine: all of them after a
    rebuild, otherwise only those this sweep changed."""
    if rebuilt:
        OpenObligation.objects.all().delete()
        rows = [_cache(ob) for ob in engine.open_obligations(now)]
        OpenObligation.objects.bulk_create(rows, batch_size=2000)
        return
    gone, kept = [], []
    for obligation_id in ids:
        ob = engine.obligation(obligation_id, now)
        if ob is None or not ob.is_open:
            gone.append(obligation_id)
        else:
            kept.append(_cache(ob))
    OpenObligation.objects.filter(id__in=gone).delete()
    OpenObligation.objects.filter(id__in=[row.id for row in kept]).delete()
    OpenObligation.objects.bulk_create(kept, batch_size=2000)


def sweep(
    now: datetime | None = None, *, rebuild: bool = False, progress: Progress | None = None
) -> SweepResult:
    """Run the clocks up to ``now`` (default: the present): feed the new events, append the
    escalations due, save the state and refresh the cache. ``rebuild`` replays the whole
    ledger into a fresh engine first."""
    report = progress or (lambda phase, done, total: None)
    now = now or timezone.now()
    policy = clocks_policy()
    ready = None if rebuild else _resumed(policy)
    with transaction.atomic():
        locked = (
            ClockState.objects.select_for_update()
            .filter(pk=1)
            .values("last_seq", "policy_digest", "swept_at")
            .first()
        )
        if ready is not None and locked is not None and _mark(locked) == ready[0]:
            _, engine, rebuilt = ready
        else:  # another sweep saved in between, or nothing to resume from
            saved = None if rebuild else ClockState.objects.filter(pk=1).first()
            engine, rebuilt = _engine(policy, saved)
        result = SweepResult(as_of=now, rebuilt=rebuilt)
        end = reading_ledger().store.head()[0]
        first = 0 if engine.last_seq is None else engine.last_seq + 1
        changed: set[str] = set()
        events = _clock_events(engine.last_seq, end, engine.kinds)
        for read, event in enumerate(events, start=1):
            changed |= {change.obligation.id for change in engine.feed(event)}
            if read % 5000 == 0:
                report("reading the ledger", event.seq - first + 1, end - first)
        if end > first:
            engine.skip_to(end - 1)
        result.fed = max(0, end - first)
        report("reading the ledger", max(0, end - first), max(0, end - first))
        due = engine.sweep(now)
        for done, escalation in enumerate(due, start=1):
            envelope = record_event(escalation.to_event(), actor_id=actor_id(CLOCKS))
            event = ClockEvent.of(
                envelope.seq,
                envelope.time,
                envelope.kind,
                envelope.subjects,
                escalation.to_event().payload(),
            )
            changed |= {change.obligation.id for change in engine.feed(event)}
            changed.add(escalation.obligation_id)
            if done % 500 == 0:
                report("escalating", done, len(due))
        report("escalating", len(due), len(due))
        result.escalations = due
        # After the escalations: caseloads and queue ages against the policy's [capacity].
        from tocsin.server.capacity.check import check_capacity  # the capacity app uses ours

        alarms = check_capacity(policy, now)
        result.alarms_raised, result.alarms_cleared = len(alarms.raised), len(alarms.cleared)
        result.queued = _queue(due, alarms.raised, policy, now)
        _refresh(engine, changed, now, rebuilt)
        swept_at = format_event_time(now)
        ClockState.objects.update_or_create(
            pk=1,
            defaults={
                "policy_digest": policy.digest,
                "last_seq": engine.last_seq,
                "state": engine.state(),
                "swept_at": swept_at,
            },
        )
        result.open = len(engine)
        mark = (engine.last_seq, policy.digest, swept_at)
        transaction.on_commit(lambda: _keep(mark, engine))
    from tocsin.server.clocks.notify import drain

    drained = drain(now)
    result.notified, result.notify_failed = drained.sent, drained.failed
    result.notify_waiting = drained.waiting
    return result


def _queue(
    escalations: list[Escalation],
    alarms: list[CapacityAlarmRaised],
    policy: ClockPolicy,
    now: datetime,
) -> int:
    """Queue the messages telling the people at each new escalation's level, and those each
    new capacity alarm goes to, in the sweep's transaction (sent once it commits)."""
    from tocsin.server.clocks.notify import queue_alarms, queue_escalations
    from tocsin.server.concerns.models import Concern

    ids = {e.concern_id for e in escalations if e.concern_id}
    references = {
        str(pk): reference
        for pk, reference in Concern.objects.filter(pk__in=ids).values_list("pk", "reference")
    }
    return queue_escalations(escalations, references, policy, now) + queue_alarms(alarms, now)

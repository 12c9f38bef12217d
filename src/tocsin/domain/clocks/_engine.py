"""The clock engine: obligations derived from the policy, the events and "now".

Obligations are never stored as mutable state of their own: they are a pure function of the
policy, the event history and the moment asked about. :func:`evaluate` is that function.
:class:`ClockEngine` computes the same thing incrementally, for the server: it is fed events
one at a time in ledger order (remembering only the obligations still open), and
:meth:`ClockEngine.sweep` returns the escalations that are due and not yet recorded at a
cost in proportion to those escalations, not to the ledger (a heap ordered by when each open
obligation next climbs a level). Escalations are recorded by appending their events and
feeding them back, so a second sweep at the same moment returns nothing new.

The engine's state is plain JSON (:meth:`ClockEngine.state`), so the server can keep it with a
projection and carry on from the last event it saw; it holds only open obligations and the
few proposals a pattern's ``refers_to`` is waiting on.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from tocsin.domain.clocks._events import ObligationEscalated
from tocsin.domain.clocks._obligations import (
    ClockEvent,
    Escalation,
    Evaluation,
    Obligation,
    ObligationChange,
)
from tocsin.domain.clocks._obligations import moment as _moment
from tocsin.domain.clocks._policy import (
    TOP_LEVEL,
    Amount,
    ClockPolicy,
    EventPattern,
    ObligationRule,
)

__all__ = ["ClockEngine", "ClockStateError", "evaluate"]

_STATE_FORMAT = 1


class ClockStateError(ValueError):
    """A saved engine state cannot be used with this policy (or is not an engine state):
    replay the ledger into a new engine instead."""


@dataclass
class _Open:
    """An obligation the engine is still watching (mutable; never handed out)."""

    id: str
    rule: ObligationRule
    key: str
    concern_id: str | None
    child_ids: tuple[str, ...]
    owner_id: str | None
    trigger_seq: int
    started: datetime
    due: datetime
    thresholds: tuple[datetime, datetime, datetime]
    #: False while it waits for one of its rule's ``applies_when`` events.
    applies: bool
    escalated_level: int = 0
    subjects: tuple[str, ...] = field(default=())

    def level_at(self, now: datetime) -> int:
        return sum(1 for threshold in self.thresholds if threshold <= now)


class ClockEngine:
    """Open obligations, fed one event at a time; see the module's docstring."""

    def __init__(self, policy: ClockPolicy) -> None:
        self.policy = policy
        self.calendar = policy.calendar
        self._rules = {rule.id: rule for rule in policy.obligations}
        self._reference_index = {ref: i for i, ref in enumerate(policy.references)}
        #: reference index -> the event kinds that refer to it (and so use it up).
        self._referring_kinds = {
            i: {p.kind for p in policy.every_pattern() if p.refers_to == ref}
            for ref, i in self._reference_index.items()
        }
        self._open: dict[str, _Open] = {}
        self._by_subject: dict[str, set[str]] = {}
        self._by_rule_key: dict[tuple[str, str], str] = {}
        #: (time a level is reached, obligation id, level); stale entries are skipped.
        self._heap: list[tuple[datetime, str, int]] = []
        #: (reference index, subject) of remembered events a pattern may refer to.
        self._references: set[tuple[int, str]] = set()
        self.last_seq: int | None = None
        #: The event kinds that can change the engine: every other kind only moves
        #: :attr:`last_seq` on (see :meth:`skip_to`).
        self.kinds: frozenset[str] = frozenset(
            {
                ObligationEscalated.kind,
                "escalation.closed",
                *policy.triggers_by_kind,
                *(pattern.kind for pattern in policy.every_pattern()),
                *(reference.kind for reference in policy.references),
            }
        )

    def __len__(self) -> int:
        """How many obligations are open (applying and not yet met or cancelled)."""
        return sum(1 for ob in self._open.values() if ob.applies)  # for tests and reports

    # --- feeding ------------------------------------------------------------------------------

    def feed(self, event: ClockEvent) -> list[ObligationChange]:
        """Apply one event (in ledger order); what it changed. An event at or below the last
        sequence number seen is ignored, so feeding the same history twice changes nothing."""
        if self.last_seq is not None and event.seq <= self.last_seq:
            return []
        self.last_seq = event.seq
        if event.kind not in self.kinds:
            return []
        changes: list[ObligationChange] = []
        if event.kind == ObligationEscalated.kind:
            self._read_escalation(event, changes)
        elif event.kind == "escalation.closed":
            self._read_closing(event, changes)
        self._match_open(event, changes)
        self._open_new(event, changes)
        self._remember_references(event)
        self._clean_heap()
        return changes

    def feed_all(self, events: Iterable[ClockEvent]) -> list[ObligationChange]:
        """Feed several events in order; every change they made."""
        changes: list[ObligationChange] = []
        for event in events:
            changes += self.feed(event)
        return changes

    def skip_to(self, seq: int) -> None:
        """Count every event up to ``seq`` as fed, when none of those not fed is of a kind in
        :attr:`kinds` (so feeding them would have changed nothing but :attr:`last_seq`): a
        reader that fetches only those kinds from the ledger calls this at the end."""
        if self.last_seq is None or seq > self.last_seq:
            self.last_seq = seq

    def _read_escalation(self, event: ClockEvent, changes: list[ObligationChange]) -> None:
        payload = event.payload or {}
        ob = self._open.get(str(payload.get("obligation_id", "")))
        level = payload.get("level")
        if ob is None or not ob.applies or not isinstance(level, int):
            return
        if level > ob.escalated_level:
            ob.escalated_level = min(level, TOP_LEVEL)
            self._schedule(ob)
            changes.append(ObligationChange("escalated", event.seq, self._view(ob, event.time)))

    def _read_closing(self, event: ClockEvent, changes: list[ObligationChange]) -> None:
        payload = event.payload or {}
        ob = self._open.get(str(payload.get("obligation_id", "")))
        if ob is not None and not ob.applies:
            self._forget(ob)
        elif ob is not None:
            reason = payload.get("reason")
            self._end(ob, "cancelled", event, changes, reason=str(reason) if reason else None)

    def _match_open(self, event: ClockEvent, changes: list[ObligationChange]) -> None:
        candidates: set[str] = set()
        for subject in event.subjects:
            candidates |= self._by_subject.get(subject, set())
        for ob_id in sorted(candidates, key=lambda i: self._open[i].trigger_seq):
            ob = self._open.get(ob_id)
            if ob is None:
                continue
            rule = ob.rule
            if not ob.applies:
                if any(self._hits(p, event, ob) for p in rule.cancelled_by):
                    self._forget(ob)
                    continue
                if not any(self._hits(p, event, ob) for p in rule.applies_when):
                    continue
                ob.applies = True
                self._schedule(ob)
                changes.append(ObligationChange("opened", event.seq, self._view(ob, event.time)))
            if any(self._hits(p, event, ob) for p in rule.satisfied_by):
                self._end(ob, "met", event, changes)
            elif any(self._hits(p, event, ob) for p in rule.cancelled_by):
                self._end(ob, "cancelled", event, changes)

    def _hits(self, pattern: EventPattern, event: ClockEvent, ob: _Open) -> bool:
        if not pattern.payload_matches(event.kind, event.payload):
            return False
        prefix = (pattern.on or ob.rule.key) + ":"
        if not any(s in event.subjects for s in ob.subjects if s.startswith(prefix)):
            return False
        reference = pattern.refers_to
        if reference is None:
            return True
        index = self._reference_index[reference]
        by = reference.by + ":"
        return any((index, s) in self._references for s in event.subjects if s.startswith(by))

    def _open_new(self, event: ClockEvent, changes: list[ObligationChange]) -> None:
        for rule, trigger in self.policy.triggers_by_kind.get(event.kind, ()):
            if not trigger.matches(event.kind, event.payload):
                continue
            payload = event.payload or {}
            if trigger.for_each is not None:
                items = payload.get(trigger.for_each)
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, Mapping) and item.get(trigger.item_id) is not None:
                        item_id = str(item[trigger.item_id])
                        key = f"{rule.key}:{item_id}"
                        self._start(
                            rule, event, key, f"{rule.id}:{event.seq}:{item_id}", item, changes
                        )
                continue
            subject = next((s for s in event.subjects if s.startswith(rule.key + ":")), None)
            if subject is not None:
                self._start(rule, event, subject, f"{rule.id}:{event.seq}", payload, changes)

    def _start(
        self,
        rule: ObligationRule,
        event: ClockEvent,
        key: str,
        ob_id: str,
        fields: Mapping[str, Any],
        changes: list[ObligationChange],
    ) -> None:
        existing = self._open.get(self._by_rule_key.get((rule.id, key), ""))
        if existing is not None:
            if rule.on_retrigger == "keep":
                return
            if existing.applies:
                self._end(existing, "cancelled", event, changes, ended_by="superseded")
            else:
                self._forget(existing)
        due = self._due(rule, event.time, fields)
        owner = fields.get(rule.owner_field) if rule.owner_field else None
        concern = next((s[8:] for s in event.subjects if s.startswith("concern:")), None)
        children = tuple(s[6:] for s in event.subjects if s.startswith("child:"))
        ob = _Open(
            id=ob_id,
            rule=rule,
            key=key,
            concern_id=concern,
            child_ids=children,
            owner_id=str(owner) if owner is not None else None,
            trigger_seq=event.seq,
            started=event.time,
            due=due,
            thresholds=self._thresholds(rule, due),
            applies=not rule.applies_when,
        )
        self._add(ob)
        if ob.applies:
            changes.append(ObligationChange("opened", event.seq, self._view(ob, event.time)))

    def _due(self, rule: ObligationRule, start: datetime, fields: Mapping[str, Any]) -> datetime:
        if isinstance(rule.due, Amount):
            return rule.due.after(start, self.calendar)
        return _due_from(fields.get(rule.due.field), self.calendar, start)

    def _thresholds(
        self, rule: ObligationRule, due: datetime
    ) -> tuple[datetime, datetime, datetime]:
        second = max(due, rule.ladder[0].after(due, self.calendar))
        third = max(second, rule.ladder[1].after(due, self.calendar))
        return (due, second, third)

    def _remember_references(self, event: ClockEvent) -> None:
        for reference, index in self._reference_index.items():
            by = reference.by + ":"
            named = [s for s in event.subjects if s.startswith(by)]
            # An event of a kind that refers to a remembered one uses it up (a sign-off is
            # final), so only proposals still waiting are remembered.
            if event.kind in self._referring_kinds[index]:
                for subject in named:
                    self._references.discard((index, subject))
            if event.kind == reference.kind and all(
                c.holds(event.payload) for c in reference.where
            ):
                for subject in named:
                    self._references.add((index, subject))

    # --- bookkeeping --------------------------------------------------------------------------

    def _add(self, ob: _Open) -> None:
        subjects = [ob.key]
        if ob.concern_id is not None:
            subjects.append(f"concern:{ob.concern_id}")
        subjects += [f"child:{child}" for child in ob.child_ids]
        ob.subjects = tuple(dict.fromkeys(subjects))
        self._open[ob.id] = ob
        self._by_rule_key[(ob.rule.id, ob.key)] = ob.id
        for subject in ob.subjects:
            self._by_subject.setdefault(subject, set()).add(ob.id)
        if ob.applies:
            self._schedule(ob)

    def _forget(self, ob: _Open) -> None:
        self._open.pop(ob.id, None)
        if self._by_rule_key.get((ob.rule.id, ob.key)) == ob.id:
            del self._by_rule_key[(ob.rule.id, ob.key)]
        for subject in ob.subjects:
            waiting = self._by_subject.get(subject)
            if waiting is not None:
                waiting.discard(ob.id)
                if not waiting:
                    del self._by_subject[subject]

    def _end(
        self,
        ob: _Open,
        status: str,
        event: ClockEvent,
        changes: list[ObligationChange],
        *,
        ended_by: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._forget(ob)
        view = replace(
            self._view(ob, event.time),
            status=status,
            level=ob.escalated_level,
            ended_by=ended_by or event.kind,
            ended_seq=event.seq,
            ended_at=event.time,
            ended_reason=reason,
        )
        changes.append(ObligationChange(status, event.seq, view))

    def _schedule(self, ob: _Open) -> None:
        if ob.escalated_level < TOP_LEVEL:
            level = ob.escalated_level + 1
            heapq.heappush(self._heap, (ob.thresholds[level - 1], ob.id, level))

    def _live(self, entry: tuple[datetime, str, int]) -> _Open | None:
        when, ob_id, level = entry
        ob = self._open.get(ob_id)
        if ob is None or not ob.applies or level != ob.escalated_level + 1:
            return None
        return ob if ob.thresholds[level - 1] == when else None

    def _clean_heap(self) -> None:
        heap = self._heap
        while heap and self._live(heap[0]) is None:
            heapq.heappop(heap)
        # Each open obligation has at most one live entry: past twice that, rebuild.
        if len(heap) > 2 * len(self._open) + 1024:
            self._heap = [e for e in heap if self._live(e) is not None]
            heapq.heapify(self._heap)

    # --- reading ------------------------------------------------------------------------------

    def _view(self, ob: _Open, now: datetime) -> Obligation:
        return Obligation(
            id=ob.id,
            obligation=ob.rule.id,
            label=ob.rule.label,
            key=ob.key,
            concern_id=ob.concern_id,
            child_ids=ob.child_ids,
            owner=ob.rule.owner,
            owner_id=ob.owner_id,
            trigger_seq=ob.trigger_seq,
            started=ob.started,
            due=ob.due,
            thresholds=ob.thresholds,
            escalated_level=ob.escalated_level,
            status="overdue" if now >= ob.due else "open",
            level=ob.level_at(now),
            as_of=now,
        )

    def open_obligations(self, now: datetime, *, overdue_only: bool = False) -> list[Obligation]:
        """The open obligations as of ``now``, soonest due first."""
        now = _moment(now)
        found = [self._view(ob, now) for ob in self._open.values() if ob.applies]
        if overdue_only:
            found = [ob for ob in found if ob.status == "overdue"]
        return sorted(found, key=lambda ob: (ob.due, ob.id))

    def obligation(self, obligation_id: str, now: datetime) -> Obligation | None:
        """The open obligation ``obligation_id`` as of ``now``; None if it is not open."""
        ob = self._open.get(obligation_id)
        return self._view(ob, _moment(now)) if ob is not None and ob.applies else None

    def next_escalation_at(self) -> datetime | None:
        """When the next level will be reached by any open obligation (for a worker's sleep)."""
        self._clean_heap()
        return self._heap[0][0] if self._heap else None

    def sweep(self, now: datetime) -> list[Escalation]:
        """The escalations due at ``now`` that are not yet recorded, in the order they fell
        due: one per obligation per level. Nothing changes until their events are fed back."""
        now = _moment(now)
        self._clean_heap()
        heap, found, seen = self._heap, [], set()
        stack = [0]
        while stack:
            i = stack.pop()
            if i >= len(heap) or heap[i][0] > now:
                continue  # a heap's children are never earlier than their parent
            stack += (2 * i + 1, 2 * i + 2)
            ob = self._live(heap[i])
            if ob is None or ob.id in seen:
                continue
            seen.add(ob.id)
            for level in range(ob.escalated_level + 1, ob.level_at(now) + 1):
                found.append(
                    Escalation(
                        obligation_id=ob.id,
                        obligation=ob.rule.id,
                        concern_id=ob.concern_id,
                        level=level,
                        to_role=self.policy.level(level).role,
                        due=ob.due,
                        reached=ob.thresholds[level - 1],
                        as_of=now,
                        policy_version=self.policy.version,
                    )
                )
        return sorted(found, key=lambda e: (e.reached, e.obligation_id, e.level))

    # --- saving -------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything the engine remembers, as plain JSON."""
        return {
            "format": _STATE_FORMAT,
            "policy": self.policy.policy,
            "policy_version": self.policy.version,
            "policy_digest": self.policy.digest,
            "last_seq": self.last_seq,
            "obligations": [
                {
                    "id": ob.id,
                    "obligation": ob.rule.id,
                    "key": ob.key,
                    "concern_id": ob.concern_id,
                    "child_ids": list(ob.child_ids),
                    "owner_id": ob.owner_id,
                    "trigger_seq": ob.trigger_seq,
                    "started": ob.started.isoformat(),
                    "due": ob.due.isoformat(),
                    "applies": ob.applies,
                    "escalated_level": ob.escalated_level,
                }
                for ob in sorted(self._open.values(), key=lambda o: o.trigger_seq)
            ],
            "references": sorted([index, subject] for index, subject in self._references),
        }

    @classmethod
    def from_state(cls, policy: ClockPolicy, state: Mapping[str, Any]) -> ClockEngine:
        """An engine carrying on from :meth:`state`; :class:`ClockStateError` when the state
        was saved under another policy (replay the ledger then)."""
        if state.get("format") != _STATE_FORMAT:
            raise ClockStateError("not a clock engine state this version of Tocsin can read")
        if state.get("policy_digest") != policy.digest:
            raise ClockStateError(
                "the clock engine state was saved under a different clocks policy: replay"
            )
        engine = cls(policy)
        try:
            for saved in state["obligations"]:
                rule = engine._rules[saved["obligation"]]
                due = _moment(saved["due"])
                engine._add(
                    _Open(
                        id=saved["id"],
                        rule=rule,
                        key=saved["key"],
                        concern_id=saved["concern_id"],
                        child_ids=tuple(saved["child_ids"]),
                        owner_id=saved["owner_id"],
                        trigger_seq=saved["trigger_seq"],
                        started=_moment(saved["started"]),
                        due=due,
                        thresholds=engine._thresholds(rule, due),
                        applies=saved["applies"],
                        escalated_level=saved["escalated_level"],
                    )
                )
            engine._references = {(int(i), str(s)) for i, s in state["references"]}
            engine.last_seq = state["last_seq"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ClockStateError(f"the clock engine state is damaged: {exc!r}") from None
        return engine


def _due_from(value: object, calendar: Any, start: datetime) -> datetime:
    """A due time a trigger carries: an ISO date (by the end of that day) or an RFC 3339
    moment. One that cannot be read is due at once, so that it is seen, not lost."""
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return calendar.end_of_day(date.fromisoformat(value))  # type: ignore[no-any-return]
            return _moment(value)
        except ValueError:
            pass
    return start


def evaluate(policy: ClockPolicy, events: Iterable[ClockEvent], now: datetime) -> Evaluation:
    """Every obligation the events (in ledger order) created, as of ``now``, and the
    escalations due then and not yet recorded. Events after ``now`` are left out, so this
    answers "as of" questions too."""
    now = _moment(now)
    engine = ClockEngine(policy)
    seen: dict[str, Obligation] = {}
    for event in events:
        if event.time > now:
            continue
        for change in engine.feed(event):
            seen[change.obligation.id] = change.obligation
    for ob in engine.open_obligations(now):
        seen[ob.id] = ob
    ordered = sorted(seen.values(), key=lambda ob: (ob.trigger_seq, ob.id))
    return Evaluation(now, tuple(ordered), tuple(engine.sweep(now)))

"""People actions: score concerns recorded in bulk against everyone known, and search across
the partnership. (Each concern recorded one at a time is scored by the recording action.)"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction

from tocsin.domain.events import Event
from tocsin.ledger import Envelope
from tocsin.server.actors import Actor, actor_id, require_role
from tocsin.server.ledger.recording import record_events
from tocsin.server.people.known import matched_events
from tocsin.server.people.merges import model_merges
from tocsin.server.people.models import PersonRecord
from tocsin.server.projections import BatchSession

__all__ = ["MATCHING_BATCH", "do_match_people"]

#: Concerns whose records are fetched and appended together.
MATCHING_BATCH = 2000

_SIDES = ("left", "right")


def _records_of(concern_ids: Sequence[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for start in range(0, len(concern_ids), MATCHING_BATCH):
        # values(): scoring shows nobody a record.
        rows += PersonRecord.objects.filter(
            concern_id__in=concern_ids[start : start + MATCHING_BATCH]
        ).values()
    rows.sort(key=lambda r: (r["recorded_seq"], r["kind"], r["position"]))
    return [{**r, "record_id": r["id"], "concern_id": str(r["concern_id"])} for r in rows]


def do_match_people(
    concern_ids: Sequence[str],
    *,
    actor: Actor,
    progress: Callable[[int, int], None] | None = None,
) -> list[Envelope]:
    """Score the children and adults of ``concern_ids`` (recorded under
    ``deferred_matching``, oldest first) against everyone known and each other, and append a
    ``people.matched`` for each concern with candidate matches: what recording them one by
    one would have found, in one check. For whoever administers the server (the demo)."""
    require_role(actor, "administrator")
    with transaction.atomic():
        records = _records_of(list(concern_ids))
        # Each concern's findings in the order the concerns were recorded (the scoring's own
        # order ties on record ids, which hold references drawn at random).
        position = {str(c): n for n, c in enumerate(concern_ids)}
        matched = sorted(matched_events(records), key=lambda m: position.get(m.concern_id, 0))
        merges = model_merges(
            matched, {r["record_id"]: str(r["child_id"]) for r in records if r["child_id"]}
        )
        events: list[Event] = []
        for found in matched:
            events += [found, *merges.get(found.concern_id, [])]
        # The person records every match names, read at once rather than three queries a
        # pair; the matches and merges are written a statement per table at the end.
        session = BatchSession("default")
        session.hold(
            PersonRecord, {pair[side] for m in matched for pair in m.pairs for side in _SIDES}
        )
        envelopes = (
            record_events(events, actor_id=actor_id(actor), session=session) if events else []
        )
        session.flush()
    if progress is not None:
        progress(len(concern_ids), len(concern_ids))
    return envelopes

"""Candidate matches between person records, as the linkage engine proposes them."""

from __future__ import annotations

from tests.factories import ACTOR
from tocsin.domain.people import PeopleMatched
from tocsin.server.actors import actor_id
from tocsin.server.concerns.models import Concern
from tocsin.server.ledger.recording import record_events
from tocsin.server.people.models import PersonMatch

__all__ = ["propose_match"]

#: Each field's comparison weight (log2) in a proposal, as the engine gives them.
WEIGHTS = {"first_name": 3.25, "surname": 4.5, "date_of_birth": -1.5, "place": 0.75}


def propose_match(known: Concern, new: Concern, *, kind: str = "child") -> PersonMatch:
    """The first ``kind`` of ``known`` and of ``new`` proposed as one person, waiting for the
    front door's review: the event the recording action appends when the engine's score falls
    between its review and link thresholds."""
    left, right = f"{known.reference}/{kind}/0", f"{new.reference}/{kind}/0"
    event = PeopleMatched(
        concern_id=str(new.pk),
        model="test",
        link_threshold=0.99,
        review_threshold=0.5,
        pairs=[
            {
                "left": left,
                "right": right,
                "probability": 0.9,
                "match_weight": 3.17,
                "weights": WEIGHTS,
                "status": "proposed",
            }
        ],
    )
    record_events([event], actor_id=actor_id(ACTOR))
    match: PersonMatch = PersonMatch.objects.get(left_id=left, right_id=right)
    return match

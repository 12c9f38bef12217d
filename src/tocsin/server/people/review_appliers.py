"""Appliers for clerical review, merges and splits: the only code that writes ``MatchReview``
and ``ChildMerge``, and that changes a candidate match's status after it was found."""

from __future__ import annotations

from tocsin.domain.identity import ChildrenMerged, ChildrenSplit, MatchReviewed
from tocsin.ledger import Envelope
from tocsin.server.people.models import ChildMerge, MatchReview, PersonMatch
from tocsin.server.projections import ProjectionSession, applies


@applies(MatchReviewed)
def apply_match_reviewed(
    event: MatchReviewed, envelope: Envelope, session: ProjectionSession
) -> None:
    # A match whose known record's concern was expunged went with it (replay never made it).
    if not session.exists(PersonMatch, event.match_id):
        return
    session.update(PersonMatch, event.match_id, status=event.decision, decided_by=envelope.actor)
    session.insert(
        MatchReview,
        match_id=event.match_id,
        concern_id=event.concern_id,
        decision=event.decision,
        reason=event.reason,
        reviewer=envelope.actor,
        reviewed_at=envelope.time,
        reviewed_seq=envelope.seq,
    )


@applies(ChildrenMerged)
def apply_children_merged(
    event: ChildrenMerged, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        ChildMerge,
        id=event.merge_id,
        survivor_id=event.survivor_id,
        merged_id=event.merged_id,
        reason=event.reason,
        match_id=event.match_id,
        merged_by="model" if event.decided_by == "model" else envelope.actor,
        merged_at=envelope.time,
        merged_seq=envelope.seq,
    )


@applies(ChildrenSplit)
def apply_children_split(
    event: ChildrenSplit, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(
        ChildMerge,
        event.merge_id,
        split_by=envelope.actor,
        split_reason=event.reason,
        split_seq=envelope.seq,
    )

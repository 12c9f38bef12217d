"""Appliers for meetings and their actions; the only code that writes their projections."""

from __future__ import annotations

from tocsin.domain.clocks import MeetingActionCompleted, MeetingRecorded
from tocsin.ledger import Envelope
from tocsin.server.meetings.models import Meeting, MeetingAction
from tocsin.server.projections import ProjectionSession, applies


@applies(MeetingRecorded)
def apply_meeting_recorded(
    event: MeetingRecorded, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        Meeting,
        id=event.meeting_id,
        concern_id=event.concern_id,
        kind=event.meeting_kind,
        held_at=event.held_at,
        attendees=event.attendees,
        decisions=event.decisions,
        summary=event.summary,
        language_warnings=event.language_warnings,
        actor=envelope.actor,
        recorded_seq=envelope.seq,
        recorded_at=envelope.time,
    )
    for action in event.actions:
        session.insert(
            MeetingAction,
            id=action["action_id"],
            meeting_id=event.meeting_id,
            concern_id=event.concern_id,
            text=action["text"],
            owner_id=action["owner_id"],
            due=action["due"],
            done_summary="",
            done_by="",
            done_seq=None,
            done_at="",
        )


@applies(MeetingActionCompleted)
def apply_meeting_action_completed(
    event: MeetingActionCompleted, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(
        MeetingAction,
        event.action_id,
        done_summary=event.summary,
        done_by=envelope.actor,
        done_seq=envelope.seq,
        done_at=envelope.time,
    )

"""Meeting actions: record a meeting about a concern, and record one of its actions done. Each
checks the role and need-to-know itself and raises typed refusals; the rules are the core's
(``tocsin.domain.casework.meeting_problems``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tocsin.domain.casework import Attendee, MeetingAction, meeting_problems, roles_for
from tocsin.domain.clocks import MeetingActionCompleted, MeetingRecorded
from tocsin.domain.concerns import FieldProblem
from tocsin.domain.language import check_text
from tocsin.ledger import Envelope, format_event_time
from tocsin.server.actors import (
    ActionRefused,
    Actor,
    Invalid,
    NotVisible,
    actor_id,
    require_role,
)
from tocsin.server.concerns.gates import actor_may_reach_concern
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import record_event
from tocsin.server.meetings.models import MeetingAction as ActionRow

__all__ = ["do_complete_action", "do_record_meeting"]

#: Who may record an action done besides its owner: the managers above the work.
_MANAGERS = frozenset({"team_manager", "head_of_service", "mash_manager"})


def do_record_meeting(
    concern_id: uuid.UUID | str,
    *,
    kind: str,
    held_at: datetime | None,
    attendees: Sequence[Attendee],
    decisions: Sequence[str],
    summary: str,
    actions: Sequence[MeetingAction],
    actor: Actor,
) -> Envelope:
    """Record a meeting about the concern: who attended, what it decided, and its actions,
    each owned by someone who works on cases and due by a date (each then runs on a clock)."""
    require_role(actor, *roles_for("record_meeting"))
    with transaction.atomic():
        concern = actor_may_reach_concern(actor, concern_id)
        owner_ids = {str(a.owner_id) for a in actions}
        owners = {
            str(pk)
            for pk in User.objects.filter(
                pk__in=[o for o in owner_ids if _is_uuid(o)],
                is_active=True,
                role__in=roles_for("decide"),
            ).values_list("pk", flat=True)
        }
        problems = meeting_problems(
            kind=kind,
            held_at=held_at,
            attendees=attendees,
            decisions=decisions,
            summary=summary,
            actions=actions,
            owners=owners,
            now=timezone.now(),
        )
        if problems:
            raise Invalid([FieldProblem(field, message) for field, message in problems])
        assert held_at is not None
        children = [str(pk) for pk in concern.child_links.values_list("child_id", flat=True)]
        event = MeetingRecorded(
            meeting_id=str(uuid.uuid4()),
            meeting_kind=kind,
            concern_id=str(concern.pk),
            child_ids=children,
            held_at=format_event_time(held_at),
            attendees=[a.as_payload() for a in attendees],
            decisions=list(decisions),
            summary=summary.strip(),
            actions=[
                {
                    "action_id": str(uuid.uuid4()),
                    "text": a.text.strip(),
                    "owner_id": str(a.owner_id),
                    "due": a.due.isoformat(),
                }
                for a in actions
            ],
            language_warnings=len(check_text(summary)),
        )
        return record_event(event, actor_id=actor_id(actor))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def do_complete_action(action_id: uuid.UUID | str, summary: str, *, actor: Actor) -> Envelope:
    """Record one of a meeting's actions done, with what was done: by its owner, or a manager
    who may see the concern. It meets the action's clock."""
    require_role(actor, *roles_for("record_meeting"))
    with transaction.atomic():
        try:
            action = ActionRow.objects.get(pk=action_id)
        except (ActionRow.DoesNotExist, ValidationError, ValueError, TypeError):
            raise NotVisible("no such action, or you do not have access to it") from None
        concern = actor_may_reach_concern(actor, action.concern_id)
        if isinstance(actor, User) and actor.pk != action.owner_id and actor.role not in _MANAGERS:
            raise ActionRefused("Only the action's owner, or a manager, records it done")
        if action.done_seq is not None:
            raise Invalid([FieldProblem("summary", "This action is already recorded as done")])
        if not summary.strip():
            raise Invalid([FieldProblem("summary", "Say what was done")])
        event = MeetingActionCompleted(
            meeting_id=str(action.meeting_id),
            action_id=str(action.pk),
            concern_id=str(concern.pk),
            summary=summary.strip(),
        )
        return record_event(event, actor_id=actor_id(actor))

"""Read models for meetings: a concern's meetings with their actions, one action, and the
deadline of each action still to do, as a date and in words."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from tocsin.server.actors import NotVisible
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.concerns.gates import access_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User
from tocsin.server.meetings.models import Meeting, MeetingAction

__all__ = [
    "ActionDeadline",
    "action_deadline",
    "action_for",
    "meetings_of",
    "open_action_deadlines",
]


@dataclass(frozen=True)
class ActionDeadline:
    """An action's deadline as a page shows it: the moment it is late, and in words."""

    due: datetime
    #: "due in 2 working days", "3 days overdue".
    in_words: str
    overdue: bool


def action_deadline(action: MeetingAction, now: datetime) -> ActionDeadline:
    """When ``action`` is due as its clock has it (by the end of its due day, in the
    calendar's time zone), and that in words as of ``now``."""
    calendar = clocks_policy().calendar
    due = calendar.end_of_day(action.due)
    return ActionDeadline(due, calendar.describe(due, now), due <= now)


def open_action_deadlines(meetings: Iterable[Meeting], now: datetime) -> dict[str, ActionDeadline]:
    """The deadline of each action of ``meetings`` not yet done, by the action's id (the
    meetings' actions already loaded, as :func:`meetings_of` loads them)."""
    return {
        str(action.pk): action_deadline(action, now)
        for meeting in meetings
        for action in meeting.actions.all()
        if action.done_seq is None
    }


def meetings_of(concern: Concern) -> list[Meeting]:
    """The meetings about a concern the reader was already let see, newest first, each with
    its actions (and their owners) loaded."""
    actions = MeetingAction.objects.select_related("owner").order_by("due")
    return list(
        Meeting.objects.filter(concern_id=concern.pk)
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("-recorded_seq")
    )


def action_for(user: User, action_id: uuid.UUID | str) -> MeetingAction:
    """One meeting action, if ``user`` may see its concern."""
    try:
        action: MeetingAction = MeetingAction.objects.select_related("meeting", "owner").get(
            pk=action_id
        )
    except (MeetingAction.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible("no such action, or you do not have access to it") from None
    access_concern(user, action.concern_id)
    return action

"""Read models for meetings: a concern's meetings with their actions, and one action."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from tocsin.server.actors import NotVisible
from tocsin.server.concerns.gates import access_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User
from tocsin.server.meetings.models import Meeting, MeetingAction

__all__ = ["action_for", "meetings_of"]


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

"""Who may read the hidden-number estimates: analysts, scrutineers, the front door and heads
of service (``ESTIMATE_ROLES``). An estimate holds counts, never a record about a person, so
reading one appends no ``record.viewed``; who produced each is on the ledger."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from tocsin.server.actors import ActionRefused
from tocsin.server.directory.models import User
from tocsin.server.intel.actions import ESTIMATE_ROLES
from tocsin.server.intel.models import EstimateRun

__all__ = ["EstimateNotVisible", "access_estimate", "estimates_visible_to", "may_estimate"]


class EstimateNotVisible(ActionRefused):
    """No such estimate, or this person may not read estimates."""


def may_estimate(user: object) -> bool:
    """Whether ``user`` may produce and read estimates."""
    return bool(getattr(user, "is_active", False)) and getattr(user, "role", "") in ESTIMATE_ROLES


def estimates_visible_to(user: User) -> QuerySet[EstimateRun]:
    """Every estimate produced, newest first, if ``user`` may read estimates; none if not."""
    runs = EstimateRun.objects.order_by("-produced_seq")
    if not may_estimate(user):
        return runs.none()
    return runs


def access_estimate(user: User, estimate_id: uuid.UUID | str) -> EstimateRun:
    """One estimate, if ``user`` may read it (:class:`EstimateNotVisible` if not)."""
    try:
        return estimates_visible_to(user).get(pk=estimate_id)
    except (EstimateRun.DoesNotExist, ValidationError, ValueError, TypeError):
        raise EstimateNotVisible("no such estimate") from None

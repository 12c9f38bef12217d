"""The clocks' tables.

- :class:`Escalation` is a projection (written only by appliers, rebuilt by replay, checked by
  ``tocsin verify``): every ``obligation.escalated`` and whether the partnership closed it.
- :class:`ClockState` and :class:`OpenObligation` are the clock engine's **cache**: the state
  of ``tocsin.domain.clocks.ClockEngine`` as of the last sweep (``last_seq``), and the
  obligations it holds open, one row each, for the pages to query. Only the sweep writes them.
  They hold nothing the ledger does not: a missing or stale cache (another policy) is rebuilt
  by replaying the ledger into a fresh engine (``tocsin escalate --rebuild``).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.db import models

from tocsin.server.concerns.models import Concern
from tocsin.server.projections import ProjectionModel
from tocsin.server.reads import ShownWhenLoaded


class Escalation(ProjectionModel, ShownWhenLoaded):
    """One obligation reaching one level of the ladder, and its closing if it was closed."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    #: "<obligation id>:<level>": one row per obligation per level, as on the ledger.
    id = models.CharField(max_length=130, primary_key=True)
    obligation_id = models.CharField(max_length=120, db_index=True)
    obligation = models.CharField(max_length=50)
    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, null=True, related_name="escalations"
    )
    level = models.SmallIntegerField()
    to_role = models.CharField(max_length=40)
    due = models.CharField(max_length=27)
    escalated_at = models.CharField(max_length=27)
    escalated_seq = models.BigIntegerField()
    closed_by = models.CharField(max_length=100, blank=True)
    closed_reason = models.TextField(blank=True)
    closed_seq = models.BigIntegerField(null=True)

    class Meta:
        db_table = "clocks_escalation"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["obligation_id", "level"], name="escalation_once")
        ]
        indexes: ClassVar = [models.Index(fields=["level", "closed_seq"], name="escalation_open")]

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",) if self.concern_id else ()


class ClockState(models.Model):
    """The clock engine's saved state (one row): the cache's high-water mark."""

    id = models.SmallIntegerField(primary_key=True, default=1)
    policy_digest = models.CharField(max_length=64)
    last_seq = models.BigIntegerField(null=True)
    state = models.JSONField()
    swept_at = models.CharField(max_length=27)

    class Meta:
        db_table = "clocks_state"


class OpenObligation(ShownWhenLoaded):
    """One obligation the engine holds open (or waiting to apply), as of the last sweep. The
    level it has reached at any moment is how many of its thresholds have passed, so a page
    shows it as of now without a sweep."""

    id = models.CharField(max_length=120, primary_key=True)
    obligation = models.CharField(max_length=50)
    label = models.CharField(max_length=200)
    key = models.CharField(max_length=120)
    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, null=True, db_constraint=False, related_name="+"
    )
    owner = models.CharField(max_length=40)
    owner_id = models.CharField(max_length=36, blank=True)
    started = models.DateTimeField()
    due = models.DateTimeField(db_index=True)
    level_1 = models.DateTimeField()
    level_2 = models.DateTimeField()
    level_3 = models.DateTimeField()
    escalated_level = models.SmallIntegerField(default=0)
    #: False while it waits for an event that makes it apply (an assessment, say).
    applies = models.BooleanField(default=True)

    class Meta:
        db_table = "clocks_open_obligation"
        indexes: ClassVar = [
            models.Index(fields=["concern", "due"], name="obligation_concern"),
            models.Index(fields=["applies", "due"], name="obligation_due"),
        ]

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",) if self.concern_id else ()

    def level_at(self, now: datetime) -> int:
        """The level of the ladder it has reached at ``now`` (0 before its due time)."""
        return sum(
            1 for threshold in (self.level_1, self.level_2, self.level_3) if threshold <= now
        )


class Notification(models.Model):
    """One message waiting in the outbox, or sent (docs/clocks.md, "Notifications").

    Written in the same transaction as what it tells of (an escalation, a capacity alarm, a
    challenge answered), so it is kept if that is, and sent by the worker afterwards; a send
    that fails is tried again later, with a growing wait, until it goes. ``key`` says what it
    is about and to whom, so queueing the same message twice keeps one. It holds a work
    address and a message without personal details (a reference and a link)."""

    id = models.UUIDField(primary_key=True)
    #: "<kind>:<what it is about>:<recipient's user id>": one message per event per person.
    key = models.CharField(max_length=250, unique=True)
    #: "escalation", "capacity_alarm" or "challenge_answered".
    kind = models.CharField(max_length=30)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField()
    attempts = models.IntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True)
    #: the kind of the last failure (an exception's class name; never its message, which
    #: may repeat an address).
    last_error = models.CharField(max_length=100, blank=True)

    class Meta:
        db_table = "clocks_notification"
        indexes: ClassVar = [
            models.Index(fields=["sent_at", "next_attempt_at"], name="notification_due"),
        ]

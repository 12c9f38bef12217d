"""The capacity alarms' projection: one row per alarm, open until the numbers fall. Written
only by the appliers of ``capacity.alarm_raised`` and ``capacity.alarm_cleared``."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from tocsin.domain.clocks import CAPACITY_MEASURES, CAPACITY_SCOPES
from tocsin.server.projections import ProjectionModel


class CapacityAlarm(ProjectionModel):
    """A worker's or team's caseload, or a queue's age, over its threshold. An alarm holds
    counts about staff, never a record about a child."""

    subject_prefix = "alarm"

    id = models.CharField(max_length=36, primary_key=True)
    scope = models.CharField(max_length=20, choices=sorted(CAPACITY_SCOPES.items()))
    #: the worker's user id, the team's id, or "front-door".
    scope_id = models.CharField(max_length=36)
    agency_id = models.CharField(max_length=36, blank=True)
    measure = models.CharField(max_length=20, choices=sorted(CAPACITY_MEASURES.items()))
    #: the figure when the alarm was raised, and the threshold it went over.
    value = models.IntegerField()
    threshold = models.IntegerField()
    raised_at = models.CharField(max_length=27)
    raised_seq = models.BigIntegerField()
    cleared_value = models.IntegerField(null=True)
    cleared_at = models.CharField(max_length=27, blank=True)
    cleared_seq = models.BigIntegerField(null=True)

    class Meta:
        db_table = "capacity_alarm"
        indexes: ClassVar = [
            models.Index(fields=["cleared_seq", "scope", "scope_id"], name="capacity_alarm_open"),
        ]

    @property
    def is_open(self) -> bool:
        return self.cleared_seq is None

    @property
    def measure_label(self) -> str:
        return CAPACITY_MEASURES.get(self.measure, self.measure)


class CapacityOverride(ProjectionModel):
    """The capacity set for one named worker or team instead of the policy's figure (a
    part-time worker's smaller caseload, say), one row per scope and measure, with who set it
    and why. ``threshold`` None: the override was removed, and the policy's figure applies."""

    #: "<scope>:<scope id>:<measure>".
    id = models.CharField(max_length=90, primary_key=True)
    scope = models.CharField(max_length=20, choices=sorted(CAPACITY_SCOPES.items()))
    scope_id = models.CharField(max_length=36)
    agency_id = models.CharField(max_length=36, blank=True)
    measure = models.CharField(max_length=20, choices=sorted(CAPACITY_MEASURES.items()))
    threshold = models.IntegerField(null=True)
    reason = models.TextField()
    set_by = models.CharField(max_length=100)
    set_at = models.CharField(max_length=27)
    set_seq = models.BigIntegerField()

    class Meta:
        db_table = "capacity_override"

    @staticmethod
    def key(scope: str, scope_id: str, measure: str) -> str:
        return f"{scope}:{scope_id}:{measure}"

    @property
    def measure_label(self) -> str:
        return CAPACITY_MEASURES.get(self.measure, self.measure)

"""Networks projections: each pattern alerted, with its size at its last alert, so that the
same pattern never alerts twice and its growth does. Fed only by ``pattern.detected``."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from tocsin.server.projections import ProjectionModel
from tocsin.server.reads import ShownWhenLoaded


class AlertedPattern(ProjectionModel, ShownWhenLoaded):
    """A pattern the rules found and alerted on: the latest alert's figures, and how many
    alerts it has raised (one, and one more each time it grew)."""

    subject_prefix = "pattern"

    key = models.CharField(max_length=64, primary_key=True)
    rule_id = models.CharField(max_length=100)
    #: the graph node the pattern is about.
    subject = models.CharField(max_length=300)
    subject_label = models.CharField(max_length=300)
    #: child ids linked at the latest alert.
    children = models.JSONField(default=list)
    size = models.IntegerField()
    reporters = models.IntegerField()
    agencies = models.IntegerField()
    alerts = models.IntegerField(default=1)
    #: the concern the latest alert raised.
    concern_id = models.UUIDField()
    first_seq = models.BigIntegerField()
    last_seq = models.BigIntegerField()
    policy_version = models.IntegerField()

    class Meta:
        db_table = "networks_alerted_pattern"
        ordering: ClassVar = ["-last_seq"]

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"pattern:{self.key}", f"concern:{self.concern_id}")

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.subject_label} ({self.size} children)"

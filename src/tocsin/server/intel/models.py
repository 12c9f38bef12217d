"""Intelligence projections: every estimate produced, exactly as its event recorded it."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from tocsin.server.projections import ProjectionModel


class EstimateRun(ProjectionModel):
    """One estimate of the hidden number, as produced and shown. Written only by the
    ``estimate.produced`` applier; there is no event that changes or removes one."""

    subject_prefix = "estimate"

    id = models.UUIDField(primary_key=True)
    period_from = models.DateField()
    period_to = models.DateField()
    ledger_size = models.BigIntegerField(help_text="The lists came from this many events.")
    rule = models.JSONField()
    lists = models.JSONField()
    capture_table = models.JSONField()
    left_out = models.JSONField()
    method = models.CharField(max_length=20)
    settings = models.JSONField()
    result = models.JSONField()
    produced_by = models.CharField(max_length=100)
    produced_seq = models.BigIntegerField(unique=True)
    produced_at = models.CharField(max_length=27, help_text="The event's time (UTC, RFC 3339).")

    class Meta:
        db_table = "intel_estimate_run"
        ordering: ClassVar = ["-produced_seq"]

    def __str__(self) -> str:
        return f"estimate {self.period_from} to {self.period_to} (seq {self.produced_seq})"

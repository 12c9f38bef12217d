"""The statistics projection: every export of the statistics, as its event recorded it."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from tocsin.server.projections import ProjectionModel


class StatisticsExport(ProjectionModel):
    """One export of the official statistics. Written only by the ``statistics.exported``
    applier; nothing changes or removes one."""

    subject_prefix = "statistics_export"

    id = models.UUIDField(primary_key=True)
    format = models.CharField(max_length=10)
    checkpoint_size = models.BigIntegerField()
    checkpoint_root = models.CharField(max_length=64)
    period = models.CharField(max_length=10)
    audience = models.CharField(max_length=20)
    digest = models.CharField(max_length=64)
    exported_by = models.CharField(max_length=100)
    exported_seq = models.BigIntegerField(unique=True)
    exported_at = models.CharField(max_length=27, help_text="The event's time (UTC, RFC 3339).")

    class Meta:
        db_table = "statistics_export"
        ordering: ClassVar = ["-exported_seq"]

    def __str__(self) -> str:
        return f"statistics {self.format} at size {self.checkpoint_size} (seq {self.exported_seq})"

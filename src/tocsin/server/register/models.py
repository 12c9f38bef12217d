"""The register's projection: each report and each of its recommendations, with its owner,
due date and response. Written only by appliers. Nothing here is about a child, so loading a
row records no read; a report is never deleted (withdrawing it is a column, shown)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from tocsin.domain.register import RECOMMENDATION_RESPONSES, REPORT_KINDS
from tocsin.server.projections import ProjectionModel


class Report(ProjectionModel):
    """A registered report: what it is, who wrote it, when, and whether it was withdrawn."""

    subject_prefix = "report"

    id = models.UUIDField(primary_key=True)
    kind = models.CharField(max_length=30, choices=sorted(REPORT_KINDS.items()))
    title = models.CharField(max_length=300)
    author = models.CharField(max_length=200)
    published_on = models.DateField()
    summary = models.TextField()
    #: who registered it, as the ledger names them ("user:<uuid>").
    registered_by = models.CharField(max_length=100)
    registered_seq = models.BigIntegerField()
    registered_at = models.CharField(max_length=27)
    withdrawn_reason = models.TextField(blank=True)
    withdrawn_by = models.CharField(max_length=100, blank=True)
    withdrawn_seq = models.BigIntegerField(null=True)
    withdrawn_at = models.CharField(max_length=27, blank=True)

    class Meta:
        db_table = "register_report"
        indexes: ClassVar = [models.Index(fields=["published_on"], name="report_published")]

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_seq is not None

    @property
    def kind_label(self) -> str:
        return REPORT_KINDS.get(self.kind, self.kind)


class Recommendation(ProjectionModel):
    """One recommendation of a report: its owner, due date and response."""

    subject_prefix = "recommendation"
    owner_field = "report_id"

    id = models.UUIDField(primary_key=True)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="recommendations")
    #: its place in the report, from 1.
    number = models.IntegerField()
    text = models.TextField()
    owner = models.ForeignKey(
        "directory.User", on_delete=models.PROTECT, related_name="recommendations"
    )
    due = models.DateField()
    #: blank until answered; then one of RECOMMENDATION_RESPONSES.
    response = models.CharField(
        max_length=20, blank=True, choices=sorted(RECOMMENDATION_RESPONSES.items())
    )
    response_text = models.TextField(blank=True)
    responded_by = models.CharField(max_length=100, blank=True)
    responded_seq = models.BigIntegerField(null=True)
    responded_at = models.CharField(max_length=27, blank=True)

    class Meta:
        db_table = "register_recommendation"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["report", "number"], name="recommendation_number")
        ]
        indexes: ClassVar = [
            models.Index(fields=["owner", "responded_seq"], name="recommendation_owner")
        ]

    @property
    def responded(self) -> bool:
        return self.responded_seq is not None

    @property
    def response_label(self) -> str:
        return RECOMMENDATION_RESPONSES.get(self.response, self.response)


class ScrutinyExport(ProjectionModel):
    """One export for scrutiny: who made it, what and which period, how many rows, and the
    SHA-256 of the file, so a file can later be shown to be the one produced."""

    subject_prefix = "export"

    id = models.UUIDField(primary_key=True)
    kind = models.CharField(max_length=30)
    period_from = models.DateField()
    period_to = models.DateField()
    rows = models.IntegerField()
    sha256 = models.CharField(max_length=64)
    exported_by = models.CharField(max_length=100)
    exported_seq = models.BigIntegerField()
    exported_at = models.CharField(max_length=27)

    class Meta:
        db_table = "register_scrutiny_export"


class ProblemProfile(ProjectionModel):
    """A problem profile made from the ledger at a checkpoint and registered as a report: the
    period it is for, the checkpoint, and the digests of its PDF and its figures. Only
    suppressed counts are in a profile, so loading one shows no record about a person."""

    subject_prefix = "profile"
    owner_field = "report_id"

    id = models.UUIDField(primary_key=True)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="profiles")
    label = models.CharField(max_length=60)
    checkpoint_size = models.BigIntegerField()
    checkpoint_root = models.CharField(max_length=64)
    trend_period = models.CharField(max_length=10)
    pdf_sha256 = models.CharField(max_length=64)
    json_sha256 = models.CharField(max_length=64)
    generated_by = models.CharField(max_length=100)
    generated_seq = models.BigIntegerField(unique=True)
    generated_at = models.CharField(max_length=27)

    class Meta:
        db_table = "register_problem_profile"
        ordering: ClassVar = ["-generated_seq"]

    def __str__(self) -> str:
        return f"problem profile {self.label} at size {self.checkpoint_size}"

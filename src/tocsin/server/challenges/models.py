"""The challenges projection: each challenge to a decision, where it was routed and its
answer. Written only by appliers."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from tocsin.domain.clocks import CHALLENGE_OUTCOMES
from tocsin.server.casework.models import Decision
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import Agency
from tocsin.server.projections import ProjectionModel
from tocsin.server.reads import ShownWhenLoaded


class Challenge(ProjectionModel, ShownWhenLoaded):
    """A practitioner's challenge to a decision about a concern, and its answer."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="challenges")
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, null=True, related_name="challenges"
    )
    grounds = models.TextField()
    language_warnings = models.IntegerField(default=0)
    #: who raised it, as the ledger names them ("user:<uuid>").
    raised_by = models.CharField(max_length=100)
    raised_seq = models.BigIntegerField()
    raised_at = models.CharField(max_length=27)
    #: who answers it: a role and, for an agency's role, the agency.
    routed_to_role = models.CharField(max_length=40)
    routed_to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, related_name="+"
    )
    #: blank until answered; then one of CHALLENGE_OUTCOMES.
    outcome = models.CharField(
        max_length=20, blank=True, choices=sorted(CHALLENGE_OUTCOMES.items())
    )
    answer = models.TextField(blank=True)
    answer_warnings = models.IntegerField(default=0)
    answered_by = models.CharField(max_length=100, blank=True)
    answered_seq = models.BigIntegerField(null=True)
    answered_at = models.CharField(max_length=27, blank=True)

    class Meta:
        db_table = "challenges_challenge"
        indexes: ClassVar = [
            models.Index(fields=["routed_to_role", "answered_seq"], name="challenge_handler"),
            models.Index(fields=["raised_by"], name="challenge_raised_by"),
        ]

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)

    @property
    def answered(self) -> bool:
        return self.answered_seq is not None

    @property
    def outcome_label(self) -> str:
        return CHALLENGE_OUTCOMES.get(self.outcome, self.outcome)

"""Case-work projections: each concern's case (status, owner, band), its allocations, its
decisions and proposals awaiting a second person, contact with the child and family, and its
outcomes. Written only by appliers."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from tocsin.domain.casework import (
    CASE_STATUSES,
    CONTACT_METHODS,
    CONTACT_WITH,
    DECISIONS,
    OUTCOMES,
)
from tocsin.server.concerns.models import Child, Concern, Screening
from tocsin.server.directory.models import Agency, Team, User
from tocsin.server.projections import ProjectionModel
from tocsin.server.reads import ShownWhenLoaded

_DECISION_STATUSES = {
    "taken": "Taken",
    "awaiting_sign_off": "Awaiting sign-off",
    "approved": "Approved",
    "rejected": "Rejected",
}


class Case(ProjectionModel, ShownWhenLoaded):
    """Where one concern stands: its status, who owns it, and the band to act on (the highest
    current band among its children's screenings), for the trays."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    concern = models.OneToOneField(
        Concern, on_delete=models.CASCADE, primary_key=True, related_name="case"
    )
    status = models.CharField(max_length=20, choices=sorted(CASE_STATUSES.items()))
    #: the agency that recorded the concern (none for a public report).
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    #: the agency now responsible, once allocated (it may then see the concern).
    allocated_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, related_name="+"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, related_name="+")
    owner = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    band = models.CharField(max_length=30, blank=True)
    #: the band's place in the scheme, lowest 0; -1 when nobody screened the concern.
    band_rank = models.SmallIntegerField()
    #: each screening's current band (screening id: band), so a regrading recomputes ``band``.
    bands = models.JSONField(default=dict)
    decision = models.CharField(max_length=30, blank=True)
    #: the latest outcome recorded (one of OUTCOMES), blank until there is one.
    outcome = models.CharField(max_length=30, blank=True)
    recorded_seq = models.BigIntegerField()
    recorded_at = models.CharField(max_length=27)
    changed_seq = models.BigIntegerField()

    class Meta:
        db_table = "casework_case"
        indexes: ClassVar = [
            # The trays: a team's (the front door's is the cases with no team) and a worker's,
            # each in tray order (highest band first, then oldest first).
            models.Index(fields=["team", "-band_rank", "recorded_seq"], name="case_tray_team"),
            models.Index(fields=["owner", "-band_rank", "recorded_seq"], name="case_tray_owner"),
            # A tray's counts, and its count filtered to one band, read this index alone
            # (100,000 open cases: the front door's count 15 ms to 6, a band's 16 ms to 0.3).
            models.Index(fields=["team", "band", "status"], name="case_tray_counts"),
            models.Index(fields=["status"], name="case_status"),
            models.Index(fields=["allocated_agency"], name="case_allocated_agency"),
        ]

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)

    @property
    def status_label(self) -> str:
        return CASE_STATUSES.get(self.status, self.status)


class Allocation(ProjectionModel, ShownWhenLoaded):
    """One allocation or reallocation of a concern, as it happened."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="allocations")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, related_name="+")
    worker = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(blank=True)
    actor = models.CharField(max_length=100)
    allocated_seq = models.BigIntegerField()
    allocated_at = models.CharField(max_length=27)

    class Meta:
        db_table = "casework_allocation"

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)


class Decision(ProjectionModel, ShownWhenLoaded):
    """A decision about a concern, or a proposal to lower a band, and its sign-off."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="decisions")
    #: "decision" (one of DECISIONS) or "regrade" (lowering a band).
    kind = models.CharField(max_length=10)
    code = models.CharField(max_length=30, blank=True)
    rationale = models.TextField()
    language_warnings = models.IntegerField(default=0)
    proposed_by = models.CharField(max_length=100)
    proposed_seq = models.BigIntegerField()
    proposed_at = models.CharField(max_length=27)
    status = models.CharField(max_length=20, choices=sorted(_DECISION_STATUSES.items()))
    #: who may sign it off: "front_door" or "agency" (blank when none is needed).
    authority = models.CharField(max_length=20, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, null=True, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, null=True, related_name="+")
    from_band = models.CharField(max_length=30, blank=True)
    to_band = models.CharField(max_length=30, blank=True)
    #: the case's status when the proposal was made, to return to if it is rejected.
    status_before = models.CharField(max_length=20, blank=True)
    signed_off_by = models.CharField(max_length=100, blank=True)
    sign_off_reason = models.TextField(blank=True)
    signed_off_seq = models.BigIntegerField(null=True)
    signed_off_at = models.CharField(max_length=27, blank=True)

    class Meta:
        db_table = "casework_decision"
        indexes: ClassVar = [
            models.Index(fields=["status", "authority", "agency"], name="decision_awaiting"),
        ]

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)

    @property
    def label(self) -> str:
        if self.kind == "regrade":
            return "Lower the risk band"
        return DECISIONS.get(self.code, self.code)

    @property
    def status_label(self) -> str:
        return _DECISION_STATUSES.get(self.status, self.status)


class Contact(ProjectionModel, ShownWhenLoaded):
    """Contact with a child or their family about a concern, made or tried."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="contacts")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, null=True, related_name="+")
    with_whom = models.CharField(max_length=20, choices=sorted(CONTACT_WITH.items()))
    method = models.CharField(max_length=20, choices=sorted(CONTACT_METHODS.items()))
    happened_on = models.DateField()
    made = models.BooleanField()
    seen_alone = models.BooleanField(null=True)
    summary = models.TextField()
    language_warnings = models.IntegerField(default=0)
    actor = models.CharField(max_length=100)
    recorded_seq = models.BigIntegerField()
    recorded_at = models.CharField(max_length=27)

    class Meta:
        db_table = "casework_contact"

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)

    @property
    def with_label(self) -> str:
        return CONTACT_WITH.get(self.with_whom, self.with_whom)

    @property
    def method_label(self) -> str:
        return CONTACT_METHODS.get(self.method, self.method)


class OutcomeRecord(ProjectionModel, ShownWhenLoaded):
    """What came of a concern, as recorded (a concern may have more than one, in order)."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="outcomes")
    outcome = models.CharField(
        max_length=30, choices=sorted((k, v.label) for k, v in OUTCOMES.items())
    )
    summary = models.TextField()
    language_warnings = models.IntegerField(default=0)
    actor = models.CharField(max_length=100)
    recorded_seq = models.BigIntegerField()
    recorded_at = models.CharField(max_length=27)

    class Meta:
        db_table = "casework_outcome"

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)

    @property
    def label(self) -> str:
        return OUTCOMES[self.outcome].label if self.outcome in OUTCOMES else self.outcome

    @property
    def for_reporter(self) -> str:
        return OUTCOMES[self.outcome].for_reporter if self.outcome in OUTCOMES else ""

"""Concern projections: children, concerns and what hangs off them, and who viewed what.

People of concern, vehicles, phones and places are kept on the concern as recorded (JSON);
record linkage across concerns builds its own projections from the same events later.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models

from tocsin.domain.concerns import CHANNELS, SEXES, child_label, intelligence_summary
from tocsin.server.directory.models import Agency, User
from tocsin.server.projections import ProjectionModel
from tocsin.server.reads import ShownWhenLoaded


class Child(ProjectionModel, ShownWhenLoaded):
    """A child some concern is about, as first recorded (later concerns may add aliases):
    named, or described when the name is not known."""

    subject_prefix = "child"

    id = models.UUIDField(primary_key=True)
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    aliases = models.JSONField(default=list)
    date_of_birth = models.DateField(null=True)
    approximate_age = models.SmallIntegerField(null=True)
    sex = models.CharField(max_length=1, choices=sorted(SEXES.items()), default="U")
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    school = models.CharField(max_length=200, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    #: What the child looks like, as given (how a child whose name is not known is found).
    description = models.TextField(blank=True, default="")
    first_seq = models.BigIntegerField()

    class Meta:
        db_table = "concerns_child"
        # One record per child: whether a recorded NHS number is a new child is decided
        # inside the recording transaction, and this holds it against a concurrent writer.
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="child_nhs_number_once",
            )
        ]

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"child:{self.pk}",)

    def __str__(self) -> str:
        return child_label(
            given_name=self.given_name,
            family_name=self.family_name,
            aliases=self.aliases or [],
            description=self.description,
            school=self.school,
            approximate_age=self.approximate_age,
            date_of_birth=self.date_of_birth,
        )

    @classmethod
    def tombstone(cls, pk: str) -> dict[str, Any]:
        return {
            "given_name": "",
            "family_name": "",
            "aliases": [],
            "date_of_birth": None,
            "approximate_age": None,
            "sex": "U",
            "address": "",
            "postcode": "",
            "school": "",
            "nhs_number": "",
            "description": "",
            "first_seq": -1,
        }


class Concern(ProjectionModel, ShownWhenLoaded):
    subject_prefix = "concern"

    id = models.UUIDField(primary_key=True)
    reference = models.CharField(max_length=30, unique=True)
    channel = models.CharField(max_length=20, choices=sorted(CHANNELS.items()))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    narrative = models.TextField()
    occurred_on = models.DateField(null=True)
    occurred_where = models.CharField(max_length=300, blank=True)
    persons = models.JSONField(default=list)
    vehicles = models.JSONField(default=list)
    phones = models.JSONField(default=list)
    places = models.JSONField(default=list)
    cin_factors = models.JSONField(default=list)
    grading = models.JSONField(null=True)
    # NULL, not "", where there is no code: many concerns have none, and the column is unique.
    follow_up_code_hash = models.CharField(max_length=64, null=True, unique=True)  # noqa: DJ001
    language_warnings = models.IntegerField(default=0)
    recorded_seq = models.BigIntegerField()
    recorded_at = models.CharField(max_length=27, help_text="The event's time (UTC, RFC 3339).")
    #: An imported row's identity within its agency (``ConcernRecorded.import_key``); NULL for
    #: every other route. Unique per agency, so one row is never recorded twice.
    import_key = models.CharField(max_length=100, null=True)  # noqa: DJ001

    class Meta:
        db_table = "concerns_concern"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "import_key"],
                condition=models.Q(import_key__isnull=False),
                name="concern_import_key_once_per_agency",
            )
        ]
        # Every list of concerns is newest first, across the service or within an agency.
        indexes = [
            models.Index(fields=["-recorded_seq"], name="concern_newest"),
            models.Index(fields=["agency", "-recorded_seq"], name="concern_agency_newest"),
        ]

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.pk}",)

    def __str__(self) -> str:
        return self.reference

    @property
    def intelligence_summary(self) -> str:
        """What a concern about no child yet is about: "intelligence about 1 vehicle"."""
        return intelligence_summary(self.persons, self.vehicles, self.phones, self.places)

    @classmethod
    def tombstone(cls, pk: str) -> dict[str, Any]:
        return {
            "reference": f"EXPUNGED-{uuid.UUID(pk).hex[:12]}",
            "channel": "practitioner",
            "agency_id": None,
            "recorded_by_id": None,
            "narrative": "",
            "occurred_on": None,
            "occurred_where": "",
            "persons": [],
            "vehicles": [],
            "phones": [],
            "places": [],
            "cin_factors": [],
            "grading": None,
            "follow_up_code_hash": None,
            "language_warnings": 0,
            "recorded_seq": -1,
            "recorded_at": "",
            "import_key": None,
        }


class ConcernChild(ProjectionModel, ShownWhenLoaded):
    """That a concern is about a child."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="concern_links")

    class Meta:
        db_table = "concerns_concern_child"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["concern", "child"], name="concern_child_once")
        ]

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}", f"child:{self.child_id}")


class Screening(ProjectionModel, ShownWhenLoaded):
    """A child's risk screening at one concern: the computed band, every indicator behind it,
    and the band a professional set if they regraded it."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="screenings")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="screenings")
    scheme = models.CharField(max_length=50)
    scheme_version = models.CharField(max_length=20)
    as_of = models.DateField()
    observations = models.JSONField(default=list)
    contributions = models.JSONField(default=list)
    score = models.IntegerField()
    band = models.CharField(max_length=30)
    current_band = models.CharField(max_length=30)
    screened_seq = models.BigIntegerField()

    class Meta:
        db_table = "concerns_screening"

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}", f"child:{self.child_id}")


class ChildRisk(ProjectionModel, ShownWhenLoaded):
    """A child's one current band across every concern about them
    (``tocsin.domain.screening.combined_band``): each of their screenings' part in it is kept
    here, so that a new screening or a regrading recomputes the band without a scan, in replay
    as live. Every child has one from the moment they are recorded (unscreened until then)."""

    subject_prefix = "child"

    child = models.OneToOneField(
        Child, on_delete=models.CASCADE, primary_key=True, related_name="risk"
    )
    #: the band across all concerns; empty while the child has no screening.
    band = models.CharField(max_length=30, blank=True)
    #: the band's place in the scheme, lowest 0; -1 while the child has no screening.
    band_rank = models.SmallIntegerField(default=-1)
    #: the newest screening's day: the band is as of then.
    as_of = models.DateField(null=True)
    #: every observation scored together, as of ``as_of``.
    score = models.IntegerField(default=0)
    #: what set the band: "combined", "screening" or "judgement" (``ChildBand.basis``).
    basis = models.CharField(max_length=20, blank=True)
    #: the screening whose band set it, when one did.
    set_by = models.CharField(max_length=36, blank=True)
    #: screening id: {"concern_id", "as_of", "scored_band", "current_band", "observations",
    #: "seq"} for each screening of the child.
    screenings = models.JSONField(default=dict)

    class Meta:
        db_table = "concerns_child_risk"

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"child:{self.child_id}",)

    @classmethod
    def tombstone(cls, pk: str) -> dict[str, Any]:
        return unscreened_child_risk()


def unscreened_child_risk() -> dict[str, Any]:
    """A :class:`ChildRisk`'s columns (without the child) while the child has no screening:
    what recording a child starts with, and what expunging one leaves."""
    return {
        "band": "",
        "band_rank": -1,
        "as_of": None,
        "score": 0,
        "basis": "",
        "set_by": "",
        "screenings": {},
    }


class Regrading(ProjectionModel, ShownWhenLoaded):
    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="regradings")
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="regradings")
    from_band = models.CharField(max_length=30)
    to_band = models.CharField(max_length=30)
    reason = models.TextField()
    actor = models.CharField(max_length=100)
    regraded_seq = models.BigIntegerField()

    class Meta:
        db_table = "concerns_regrading"

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)


class ConcernNote(ProjectionModel, ShownWhenLoaded):
    """Information added to a concern after it was recorded."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="notes")
    channel = models.CharField(max_length=20)
    text = models.TextField()
    language_warnings = models.IntegerField(default=0)
    added_seq = models.BigIntegerField()
    added_at = models.CharField(max_length=27)

    class Meta:
        db_table = "concerns_note"

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)


class RecordView(ProjectionModel):
    """One record shown to one person on one request: "who has seen this record"."""

    subject_prefix = "view"

    id = models.UUIDField(primary_key=True)
    view_id = models.UUIDField(db_index=True)
    viewer = models.CharField(max_length=100, db_index=True)
    purpose = models.CharField(max_length=100)
    subject = models.CharField(max_length=200, db_index=True)
    viewed_seq = models.BigIntegerField()
    viewed_at = models.CharField(max_length=27)

    class Meta:
        db_table = "concerns_record_view"

"""People projections: every child and adult of every concern as a person record, and the
candidate matches the linkage engine found between them. Written only by appliers."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from tocsin.domain.people import MATCH_STATUSES
from tocsin.server.concerns.models import Child, Concern
from tocsin.server.directory.models import Agency
from tocsin.server.projections import ProjectionModel
from tocsin.server.reads import ShownWhenLoaded


class PersonRecord(ProjectionModel, ShownWhenLoaded):
    """One agency's record of one person (a child, or an adult of concern), as one concern
    gave it, in the linkage schema's columns (``tocsin.intel.linkage.PERSON_COLUMNS``). Its id
    is the concern's reference and its place there: ``C-1234/child/0``, ``C-1234/person/1``."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.CharField(primary_key=True, max_length=60)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="person_records")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    #: the agency's id, or "public" for a public report (the linkage engine's ``source``).
    source = models.CharField(max_length=40)
    kind = models.CharField(max_length=5, choices=[("child", "Child"), ("adult", "Adult")])
    position = models.SmallIntegerField()
    #: the child record (for a child): the same child across this agency's concerns.
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, null=True, related_name="person_records"
    )
    #: the person of concern's id in the concern (for an adult).
    person_id = models.CharField(max_length=36, blank=True)
    first_name = models.CharField(max_length=200, blank=True)
    middle_names = models.CharField(max_length=200, blank=True)
    surname = models.CharField(max_length=200, blank=True)
    aliases = models.JSONField(default=list)
    date_of_birth = models.DateField(null=True)
    approximate_age = models.SmallIntegerField(null=True)
    sex = models.CharField(max_length=1, default="U")
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    identifier = models.CharField(max_length=20, blank=True)
    recorded_on = models.DateField(null=True)
    #: indexed: the index of people adds the records recorded since it last looked.
    recorded_seq = models.BigIntegerField(db_index=True)

    class Meta:
        db_table = "people_person_record"
        indexes: ClassVar = [models.Index(fields=["surname"], name="person_record_surname")]

    def shown_subjects(self) -> tuple[str, ...]:
        child = (f"child:{self.child_id}",) if self.child_id else ()
        return (f"concern:{self.concern_id}", *child)

    def __str__(self) -> str:
        names = " ".join(n for n in (self.first_name, self.middle_names, self.surname) if n)
        return names or (", ".join(self.aliases) if self.aliases else "Name not known")


class PersonMatch(ProjectionModel, ShownWhenLoaded):
    """Two person records the linkage engine scored as possibly one person: ``left`` the
    record already known, ``right`` the new concern's. Confirmed at or above the link
    threshold; proposed for clerical review between the review and link thresholds."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    #: the concern whose recording found the match (``right`` is one of its records).
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="person_matches")
    left = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="+")
    #: the concern holding ``left``: expunging it takes the match away too.
    left_concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=5)
    probability = models.FloatField()
    match_weight = models.FloatField()
    #: each comparison's match weight (log2 Bayes factor), for the explanation.
    weights = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=sorted(MATCH_STATUSES.items()))
    #: "model" (the threshold decided) or the person who decided.
    decided_by = models.CharField(max_length=100, blank=True)
    found_seq = models.BigIntegerField()

    class Meta:
        db_table = "people_person_match"
        indexes: ClassVar = [
            models.Index(fields=["status", "-found_seq"], name="person_match_status")
        ]

    def shown_subjects(self) -> tuple[str, ...]:
        # Which two records match is itself protected: both concerns are shown (a page that
        # may not show the known record counts matches with values(), which shows nothing).
        return (f"concern:{self.concern_id}", f"concern:{self.left_concern_id}")


class MatchReview(ProjectionModel, ShownWhenLoaded):
    """A person's decision on a candidate match (the match's status changes with it): a
    training label for the linkage model, with the reason given."""

    subject_prefix = "concern"
    owner_field = "concern_id"

    #: the match reviewed (one review each: a match already decided is not offered again).
    match = models.OneToOneField(
        PersonMatch, on_delete=models.CASCADE, primary_key=True, related_name="review"
    )
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10)
    reason = models.TextField()
    reviewer = models.CharField(max_length=100)
    reviewed_at = models.CharField(max_length=27)
    reviewed_seq = models.BigIntegerField()

    class Meta:
        db_table = "people_match_review"

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)


class ChildMerge(ProjectionModel):
    """Two child records merged into one child (``merged`` into ``survivor``), until a split
    undoes it. A child's chronology gathers the records merged into it, through every merge
    still in force."""

    subject_prefix = "merge"

    id = models.UUIDField(primary_key=True)
    survivor = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merged_in")
    merged = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges")
    reason = models.TextField()
    match_id = models.CharField(max_length=36, blank=True)
    merged_by = models.CharField(max_length=100)
    merged_at = models.CharField(max_length=27)
    merged_seq = models.BigIntegerField()
    #: set when a split undid the merge.
    split_by = models.CharField(max_length=100, blank=True)
    split_reason = models.TextField(blank=True)
    split_seq = models.BigIntegerField(null=True)

    class Meta:
        db_table = "people_child_merge"
        indexes: ClassVar = [
            models.Index(fields=["merged", "split_seq"], name="child_merge_merged"),
            models.Index(fields=["survivor", "split_seq"], name="child_merge_survivor"),
        ]

    @property
    def in_force(self) -> bool:
        return self.split_seq is None

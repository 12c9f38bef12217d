"""Meeting projections: a meeting about a concern, and each action it agreed. Written only by
appliers."""

from __future__ import annotations

from django.db import models

from tocsin.domain.clocks import MEETING_DECISIONS, MEETING_KINDS
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User
from tocsin.server.projections import ProjectionModel
from tocsin.server.reads import ShownWhenLoaded


class Meeting(ProjectionModel, ShownWhenLoaded):
    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=30, choices=sorted(MEETING_KINDS.items()))
    held_at = models.CharField(max_length=27)
    attendees = models.JSONField(default=list)
    decisions = models.JSONField(default=list)
    summary = models.TextField()
    language_warnings = models.IntegerField(default=0)
    actor = models.CharField(max_length=100)
    recorded_seq = models.BigIntegerField()
    recorded_at = models.CharField(max_length=27)

    class Meta:
        db_table = "meetings_meeting"

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)

    @property
    def kind_label(self) -> str:
        return MEETING_KINDS.get(self.kind, self.kind)

    @property
    def decision_labels(self) -> list[str]:
        return [MEETING_DECISIONS.get(code, code) for code in self.decisions]


class MeetingAction(ProjectionModel, ShownWhenLoaded):
    subject_prefix = "concern"
    owner_field = "concern_id"

    id = models.UUIDField(primary_key=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    due = models.DateField()
    done_summary = models.TextField(blank=True)
    done_by = models.CharField(max_length=100, blank=True)
    done_seq = models.BigIntegerField(null=True)
    done_at = models.CharField(max_length=27, blank=True)

    class Meta:
        db_table = "meetings_action"

    def shown_subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)

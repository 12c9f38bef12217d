"""What the API accepts and returns. The request body mirrors :class:`ConcernDraft`; the
checks that matter (codes, dates, names) are :func:`validate_draft`'s, the same as the form's,
so these serializers check only shapes and the lengths the database can hold."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tocsin.domain import screening as screening_policy
from tocsin.domain.concerns import (
    CIN_FACTORS,
    ETHNICITY,
    SEXES,
    ChildDraft,
    ConcernDraft,
    Grading,
    IndicatorSeen,
    PersonDraft,
    PlaceDraft,
    VehicleDraft,
)
from tocsin.server.concerns.read_models import screening_result

__all__ = [
    "ConcernDraftSerializer",
    "ConcernSerializer",
    "ScreenChildSerializer",
    "ScreeningSerializer",
    "draft_from",
]


def _text(limit: int, help_text: str = "") -> serializers.CharField:
    return serializers.CharField(
        max_length=limit, allow_blank=True, required=False, default="", help_text=help_text
    )


def _names(limit: int = 200) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=limit), required=False, default=list
    )


class ChildDraftSerializer(serializers.Serializer):
    given_name = _text(200)
    family_name = _text(200)
    aliases = _names()
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    approximate_age = serializers.IntegerField(required=False, allow_null=True, default=None)
    sex = serializers.CharField(
        max_length=1, required=False, default="U", help_text=f"One of {', '.join(SEXES)}"
    )
    address = _text(300)
    postcode = _text(10)
    school = _text(200)
    nhs_number = _text(20)
    description = _text(
        2000,
        "What the child looks like, or anything that would help find them, when the name is "
        "not known",
    )


class PersonDraftSerializer(serializers.Serializer):
    names = _names()
    nicknames = _names()
    description = _text(2000, "As given by whoever described them")
    ethnicity = serializers.CharField(
        max_length=4,
        required=False,
        default="NOBT",
        help_text=f"As described, one of {', '.join(ETHNICITY)} (REFU refused, NOBT not known)",
    )
    approximate_age = serializers.IntegerField(required=False, allow_null=True, default=None)


class VehicleDraftSerializer(serializers.Serializer):
    registration = _text(20, "Even part of it")
    make = _text(200)
    colour = _text(200)


class PlaceDraftSerializer(serializers.Serializer):
    name = _text(200)
    postcode = _text(10)


class IndicatorSeenSerializer(serializers.Serializer):
    indicator_id = serializers.CharField(max_length=100)
    seen_on = serializers.DateField()


class GradingSerializer(serializers.Serializer):
    # DRF collects declared fields into _declared_fields, so these names shadow nothing.
    source = serializers.CharField(max_length=1, help_text="1, 2 or 3")  # type: ignore[assignment]
    intelligence = serializers.CharField(max_length=1, help_text="A to E")
    handling = serializers.CharField(max_length=1, help_text="P or C")


class ConcernDraftSerializer(serializers.Serializer):
    """A concern to record, as :class:`ConcernDraft` has it."""

    children = ChildDraftSerializer(  # type: ignore[call-arg]  # DRF 3.14+ takes max_length
        many=True,
        required=False,
        default=list,
        max_length=settings.TOCSIN_MAX_CHILDREN_PER_CONCERN,
        help_text="The children it is about, named or described. Leave it empty for "
        "intelligence about the persons, vehicles, phones or places given, when no child is "
        "known yet",
    )
    narrative = serializers.CharField(max_length=20000, allow_blank=True)
    occurred_on = serializers.DateField(required=False, allow_null=True, default=None)
    occurred_where = _text(300)
    persons = PersonDraftSerializer(many=True, required=False, default=list)
    vehicles = VehicleDraftSerializer(many=True, required=False, default=list)
    phones = _names(30)
    places = PlaceDraftSerializer(many=True, required=False, default=list)
    indicators = IndicatorSeenSerializer(many=True, required=False, default=list)
    cin_factors = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        default=list,
        help_text=f"Children in Need factor codes: {', '.join(CIN_FACTORS)}",
    )
    grading = GradingSerializer(required=False, allow_null=True, default=None)


def draft_from(data: dict[str, Any]) -> ConcernDraft:
    """The draft a validated request body describes (channel ``practitioner``)."""
    grading = data.get("grading")
    return ConcernDraft(
        children=[ChildDraft(**child) for child in data.get("children", [])],
        narrative=data["narrative"],
        occurred_on=data.get("occurred_on"),
        occurred_where=data.get("occurred_where", ""),
        persons=[PersonDraft(**person) for person in data.get("persons", [])],
        vehicles=[VehicleDraft(**vehicle) for vehicle in data.get("vehicles", [])],
        phones=list(data.get("phones", [])),
        places=[PlaceDraft(**place) for place in data.get("places", [])],
        indicators=[IndicatorSeen(**seen) for seen in data.get("indicators", [])],
        cin_factors=list(data.get("cin_factors", [])),
        grading=Grading(**grading) if grading else None,
        channel="practitioner",
    )


class RecordedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    seq = serializers.IntegerField(help_text="The concern.recorded event's place on the ledger")


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text='A path such as "children[0].date_of_birth"')
    message = serializers.CharField()


class ErrorsSerializer(serializers.Serializer):
    errors = FieldErrorSerializer(many=True)  # type: ignore[assignment]


class BandAcrossConcernsSerializer(serializers.Serializer):
    band = serializers.CharField(help_text="A band id; empty while the child is unscreened")
    as_of = serializers.DateField(allow_null=True, help_text="The newest screening's day")
    score = serializers.IntegerField(help_text="Every indicator scored together, as of then")
    basis = serializers.ChoiceField(
        choices=["", "combined", "screening", "judgement"],
        help_text="What set the band: the indicators together, one screening's band in date, "
        "or a professional's judgement on the same indicators",
    )
    rule = serializers.CharField(help_text="How the band is worked out")


class ChildSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    shown_as = serializers.CharField(
        source="__str__",
        help_text='How pages name the child: their name, or "Unnamed child (about 14, '
        'Northfield Academy)"',
    )
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField(help_text="What the child looks like, as given")
    date_of_birth = serializers.DateField(allow_null=True)
    approximate_age = serializers.IntegerField(allow_null=True)
    sex = serializers.CharField()
    school = serializers.CharField()
    band_across_concerns = serializers.SerializerMethodField()

    @extend_schema_field(BandAcrossConcernsSerializer(allow_null=True))
    def get_band_across_concerns(self, child: Any) -> dict[str, Any] | None:
        """The child's band across all their concerns (those the caller may not see too)."""
        risk = getattr(child, "risk", None)  # None for a child recorded before it was kept
        if risk is None:
            return None
        return {
            "band": risk.band,
            "as_of": risk.as_of.isoformat() if risk.as_of else None,
            "score": risk.score,
            "basis": risk.basis,
            "rule": screening_policy.child_band_rule(),
        }


class ContributionSerializer(serializers.Serializer):
    indicator_id = serializers.CharField()
    # DRF collects declared fields into _declared_fields, so this name shadows nothing.
    label = serializers.CharField()  # type: ignore[assignment]
    group = serializers.CharField()
    seen_on = serializers.DateField(help_text="The day it was last seen")
    points = serializers.IntegerField()
    explanation = serializers.CharField(help_text="Why it scored what it did, in words")
    aged_out = serializers.BooleanField(
        help_text="Seen too long ago for any window, so it scored 0"
    )


class StaleNoticeSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    indicators = serializers.ListField(child=serializers.CharField(), help_text="Their ids")
    summary = serializers.CharField()
    advice = serializers.CharField()
    message = serializers.CharField(help_text="The notice in one paragraph")


def stale_notice_json(notice: screening_policy.StaleNotice | None) -> dict[str, Any] | None:
    """The notice for indicators seen too long ago to count, as the API gives it."""
    if notice is None:
        return None
    return {
        "count": len(notice.indicators),
        "indicators": [c.indicator_id for c in notice.indicators],
        "summary": notice.summary,
        "advice": notice.advice,
        "message": notice.message,
    }


class ScreeningSerializer(serializers.Serializer):
    """A child's screening at a concern: the band with every indicator behind it, each
    explained, and a notice when some were seen too long ago to count."""

    id = serializers.UUIDField()
    child_id = serializers.UUIDField()
    scheme = serializers.CharField()
    scheme_version = serializers.CharField()
    as_of = serializers.DateField(help_text="The day the screening is for")
    score = serializers.IntegerField()
    band = serializers.CharField(help_text="The band the indicators give")
    current_band = serializers.CharField(help_text="The band now, after any regrading")
    contributions = serializers.SerializerMethodField()
    stale = serializers.SerializerMethodField()

    def _result(self, screening: Any) -> screening_policy.ScreeningResult | None:
        cache = self.context.setdefault("results", {})
        if screening.pk not in cache:
            cache[screening.pk] = screening_result(screening)
        result: screening_policy.ScreeningResult | None = cache[screening.pk]
        return result

    @extend_schema_field(ContributionSerializer(many=True))
    def get_contributions(self, screening: Any) -> list[dict[str, Any]]:
        """Every indicator behind the band, in the words of the scheme in force (as
        recorded, for a screening under another scheme)."""
        result = self._result(screening)
        if result is None:
            return [{"aged_out": False, "label": "", **c} for c in screening.contributions]
        return [
            {
                "indicator_id": c.indicator_id,
                "label": c.label,
                "group": c.group,
                "seen_on": c.seen_on.isoformat(),
                "points": c.points,
                "explanation": c.explanation,
                "aged_out": c.aged_out,
            }
            for c in result.contributions
        ]

    @extend_schema_field(StaleNoticeSerializer(allow_null=True))
    def get_stale(self, screening: Any) -> dict[str, Any] | None:
        """The notice for indicators seen too long ago to count; null when there are none."""
        result = self._result(screening)
        return stale_notice_json(result.stale_notice() if result else None)


class ScreenChildSerializer(serializers.Serializer):
    """Screening a child of a concern already recorded."""

    child_id = serializers.CharField(max_length=36, help_text="One of the concern's children")
    indicators = IndicatorSeenSerializer(
        many=True, help_text="Each indicator seen, with the day it was last seen"
    )


class ConcernSerializer(serializers.Serializer):
    """A recorded concern, as the caller may see it."""

    id = serializers.UUIDField()
    reference = serializers.CharField()
    channel = serializers.CharField()
    agency = serializers.CharField(source="agency.name", allow_null=True, default=None)
    recorded_seq = serializers.IntegerField()
    recorded_at = serializers.CharField()
    narrative = serializers.CharField()
    occurred_on = serializers.DateField(allow_null=True)
    occurred_where = serializers.CharField()
    children = serializers.SerializerMethodField()
    about = serializers.SerializerMethodField(
        help_text='The children\'s names, or "No child named yet: intelligence about 1 vehicle"'
    )
    persons = serializers.JSONField()
    vehicles = serializers.JSONField()
    phones = serializers.JSONField()
    places = serializers.JSONField()
    cin_factors = serializers.JSONField()
    grading = serializers.JSONField(allow_null=True)
    screenings = ScreeningSerializer(many=True)

    @cached_property
    def _child_serializer(self) -> ChildSerializer:
        # One for the whole list: a ChildSerializer built per concern copies its fields each
        # time, which was most of the API list's time at 50 concerns a page.
        return ChildSerializer(context=self.context)

    def get_children(self, concern: Any) -> list[dict[str, Any]]:
        serializer = self._child_serializer
        return [
            dict(serializer.to_representation(link.child)) for link in concern.child_links.all()
        ]

    def get_about(self, concern: Any) -> str:
        children = [str(link.child) for link in concern.child_links.all()]
        if children:
            return ", ".join(children)
        return f"No child named yet: {concern.intelligence_summary}"

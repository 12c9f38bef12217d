"""What the API accepts and returns. The request body mirrors :class:`ConcernDraft`; the
checks that matter (codes, dates, names) are :func:`validate_draft`'s, the same as the form's,
so these serializers check only shapes and the lengths the database can hold."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

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

__all__ = ["ConcernDraftSerializer", "ConcernSerializer", "draft_from"]


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

    children = ChildDraftSerializer(
        many=True,
        required=False,
        default=list,
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


class ScreeningSerializer(serializers.Serializer):
    child_id = serializers.UUIDField()
    scheme = serializers.CharField()
    scheme_version = serializers.CharField()
    score = serializers.IntegerField()
    band = serializers.CharField(help_text="The band the indicators give")
    current_band = serializers.CharField(help_text="The band now, after any regrading")
    contributions = serializers.JSONField(help_text="Every indicator behind the band")


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

    def get_children(self, concern: Any) -> list[dict[str, Any]]:
        children = [link.child for link in concern.child_links.all()]
        return [dict(child) for child in ChildSerializer(children, many=True).data]

    def get_about(self, concern: Any) -> str:
        children = [str(link.child) for link in concern.child_links.all()]
        if children:
            return ", ".join(children)
        return f"No child named yet: {concern.intelligence_summary}"

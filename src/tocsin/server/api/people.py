"""API search across the partnership (docs/linkage.md): the same action as the search page,
so the same rules hold (a purpose is required; one ``search.made`` per search, listing the
records shown; records outside need-to-know named only by who holds them)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tocsin.domain.people import SEARCH_KINDS
from tocsin.server.api.casework import _REFUSALS
from tocsin.server.api.views import _TocsinApiView
from tocsin.server.people.search import do_search

__all__ = ["Search"]

_FIELDS = ("first_name", "surname", "date_of_birth", "postcode", "registration", "phone", "address")


class _ShownSerializer(serializers.Serializer):
    concern = serializers.UUIDField()
    reference = serializers.CharField()
    agency = serializers.CharField(allow_null=True)
    record = serializers.CharField(allow_null=True, help_text="The person record, for a person")
    child = serializers.UUIDField(allow_null=True)
    score = serializers.FloatField(allow_null=True, help_text="The match probability, if scored")
    what = serializers.CharField()


class _HeldSerializer(serializers.Serializer):
    agency = serializers.CharField()
    contacts = serializers.ListField(child=serializers.CharField())


class _SearchOutSerializer(serializers.Serializer):
    search = serializers.UUIDField()
    seq = serializers.IntegerField(help_text="The search.made event's place on the ledger")
    shown = _ShownSerializer(many=True)
    held_elsewhere = _HeldSerializer(many=True)
    more = serializers.IntegerField(help_text="Records you may see beyond the first 50")


class Search(_TocsinApiView):
    read_purposes = {"GET": "api: search"}

    @extend_schema(
        summary="Search the partnership for a person, vehicle, phone or place",
        description="Give `looked_for` (person, vehicle, phone or place), its fields and a "
        "`purpose`. Records you may see are listed; the others only by the agency that holds "
        "them and whom to contact. Every search is recorded on the ledger.",
        parameters=[
            OpenApiParameter("looked_for", str, enum=sorted(SEARCH_KINDS), required=True),
            OpenApiParameter("purpose", str, required=True),
            *(OpenApiParameter(name, str) for name in _FIELDS),
        ],
        responses={200: _SearchOutSerializer, **_REFUSALS},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        query = {name: params.get(name, "") for name in _FIELDS if params.get(name)}
        result = do_search(
            params.get("looked_for", ""),
            query,
            params.get("purpose", ""),
            actor=self.user(request),
        )
        shown: list[dict[str, Any]] = [
            {
                "concern": hit.concern.pk if hit.concern else None,
                "reference": hit.concern.reference if hit.concern else "",
                "agency": hit.concern.agency.name if hit.concern and hit.concern.agency else None,
                "record": hit.record.pk if hit.record else None,
                "child": hit.record.child_id if hit.record else None,
                "score": hit.score,
                "what": hit.what,
            }
            for hit in result.shown
        ]
        held = [
            {"agency": h.agency, "contacts": list(h.contacts)}
            for h in result.held_elsewhere.values()
        ]
        return Response(
            {
                "search": result.search_id,
                "seq": result.seq,
                "shown": shown,
                "held_elsewhere": held,
                "more": result.more,
            }
        )

"""``/api/v1/networks/``: the partnership's network (issue 16) as the table view shows it:
every entity with the network it belongs to, and every link with the concerns behind it.

The same gate as the pages (the access table's ``view_networks``) and the same read model
(``tocsin.server.networks.picture``); every child and concern the answer lists is recorded as
read, as the table view records them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tocsin.intel.graph import ENTITY_KINDS
from tocsin.server.api.serializers import ErrorsSerializer
from tocsin.server.api.views import _TocsinApiView
from tocsin.server.networks.gates import may_see_networks
from tocsin.server.networks.picture import NetworkFilters, network_picture, record_shown

__all__ = ["Networks"]


class _NodeSerializer(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.ChoiceField(choices=list(ENTITY_KINDS))
    kind_name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    network = serializers.CharField(help_text="The detected network it belongs to; empty if none")
    links = serializers.IntegerField()
    children = serializers.IntegerField(help_text="Children linked to it directly")
    concerns = serializers.IntegerField()
    references = serializers.ListField(child=serializers.CharField())
    agencies = serializers.ListField(child=serializers.CharField())
    reporters = serializers.IntegerField(help_text="Independent reporters behind it")
    flags = serializers.ListField(child=serializers.CharField())
    first_seen = serializers.DateField()
    last_seen = serializers.DateField()


class _LinkSerializer(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]
    source_kind = serializers.CharField()
    target = serializers.CharField()
    target_kind = serializers.CharField()
    network = serializers.CharField(help_text="The network both ends belong to; empty if none")
    reports = serializers.IntegerField()
    reporters = serializers.IntegerField()
    agencies = serializers.IntegerField()
    weight = serializers.FloatField(help_text="Independent reports, weighted by recency")
    flags = serializers.ListField(child=serializers.CharField())
    first_seen = serializers.DateField()
    last_seen = serializers.DateField()
    references = serializers.ListField(child=serializers.CharField())


class _NetworksSerializer(serializers.Serializer):
    summary = serializers.CharField(help_text="The network in words")
    nodes = _NodeSerializer(many=True)
    links = _LinkSerializer(many=True)


class Networks(_TocsinApiView):
    read_purposes = {"GET": "api: networks"}

    @extend_schema(
        summary="The partnership's network of children, adults, vehicles, phones and places",
        description="Across agencies, for the roles the access table lets see it. Narrow it "
        "with `since` and `until` (dates), `agency` (an agency id, or `public`) and `kind` "
        "(repeatable). Every child and concern listed is recorded as read.",
        parameters=[
            OpenApiParameter("since", str, description="First day, like 2026-01-31"),
            OpenApiParameter("until", str, description="Last day, like 2026-12-31"),
            OpenApiParameter("agency", str, description="An agency id, or `public`"),
            OpenApiParameter("kind", str, many=True, enum=list(ENTITY_KINDS)),
        ],
        responses={
            200: _NetworksSerializer,
            400: OpenApiResponse(ErrorsSerializer, description="A filter that cannot be read"),
            403: OpenApiResponse(ErrorsSerializer, description="Your role may not see it"),
        },
    )
    def get(self, request: Request) -> Response:
        if not may_see_networks(self.user(request)):
            raise exceptions.PermissionDenied(
                "the network is for analysts, the front door and the partnership's scrutineers"
            )
        filters, problems = NetworkFilters.from_query(request.query_params)
        if problems:
            raise exceptions.ValidationError(problems)
        picture = network_picture(filters, as_of=timezone.localdate(), with_layout=False)
        record_shown(picture)
        answer: dict[str, Any] = {
            "summary": picture.summary(),
            "nodes": picture.node_rows(),
            "links": picture.link_rows(),
        }
        return Response(_NetworksSerializer(answer).data)

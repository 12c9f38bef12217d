"""API views: thin, as the web views are. Writes go through ``do_record_concern``; reads go
through the need-to-know gates and read models, and the request's read scope records one
``record.viewed`` listing every concern (and child) it returned, as the person the API signed
in (:meth:`_TocsinApiView.initial`). Bodies are JSON, both ways; every error is
``{"errors": [...]}`` (:mod:`tocsin.server.api.errors`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tocsin.ledger import Envelope
from tocsin.server.api.authentication import BearerTokenAuthentication
from tocsin.server.api.errors import api_exception_handler, field_errors, refusal_response
from tocsin.server.api.parsers import BoundedJSONParser
from tocsin.server.api.serializers import (
    ConcernDraftSerializer,
    ConcernSerializer,
    ErrorsSerializer,
    RecordedSerializer,
    draft_from,
)
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.read_models import concern_with_relations_for, concerns_page
from tocsin.server.directory.models import User
from tocsin.server.reads import current_scope

__all__ = [
    "ConcernDetail",
    "ConcernList",
    "NoSuchRoute",
    "field_errors",
    "recorded",
    "refusal_response",
]


class _TocsinApiView(APIView):
    """Session sign-in (the web's, with CSRF on writes) or an API token (``Authorization:
    Bearer``, no CSRF: the header is not sent by a browser on its own); signed-in people only.
    The session comes first so that a request with neither is answered 403, as before.

    JSON bodies in and out. Refusals need no handling in a view: a body that fails its
    serializer, and an action's :class:`ActionRefused`, reach :func:`api_exception_handler`,
    which answers them (400, 403 or 404) as it answers every other error."""

    authentication_classes = [SessionAuthentication, BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]
    # JSON only: a form body cannot carry a concern's nested children, so none is offered.
    parser_classes = [BoundedJSONParser]
    renderer_classes = [JSONRenderer]
    #: What "who has seen this record" says each method was for.
    read_purposes: dict[str, str] = {}

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response]:
        return api_exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Once DRF has signed the person in: the read scope records them, not the session."""
        super().initial(request, *args, **kwargs)
        scope = current_scope()
        if scope is not None:
            scope.viewer = self.user(request)
            scope.purpose = self.read_purposes.get(request.method or "", scope.purpose)

    def user(self, request: Request) -> User:
        user = request.user
        assert isinstance(user, User)
        return user

    def body(self, request: Request, serializer: type[serializers.Serializer]) -> dict[str, Any]:
        """The request's JSON body as ``serializer`` reads it. A body it refuses is answered
        400, every problem at its path (``children[0].date_of_birth``), before anything is
        done."""
        checked = serializer(data=request.data)
        checked.is_valid(raise_exception=True)
        data: dict[str, Any] = checked.validated_data
        return data


def recorded(envelope: Envelope, answer: int = status.HTTP_201_CREATED) -> Response:
    """The answer to a write whose caller needs only its event's place on the ledger
    (``{"seq"}``, for a receipt)."""
    return Response({"seq": envelope.seq}, status=answer)


class NoSuchRoute(APIView):
    """Every path under ``/api/v1/`` that no endpoint serves: 404 in the API's shape, signed
    in or not (there is nothing there to protect)."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    renderer_classes = [JSONRenderer]
    schema = None  # not an endpoint: left out of the OpenAPI description

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response]:
        return api_exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise NotFound(
            'There is no such endpoint (each path ends in "/"). The endpoints are described '
            "in /api/v1/schema/."
        )


class ConcernPages(PageNumberPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class ConcernPageSerializer(serializers.Serializer):
    """One page of the concerns you may see."""

    count = serializers.IntegerField(help_text="How many concerns you may see, on every page")
    next = serializers.URLField(allow_null=True, help_text="The next page; null on the last")
    previous = serializers.URLField(allow_null=True, help_text="The page before; null on the first")
    results = ConcernSerializer(many=True)


_PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Which page, from 1"),
    OpenApiParameter("page_size", int, description="Concerns to a page: 50 by default, up to 200"),
]


class ConcernList(_TocsinApiView):
    read_purposes = {"GET": "api: list concerns", "POST": "api: concern recorded"}

    @extend_schema(
        operation_id="concerns_list",
        summary="The concerns you may see, newest first, a page at a time",
        parameters=_PAGE_PARAMETERS,
        responses={
            200: ConcernPageSerializer,
            404: OpenApiResponse(ErrorsSerializer, description="No such page"),
        },
    )
    def get(self, request: Request) -> Response:
        user = self.user(request)
        pages = ConcernPages()
        page = list(pages.paginate_queryset(concerns_page(user), request, view=self) or [])
        return pages.get_paginated_response(ConcernSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a concern",
        request=ConcernDraftSerializer,
        responses={
            201: RecordedSerializer,
            400: OpenApiResponse(ErrorsSerializer, description="What is wrong, field by field"),
            403: OpenApiResponse(ErrorsSerializer, description="You may not record concerns"),
        },
    )
    def post(self, request: Request) -> Response:
        body = self.body(request, ConcernDraftSerializer)
        done = do_record_concern(draft_from(body), actor=self.user(request))
        concern = done.concern
        return Response(
            {"id": str(concern.pk), "reference": concern.reference, "seq": done.envelope.seq},
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/concerns/{concern.pk}/"},
        )


class ConcernDetail(_TocsinApiView):
    read_purposes = {"GET": "api: concern"}

    @extend_schema(
        summary="One concern, if you may see it",
        responses={
            200: ConcernSerializer,
            404: OpenApiResponse(ErrorsSerializer, description="No such concern, or not yours"),
        },
    )
    def get(self, request: Request, concern_id: str) -> Response:
        concern = concern_with_relations_for(self.user(request), concern_id)
        return Response(ConcernSerializer(concern).data)

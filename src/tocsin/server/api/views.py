"""API views: thin, as the web views are. Writes go through ``do_record_concern``; reads go
through the need-to-know gates and read models, and the request's read scope records one
``record.viewed`` listing every concern (and child) it returned, as the person the API signed
in (:meth:`_TocsinApiView.initial`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tocsin.server.actors import ActionRefused, Invalid, NotVisible
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

__all__ = ["ConcernDetail", "ConcernList", "field_errors", "refusal_response"]


def refusal_response(refusal: ActionRefused) -> Response:
    """An action's refusal as the API answers it: field problems are a 400 listing each
    field; a record outside need-to-know is a 404; any other refusal is a 403."""
    if isinstance(refusal, Invalid):
        errors = [{"field": p.field, "message": p.message} for p in refusal.problems]
        return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    answer = status.HTTP_404_NOT_FOUND if isinstance(refusal, NotVisible) else 403
    return Response({"errors": [{"field": "", "message": str(refusal)}]}, status=answer)


def field_errors(detail: Any, path: str = "") -> list[dict[str, str]]:
    """DRF's nested error structure as Tocsin's flat list of ``{"field", "message"}``, with
    paths like ``children[0].date_of_birth`` (the same paths :func:`validate_draft` uses)."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            if isinstance(key, int):
                where = f"{path}[{key}]"
            elif key == "non_field_errors":
                where = path
            else:
                where = f"{path}.{key}" if path else str(key)
            found += field_errors(value, where)
        return found
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"field": path, "message": str(item)} for item in detail]
        found = []
        for index, item in enumerate(detail):
            found += field_errors(item, f"{path}[{index}]")
        return found
    return [{"field": path, "message": str(detail)}]


class _TocsinApiView(APIView):
    """Session sign-in (the web's, with CSRF on writes), signed-in people only."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    #: What "who has seen this record" says each method was for.
    read_purposes: dict[str, str] = {}

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


class ConcernPages(PageNumberPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class ConcernList(_TocsinApiView):
    read_purposes = {"GET": "api: list concerns", "POST": "api: concern recorded"}

    @extend_schema(
        summary="The concerns you may see, newest first",
        responses={200: ConcernSerializer(many=True)},
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
        body = ConcernDraftSerializer(data=request.data)
        if not body.is_valid():
            return Response({"errors": field_errors(body.errors)}, status=400)
        try:
            recorded = do_record_concern(draft_from(body.validated_data), actor=self.user(request))
        except ActionRefused as exc:
            return refusal_response(exc)
        concern = recorded.concern
        return Response(
            {"id": str(concern.pk), "reference": concern.reference, "seq": recorded.envelope.seq},
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/concerns/{concern.pk}/"},
        )


class ConcernDetail(_TocsinApiView):
    read_purposes = {"GET": "api: concern"}

    @extend_schema(
        summary="One concern, if you may see it",
        responses={200: ConcernSerializer, 404: OpenApiResponse(description="Not found")},
    )
    def get(self, request: Request, concern_id: str) -> Response:
        user = self.user(request)
        try:
            concern = concern_with_relations_for(user, concern_id)
        except NotVisible as exc:
            return refusal_response(exc)
        return Response(ConcernSerializer(concern).data)

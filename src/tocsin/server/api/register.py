"""API for the register of reports and recommendations and the scrutineer's exports
(docs/register.md). Each goes through the same action as the pages, so the same rules hold;
refusals are answered as everywhere in the API (``api_exception_handler``: 400 field
problems, 404 no such record, 403 otherwise)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from tocsin.domain.casework import allowed
from tocsin.domain.register import (
    MAX_RECOMMENDATIONS,
    RECOMMENDATION_RESPONSES,
    REPORT_KINDS,
    SCRUTINY_EXPORTS,
    RecommendationDraft,
    ReportDraft,
)
from tocsin.server.api.casework import _REFUSALS, SeqSerializer
from tocsin.server.api.views import _TocsinApiView, recorded
from tocsin.server.register.actions import (
    do_register_report,
    do_respond_to_recommendation,
    do_withdraw_report,
)
from tocsin.server.register.read_models import ReportState, register
from tocsin.server.register.scrutiny import do_export_for_scrutiny

__all__ = ["RecommendationResponse", "Register", "ReportWithdrawal", "ScrutinyExports"]

# The actions check lengths and substance; these only stop a body far beyond any report.
_LONG_TEXT = 20_000


class RecommendationInSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)
    owner = serializers.CharField(help_text="The owner's user id", max_length=40)
    due = serializers.DateField(help_text="The day a response is due (ISO 8601)")


class ReportInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(REPORT_KINDS))
    title = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)
    author = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)
    published_on = serializers.DateField()
    summary = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)
    # DRF 3.14+ takes max_length: a body with more is refused before any item is validated.
    recommendations = RecommendationInSerializer(  # type: ignore[call-arg]
        many=True, max_length=MAX_RECOMMENDATIONS
    )


class RecommendationOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    text = serializers.CharField()
    owner = serializers.UUIDField()
    due = serializers.DateField()
    status = serializers.ChoiceField(choices=["answered", "answered_late", "open", "overdue"])
    level = serializers.IntegerField(help_text="The ladder's level reached (0 to 3)")
    response = serializers.CharField(help_text="Blank until answered")
    response_text = serializers.CharField()


class ReportOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    title = serializers.CharField()
    author = serializers.CharField()
    published_on = serializers.DateField()
    summary = serializers.CharField()
    withdrawn = serializers.BooleanField()
    withdrawn_reason = serializers.CharField()
    recommendations = RecommendationOutSerializer(many=True)


class RegisteredSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    seq = serializers.IntegerField()


class ResponseInSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=sorted(RECOMMENDATION_RESPONSES))
    text = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)


class ExportInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(SCRUTINY_EXPORTS))
    period_from = serializers.DateField()
    period_to = serializers.DateField()


def _report_json(state: ReportState) -> dict[str, Any]:
    report = state.report
    return {
        "id": str(report.pk),
        "kind": report.kind,
        "title": report.title,
        "author": report.author,
        "published_on": report.published_on.isoformat(),
        "summary": report.summary,
        "withdrawn": report.withdrawn,
        "withdrawn_reason": report.withdrawn_reason,
        "recommendations": [
            {
                "id": str(s.recommendation.pk),
                "number": s.recommendation.number,
                "text": s.recommendation.text,
                "owner": str(s.recommendation.owner_id),
                "due": s.recommendation.due.isoformat(),
                "status": s.status,
                "level": s.level,
                "response": s.recommendation.response,
                "response_text": s.recommendation.response_text,
            }
            for s in state.recommendations
        ],
    }


class Register(_TocsinApiView):
    read_purposes = {"GET": "api: the register of reports", "POST": "api: register a report"}

    @extend_schema(
        summary="The register of reports and recommendations",
        description="Every report, withdrawn ones included, the newest published first, with "
        "each recommendation's owner, due date, response and where its clock stands now.",
        responses={200: ReportOutSerializer(many=True), 403: _REFUSALS[403]},
    )
    def get(self, request: Request) -> Response:
        if not allowed(self.user(request).role, "view_register"):
            raise PermissionDenied("your role does not see the register")
        return Response([_report_json(s) for s in register(timezone.now())])

    @extend_schema(
        summary="Register a report with its recommendations",
        description="Each recommendation has an owner (a person who may respond) and a due "
        "date; its response runs on the clocks policy's recommendation_response obligation.",
        request=ReportInSerializer,
        responses={201: RegisteredSerializer, **_REFUSALS},
    )
    def post(self, request: Request) -> Response:
        data = self.body(request, ReportInSerializer)
        draft = ReportDraft(
            kind=data["kind"],
            title=data["title"],
            author=data["author"],
            published_on=data["published_on"],
            summary=data["summary"],
            recommendations=[
                RecommendationDraft(r["text"], r["owner"], r["due"])
                for r in data["recommendations"]
            ],
        )
        envelope = do_register_report(draft, actor=self.user(request))
        report_id = envelope.subjects[0].split(":", 1)[1]
        return Response({"id": report_id, "seq": envelope.seq}, status=status.HTTP_201_CREATED)


class RecommendationResponse(_TocsinApiView):
    read_purposes = {"POST": "api: respond to a recommendation"}

    @extend_schema(
        summary="Respond to a recommendation you own",
        description="Accepted, partly accepted or not accepted, with what will be done or why "
        "not. Only its owner responds, once; the response meets its clock.",
        request=ResponseInSerializer,
        responses={201: SeqSerializer, **_REFUSALS},
    )
    def post(self, request: Request, recommendation_id: str) -> Response:
        body = self.body(request, ResponseInSerializer)
        envelope = do_respond_to_recommendation(
            recommendation_id, body["response"], body["text"], actor=self.user(request)
        )
        return recorded(envelope)


class ReportWithdrawal(_TocsinApiView):
    read_purposes = {"POST": "api: withdraw a report"}

    @extend_schema(
        summary="Withdraw a report, with the reason",
        description="It stays on the register, shown as withdrawn; its recommendations' clocks "
        "keep running until each is answered.",
        request=ReasonSerializer,
        responses={201: SeqSerializer, **_REFUSALS},
    )
    def post(self, request: Request, report_id: str) -> Response:
        body = self.body(request, ReasonSerializer)
        envelope = do_withdraw_report(report_id, body["reason"], actor=self.user(request))
        return recorded(envelope)


class ScrutinyExports(_TocsinApiView):
    read_purposes = {"POST": "api: export for scrutiny"}

    @extend_schema(
        summary="Export downgrades, no-further-action decisions or overdue obligations (CSV)",
        description="For the partnership's scrutineer: every one in the period (both days "
        "included, at most 367 days), as CSV. The export is recorded on the ledger with the "
        "file's SHA-256; the header X-Tocsin-Ledger-Seq names its event.",
        request=ExportInSerializer,
        responses={
            200: OpenApiResponse(description="The CSV file (text/csv)"),
            **_REFUSALS,
        },
    )
    def post(self, request: Request) -> HttpResponse:
        body = self.body(request, ExportInSerializer)
        produced = do_export_for_scrutiny(
            body["kind"], body["period_from"], body["period_to"], actor=self.user(request)
        )
        response = HttpResponse(produced.content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{produced.filename}"'
        response["X-Tocsin-Ledger-Seq"] = str(produced.seq)
        return response

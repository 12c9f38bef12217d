"""API for case work: the work trays, decisions, sign-off, allocation, regrading, screening a
child of a concern already recorded, case notes, contact with the child and family, meetings
and outcomes. Each write goes through the same action as the pages, so the same rules hold
(four eyes included). Each write reads its body (:meth:`_TocsinApiView.body`), calls its
action and answers; a body or an action refused is answered by the API's exception handler,
as everywhere in the API (400 field problems, 404 need-to-know, 403 otherwise)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from tocsin.domain import screening as screening_policy
from tocsin.domain.bounds import whole_number
from tocsin.domain.casework import (
    CASE_STATUSES,
    CONTACT_METHODS,
    CONTACT_WITH,
    DECISIONS,
    MAX_NOTE,
    OUTCOMES,
    Attendee,
    MeetingAction,
)
from tocsin.domain.clocks import MEETING_DECISIONS, MEETING_KINDS
from tocsin.domain.concerns import IndicatorSeen
from tocsin.server.api.permissions import RecentlyAuthenticated
from tocsin.server.api.serializers import (
    ErrorsSerializer,
    ScreenChildSerializer,
    ScreeningSerializer,
)
from tocsin.server.api.views import _TocsinApiView, recorded
from tocsin.server.casework.actions import (
    do_allocate,
    do_decide,
    do_record_contact,
    do_record_outcome,
    do_sign_off,
    proposal_of,
)
from tocsin.server.casework.read_models import TRAYS, TrayFilters, tray, trays_for
from tocsin.server.concerns.actions import do_add_information, do_regrade_risk, do_screen_child
from tocsin.server.meetings.actions import do_complete_action, do_record_meeting
from tocsin.server.reads import current_scope

__all__ = [
    "ActionDone",
    "Allocation",
    "Contacts",
    "Decisions",
    "Meetings",
    "Notes",
    "Outcomes",
    "Queue",
    "Regrade",
    "Screenings",
    "SignOff",
]


class QueueItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    band = serializers.CharField(help_text="The band to act on; empty if not screened")
    waiting_since = serializers.CharField(help_text="When the concern was recorded (UTC)")
    owner = serializers.CharField(allow_null=True, help_text="The worker who owns it, if any")
    status = serializers.ChoiceField(choices=sorted(CASE_STATUSES))


class QueueSerializer(serializers.Serializer):
    tray = serializers.ChoiceField(choices=sorted(TRAYS))
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = QueueItemSerializer(many=True)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=list(DECISIONS))
    rationale = serializers.CharField(allow_blank=True, max_length=10000)


class DecidedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["taken", "awaiting_sign_off"])
    seq = serializers.IntegerField()


class SignOffSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=10000)


class AllocationSerializer(serializers.Serializer):
    worker = serializers.UUIDField(required=False, allow_null=True)
    team = serializers.UUIDField(required=False, allow_null=True)
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)


class RegradeSerializer(serializers.Serializer):
    band = serializers.ChoiceField(choices=screening_policy.bands())
    reason = serializers.CharField(allow_blank=True, max_length=10000)


class SeqSerializer(serializers.Serializer):
    seq = serializers.IntegerField()


# Lengths are checked by the action (one message for every route); the serializer only stops
# a body far beyond any note from being read further.
_LONG_TEXT = MAX_NOTE * 2


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)


class ContactSerializer(serializers.Serializer):
    with_whom = serializers.ChoiceField(choices=sorted(CONTACT_WITH))
    method = serializers.ChoiceField(choices=sorted(CONTACT_METHODS))
    happened_on = serializers.DateField()
    made = serializers.BooleanField(help_text="Whether contact was made (false: tried, not made)")
    seen_alone = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="For contact made with the child"
    )
    child = serializers.UUIDField(
        required=False, allow_null=True, help_text="Which child, if the concern names several"
    )
    summary = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=sorted(OUTCOMES))
    summary = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)


_REFUSALS: dict[int | str, Any] = {
    400: OpenApiResponse(ErrorsSerializer, description="What is wrong, field by field"),
    403: OpenApiResponse(ErrorsSerializer, description="Your role may not do this"),
    404: OpenApiResponse(ErrorsSerializer, description="No such record, or not yours to see"),
}


class Queue(_TocsinApiView):
    read_purposes = {"GET": "api: work tray"}

    @extend_schema(
        summary="A work tray: open concerns, highest band first, then the longest waiting",
        parameters=[
            OpenApiParameter("tray", enum=sorted(TRAYS), default="your first tray"),
            OpenApiParameter("agency", description='an agency id, or "public"'),
            OpenApiParameter("band", description='a band id, or "unscreened"'),
            OpenApiParameter("status", enum=sorted(CASE_STATUSES)),
            OpenApiParameter("min_days", int, description="waiting at least this many days"),
            OpenApiParameter("sort", enum=["band", "waiting", "newest"], default="band"),
            OpenApiParameter("page", int),
        ],
        responses={200: QueueSerializer, 404: _REFUSALS[404]},
    )
    def get(self, request: Request) -> Response:
        user = self.user(request)
        names = trays_for(user)
        name = request.query_params.get("tray") or (names[0] if names else "")
        filters = TrayFilters.from_query(request.query_params)
        page = request.query_params.get("page", "1")
        shown = tray(user, name, filters, whole_number(page) or 1)
        results = [
            {
                "id": str(case.concern_id),
                "reference": case.concern.reference,
                "band": case.band,
                "waiting_since": case.recorded_at,
                "owner": str(case.owner_id) if case.owner_id else None,
                "status": case.status,
            }
            for case in shown.cases
        ]
        return Response(
            {
                "tray": name,
                "count": shown.total,
                "page": shown.page,
                "pages": shown.pages,
                "results": results,
            }
        )


class Decisions(_TocsinApiView):
    read_purposes = {"POST": "api: decision"}

    @extend_schema(
        summary="Record a decision about a concern",
        description="201 when the decision takes effect; 202 when it needs a second person "
        "(no further action, close) and waits for sign-off.",
        request=DecisionSerializer,
        responses={201: DecidedSerializer, 202: DecidedSerializer, **_REFUSALS},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        body = self.body(request, DecisionSerializer)
        outcome = do_decide(
            concern_id, body["decision"], body["rationale"], actor=self.user(request)
        )
        waiting = outcome.awaiting_sign_off
        return Response(
            {
                "id": outcome.decision_id,
                "status": "awaiting_sign_off" if waiting else "taken",
                "seq": outcome.envelope.seq,
            },
            status=status.HTTP_202_ACCEPTED if waiting else status.HTTP_201_CREATED,
        )


class SignOff(_TocsinApiView):
    read_purposes = {"POST": "api: sign-off"}
    # A sensitive action: a session must have proved who it is recently, as on the page.
    permission_classes = [IsAuthenticated, RecentlyAuthenticated]

    @extend_schema(
        summary="Approve or reject a proposal awaiting a second person",
        description="Nobody may sign off their own proposal; a rejection needs a reason. "
        "Signed in by the web's session, you must have signed in or confirmed who you are "
        "(/accounts/reauthenticate/) within the last five minutes; an API token needs no "
        "more than its write scope.",
        request=SignOffSerializer,
        responses={
            200: SeqSerializer,
            **_REFUSALS,
            403: OpenApiResponse(
                ErrorsSerializer,
                description="Your role may not do this, or your session must confirm who "
                "you are first",
            ),
        },
    )
    def post(self, request: Request, decision_id: str) -> Response:
        body = self.body(request, SignOffSerializer)
        envelope = do_sign_off(
            decision_id, body["approve"], body["reason"], actor=self.user(request)
        )
        return recorded(envelope, status.HTTP_200_OK)


class Allocation(_TocsinApiView):
    read_purposes = {"POST": "api: allocation"}

    @extend_schema(
        summary="Allocate (or reallocate) a concern to a worker or a team",
        request=AllocationSerializer,
        responses={201: SeqSerializer, **_REFUSALS},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        body = self.body(request, AllocationSerializer)
        worker, team = body.get("worker"), body.get("team")
        envelope = do_allocate(
            concern_id,
            worker_id=str(worker) if worker else None,
            team_id=str(team) if team else None,
            reason=body["reason"],
            actor=self.user(request),
        )
        return recorded(envelope)


class Regrade(_TocsinApiView):
    read_purposes = {"POST": "api: regrade"}

    @extend_schema(
        summary="Change a screening's band, with the reason",
        description="201 when it takes effect; 202 with the proposal's id when it lowers a "
        "band from moderate or above, which waits for a second person.",
        request=RegradeSerializer,
        responses={201: SeqSerializer, 202: DecidedSerializer, **_REFUSALS},
    )
    def post(self, request: Request, concern_id: str, screening_id: str) -> Response:
        body = self.body(request, RegradeSerializer)
        envelope = do_regrade_risk(
            concern_id, screening_id, body["band"], body["reason"], actor=self.user(request)
        )
        proposal = proposal_of(envelope)
        if proposal is not None:
            return Response(
                {"id": proposal, "status": "awaiting_sign_off", "seq": envelope.seq},
                status=status.HTTP_202_ACCEPTED,
            )
        return recorded(envelope)


class Notes(_TocsinApiView):
    read_purposes = {"POST": "api: case note"}

    @extend_schema(
        summary="Add a case note to a concern",
        description="The note is language-checked: the answer counts the warnings, which are "
        "advice and never stop the note being saved.",
        request=NoteSerializer,
        responses={201: SeqSerializer, **_REFUSALS},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        body = self.body(request, NoteSerializer)
        return recorded(do_add_information(concern_id, body["text"], actor=self.user(request)))


class Contacts(_TocsinApiView):
    read_purposes = {"POST": "api: contact"}

    @extend_schema(
        summary="Record contact with the child or family, made or tried",
        request=ContactSerializer,
        responses={201: SeqSerializer, **_REFUSALS},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        body = self.body(request, ContactSerializer)
        envelope = do_record_contact(
            concern_id,
            with_whom=body["with_whom"],
            method=body["method"],
            happened_on=body["happened_on"],
            made=body["made"],
            seen_alone=body["seen_alone"],
            summary=body["summary"],
            child_id=str(body["child"]) if body.get("child") else None,
            actor=self.user(request),
        )
        return recorded(envelope)


class Outcomes(_TocsinApiView):
    read_purposes = {"POST": "api: outcome"}

    @extend_schema(
        summary="Record what came of a concern",
        description="Whoever raised the concern is told the kind of outcome in plain words: "
        "the recording agency on its concern page, a public reporter through the follow-up code.",
        request=OutcomeSerializer,
        responses={201: SeqSerializer, **_REFUSALS},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        body = self.body(request, OutcomeSerializer)
        envelope = do_record_outcome(
            concern_id, body["outcome"], body["summary"], actor=self.user(request)
        )
        return recorded(envelope)


class Screenings(_TocsinApiView):
    read_purposes = {"POST": "api: screening"}

    @extend_schema(
        summary="Screen a child of a concern (a public report, say)",
        description="Scores the indicators seen as of today under the scheme in force and "
        "records a screening of its own. The answer is the screening: every indicator "
        "explained, and `stale` naming any seen too long ago to count towards the band.",
        request=ScreenChildSerializer,
        responses={201: ScreeningSerializer, **_REFUSALS},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        body = self.body(request, ScreenChildSerializer)
        seen = [IndicatorSeen(**one) for one in body["indicators"]]
        screened = do_screen_child(concern_id, body["child_id"], seen, actor=self.user(request))
        # The answer shows the screening (its concern and child): on the ledger like any read.
        scope = current_scope()
        if scope is not None:
            scope.add(screened.screening.shown_subjects())
        return Response(
            {**ScreeningSerializer(screened.screening).data, "seq": screened.envelope.seq},
            status=status.HTTP_201_CREATED,
        )


class MeetingActionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    owner = serializers.UUIDField()
    due = serializers.DateField()


class AttendeeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=200)
    agency = serializers.UUIDField(help_text="The attendee's agency")


class MeetingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(MEETING_KINDS))
    held_at = serializers.DateTimeField()
    attendees = AttendeeSerializer(many=True)
    decisions = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(MEETING_DECISIONS))
    )
    summary = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)
    actions = MeetingActionSerializer(many=True, required=False, default=list)


class DoneSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)


class Meetings(_TocsinApiView):
    read_purposes = {"POST": "api: meeting"}

    @extend_schema(
        summary="Record a strategy discussion, conference or MACE panel about a concern",
        description="Each action has an owner and a due date and runs on a clock of its own.",
        request=MeetingSerializer,
        responses={201: SeqSerializer, **_REFUSALS},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        body = self.body(request, MeetingSerializer)
        envelope = do_record_meeting(
            concern_id,
            kind=body["kind"],
            held_at=body["held_at"],
            attendees=[Attendee(a["name"], a["role"], str(a["agency"])) for a in body["attendees"]],
            decisions=body["decisions"],
            summary=body["summary"],
            actions=[MeetingAction(a["text"], str(a["owner"]), a["due"]) for a in body["actions"]],
            actor=self.user(request),
        )
        return recorded(envelope)


class ActionDone(_TocsinApiView):
    read_purposes = {"POST": "api: meeting action done"}

    @extend_schema(
        summary="Record a meeting's action done",
        request=DoneSerializer,
        responses={201: SeqSerializer, **_REFUSALS},
    )
    def post(self, request: Request, action_id: str) -> Response:
        body = self.body(request, DoneSerializer)
        return recorded(do_complete_action(action_id, body["summary"], actor=self.user(request)))

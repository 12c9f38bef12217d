"""API for professional challenge: challenge a decision about a concern, and answer a
challenge. Each goes through the same action as the pages, so the same rules hold (the route
outside the decider's line management, nobody in the decider's line answering); refusals map
as everywhere in the API (400 field problems, 404 need-to-know, 403 otherwise), by its
exception handler."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from tocsin.domain.casework import MAX_NOTE
from tocsin.domain.clocks import CHALLENGE_OUTCOMES
from tocsin.server.api.casework import _REFUSALS, SeqSerializer
from tocsin.server.api.views import _TocsinApiView, recorded
from tocsin.server.challenges.actions import do_answer_challenge, do_raise_challenge

__all__ = ["ChallengeAnswer", "Challenges"]

# Lengths beyond any reasonable text stop a body being read further; the action checks substance.
_LONG_TEXT = MAX_NOTE * 2


class ChallengeSerializer(serializers.Serializer):
    decision = serializers.UUIDField(help_text="The decision challenged (of this concern)")
    grounds = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)


class RaisedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    routed_to_role = serializers.CharField(help_text="Who answers it: partnership_scrutineer")
    routed_to_agency = serializers.UUIDField(allow_null=True)
    seq = serializers.IntegerField()


class AnswerSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=sorted(CHALLENGE_OUTCOMES))
    answer = serializers.CharField(allow_blank=True, max_length=_LONG_TEXT)


class Challenges(_TocsinApiView):
    read_purposes = {"POST": "api: challenge"}

    @extend_schema(
        summary="Challenge a decision about a concern",
        description="Any practitioner who may see the concern may challenge its decisions, "
        "another agency's included, but not their own. The challenge goes outside the "
        "decider's line management (to the partnership's independent scrutineer) and must be "
        "answered within the clocks policy's time (5 working days by default). The grounds "
        "are language-checked; the warnings are counted on the event, never a refusal.",
        request=ChallengeSerializer,
        responses={201: RaisedSerializer, **_REFUSALS},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        body = self.body(request, ChallengeSerializer)
        raised = do_raise_challenge(
            concern_id, str(body["decision"]), body["grounds"], actor=self.user(request)
        )
        return Response(
            {
                "id": raised.challenge_id,
                "routed_to_role": raised.route.role,
                "routed_to_agency": raised.route.agency_id,
                "seq": raised.envelope.seq,
            },
            status=status.HTTP_201_CREATED,
        )


class ChallengeAnswer(_TocsinApiView):
    read_purposes = {"POST": "api: answer a challenge"}

    @extend_schema(
        summary="Answer a challenge: upheld, partly upheld or not upheld, with reasons",
        description="Only whoever the challenge was sent to may answer it, never the decider "
        "or anyone in the decider's line management; answering closes it and meets its clock.",
        request=AnswerSerializer,
        responses={201: SeqSerializer, **_REFUSALS},
    )
    def post(self, request: Request, challenge_id: str) -> Response:
        body = self.body(request, AnswerSerializer)
        envelope = do_answer_challenge(
            challenge_id, body["outcome"], body["answer"], actor=self.user(request)
        )
        return recorded(envelope)

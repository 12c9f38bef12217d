"""API above the trays: the manager's view (caseloads, overdue work by worker, proposals
waiting for sign-off), the oversight view's figures, and closing a level-3 escalation. The
same read models and action as the pages, so the same need-to-know and rules hold; refusals
map as everywhere in the API (400 field problems, 404 need-to-know, 403 otherwise), by its
exception handler."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from tocsin.server.api.serializers import ErrorsSerializer
from tocsin.server.api.views import _TocsinApiView, recorded
from tocsin.server.clocks.actions import do_close_escalation
from tocsin.server.clocks.oversight import manager_view, oversight
from tocsin.server.clocks.read_models import Deadline, EscalationShown

__all__ = ["Caseloads", "CloseEscalation", "OversightFigures"]

_REFUSALS: dict[int | str, Any] = {
    400: OpenApiResponse(ErrorsSerializer, description="What is wrong, field by field"),
    403: OpenApiResponse(ErrorsSerializer, description="Your role may not do this"),
    404: OpenApiResponse(ErrorsSerializer, description="No such record, or not yours to see"),
}


class WorkerLoadSerializer(serializers.Serializer):
    worker = serializers.UUIDField(allow_null=True, help_text="None: not given to a worker")
    name = serializers.CharField()
    open_cases = serializers.IntegerField()
    overdue = serializers.IntegerField()
    capacity = serializers.IntegerField(
        allow_null=True,
        help_text="Open cases the worker can carry: their own capacity if one was set, "
        "else the clocks policy's (None if the policy sets none)",
    )


class ProposalSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    concern = serializers.UUIDField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    code = serializers.CharField()
    proposed_at = serializers.CharField()
    sign_off_due = serializers.DateTimeField(
        allow_null=True, help_text="When sign-off is due (None: no clock running)"
    )
    sign_off_in_words = serializers.CharField(help_text='"due in 1 working day", "2 days overdue"')


class CaseloadsSerializer(serializers.Serializer):
    scope = serializers.CharField()
    open_cases = serializers.IntegerField()
    overdue = serializers.IntegerField()
    workers = WorkerLoadSerializer(many=True)
    proposals = ProposalSerializer(many=True)


class EscalationSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="<obligation id>:<level>")
    concern = serializers.UUIDField()
    reference = serializers.CharField()
    obligation = serializers.CharField()
    what = serializers.CharField(help_text="What was due, for people")
    level = serializers.IntegerField()
    due = serializers.CharField()
    in_words = serializers.CharField(help_text='"3 days overdue", as of the answer')
    escalated_at = serializers.CharField()
    closed = serializers.BooleanField()
    closed_reason = serializers.CharField()


class OversightSerializer(serializers.Serializer):
    scope = serializers.CharField()
    level_3_open = EscalationSerializer(many=True)
    level_3_closed = EscalationSerializer(many=True)
    decisions_by_team = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text='team name ("" for the front door): decision code: count',
    )
    no_further_action = serializers.DictField(child=serializers.IntegerField())
    downgrades = serializers.DictField(child=serializers.IntegerField())
    time_to_decision = serializers.DictField(child=serializers.IntegerField())
    undecided = serializers.IntegerField()
    challenges = serializers.DictField(
        child=serializers.IntegerField(),
        help_text='Challenges to decisions in scope: "raised", "waiting" and one per outcome',
    )
    capacity_alarms = serializers.ListField(
        child=serializers.DictField(),
        help_text="The open capacity alarms you may see, with the figure when raised and now",
    )


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=10000)


class ClosedSerializer(serializers.Serializer):
    seq = serializers.IntegerField()


def _sign_off(deadline: Deadline | None) -> dict[str, Any]:
    if deadline is None:
        return {"sign_off_due": None, "sign_off_in_words": ""}
    return {"sign_off_due": deadline.obligation.due, "sign_off_in_words": deadline.in_words}


def _escalation(item: EscalationShown) -> dict[str, Any]:
    e = item.escalation
    return {
        "id": e.pk,
        "concern": str(e.concern_id),
        "reference": e.concern.reference if e.concern else "",
        "obligation": e.obligation,
        "what": item.label,
        "level": e.level,
        "due": e.due,
        "in_words": item.in_words,
        "escalated_at": e.escalated_at,
        "closed": e.closed_seq is not None,
        "closed_reason": e.closed_reason,
    }


class Caseloads(_TocsinApiView):
    read_purposes = {"GET": "api: caseloads"}

    @extend_schema(
        summary="A manager's view: caseloads and overdue work per worker, proposals to sign",
        responses={200: CaseloadsSerializer, 403: _REFUSALS[403]},
    )
    def get(self, request: Request) -> Response:
        view = manager_view(self.user(request), timezone.now())
        return Response(
            {
                "scope": view.scope,
                "open_cases": view.open_cases,
                "overdue": view.overdue,
                "workers": [
                    {
                        "worker": str(w.worker.pk) if w.worker else None,
                        "name": w.worker.display_name if w.worker else "Not given to a worker",
                        "open_cases": w.open_cases,
                        "overdue": w.overdue,
                        "capacity": w.capacity,
                    }
                    for w in view.workers
                ],
                "proposals": [
                    {
                        "id": str(p.pk),
                        "concern": str(p.concern_id),
                        "reference": p.concern.reference,
                        "kind": p.kind,
                        "code": p.code,
                        "proposed_at": p.proposed_at,
                        **_sign_off(view.sign_off_by.get(str(p.pk))),
                    }
                    for p in view.proposals
                ],
            }
        )


class OversightFigures(_TocsinApiView):
    read_purposes = {"GET": "api: oversight"}

    @extend_schema(
        summary="The oversight view: level-3 escalations, decisions by team, rates, time to "
        "decision",
        responses={200: OversightSerializer, 403: _REFUSALS[403]},
    )
    def get(self, request: Request) -> Response:
        view = oversight(self.user(request), timezone.now())
        return Response(
            {
                "scope": view.scope,
                "level_3_open": [_escalation(i) for i in view.open_level_3],
                "level_3_closed": [_escalation(i) for i in view.closed_level_3],
                "decisions_by_team": {t.team or "": t.by_code for t in view.by_team},
                "no_further_action": {
                    "count": view.no_further_action.count,
                    "of": view.no_further_action.of,
                },
                "downgrades": {
                    "count": view.downgrades.count,
                    "of": view.downgrades.of,
                    "signed_off": view.downgrades_signed_off,
                    "rejected": view.downgrades_rejected,
                },
                "time_to_decision": {b.label: b.count for b in view.time_to_decision},
                "undecided": view.undecided,
                "challenges": view.challenges,
                "capacity_alarms": [
                    {
                        "scope": a.alarm.scope,
                        "who": a.who,
                        "agency": a.agency,
                        "measure": a.alarm.measure,
                        "threshold": a.alarm.threshold,
                        "value_raised": a.alarm.value,
                        "value_now": a.now_value,
                        "raised_at": a.alarm.raised_at,
                    }
                    for a in view.alarms
                ],
            }
        )


class CloseEscalation(_TocsinApiView):
    read_purposes = {"POST": "api: close escalation"}

    @extend_schema(
        summary="Close a level-3 escalation, with the reason (the partnership only)",
        request=CloseSerializer,
        responses={200: ClosedSerializer, **_REFUSALS},
    )
    def post(self, request: Request, escalation_id: str) -> Response:
        body = self.body(request, CloseSerializer)
        envelope = do_close_escalation(escalation_id, body["reason"], actor=self.user(request))
        return recorded(envelope, status.HTTP_200_OK)

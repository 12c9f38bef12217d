"""API for clerical review (docs/linkage.md): the matches waiting for review, a review, and
merging and splitting child records. Each goes through the same action as the pages, so the
same rules hold; refusals are answered as everywhere in the API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from tocsin.domain.casework import allowed
from tocsin.domain.identity import MAX_REASON, REVIEW_DECISIONS
from tocsin.server.api.casework import _REFUSALS, SeqSerializer
from tocsin.server.api.views import _TocsinApiView, recorded
from tocsin.server.people.review import (
    do_merge_children,
    do_review_match,
    do_split_children,
    match_summary,
    review_tray,
)

__all__ = ["ChildMerges", "MatchReviews", "Matches", "MergeSplit"]

#: The most matches one answer lists (the newest).
LIST_LIMIT = 200


class RecordOutSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The person record: <concern reference>/child/N")
    concern = serializers.UUIDField()
    agency = serializers.CharField(help_text="The agency's name, or 'public'")
    first_name = serializers.CharField()
    surname = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.CharField()
    postcode = serializers.CharField()


class MatchOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=["child", "adult"])
    probability = serializers.FloatField()
    match_weight = serializers.FloatField()
    weights = serializers.DictField(
        child=serializers.FloatField(), help_text="Each field's comparison weight (log2)"
    )
    known = RecordOutSerializer()
    new = RecordOutSerializer()


class ReviewInSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=sorted(REVIEW_DECISIONS))
    reason = serializers.CharField(allow_blank=True, max_length=MAX_REASON * 2)
    merge = serializers.BooleanField(
        default=False, help_text="Confirming two child records: merge them into one child"
    )


class MergeInSerializer(serializers.Serializer):
    merged = serializers.UUIDField(help_text="The child record merged into this one")
    reason = serializers.CharField(allow_blank=True, max_length=MAX_REASON * 2)


class ReasonInSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=MAX_REASON * 2)


class Matches(_TocsinApiView):
    read_purposes = {"GET": "api: matches to review"}

    @extend_schema(
        summary="Matches waiting for review",
        description="Candidate matches the linkage engine proposed between two person records, "
        f"newest first (at most {LIST_LIMIT}), with each field's weight. Front door only.",
        responses={200: MatchOutSerializer(many=True), 403: _REFUSALS[403]},
    )
    def get(self, request: Request) -> Response:
        user = self.user(request)
        if not allowed(user.role, "review_match"):
            raise PermissionDenied("only the front door reviews matches between people's records")
        return Response([match_summary(m) for m in review_tray(user)[:LIST_LIMIT]])


class MatchReviews(_TocsinApiView):
    read_purposes = {"POST": "api: review a match"}

    @extend_schema(
        summary="Confirm or reject a proposed match, with the reason",
        description="A training label for the linkage model. Confirming two child records "
        "with merge=true also merges them, so the child has one chronology.",
        request=ReviewInSerializer,
        responses={201: SeqSerializer(many=True), **_REFUSALS},
    )
    def post(self, request: Request, match_id: str) -> Response:
        body = self.body(request, ReviewInSerializer)
        envelopes = do_review_match(
            match_id,
            body["decision"],
            body["reason"],
            merge=body["merge"],
            actor=self.user(request),
        )
        return Response([{"seq": e.seq} for e in envelopes], status=201)


class ChildMerges(_TocsinApiView):
    read_purposes = {"POST": "api: merge child records"}

    @extend_schema(
        summary="Merge another child record into this one, with the reason",
        request=MergeInSerializer,
        responses={201: SeqSerializer, **_REFUSALS},
    )
    def post(self, request: Request, child_id: str) -> Response:
        body = self.body(request, MergeInSerializer)
        envelope = do_merge_children(
            child_id, body["merged"], body["reason"], actor=self.user(request)
        )
        return recorded(envelope)


class MergeSplit(_TocsinApiView):
    read_purposes = {"POST": "api: split a merge"}

    @extend_schema(
        summary="Split a merge of two child records found to be wrong, with the reason",
        request=ReasonInSerializer,
        responses={201: SeqSerializer, **_REFUSALS},
    )
    def post(self, request: Request, merge_id: str) -> Response:
        body = self.body(request, ReasonInSerializer)
        envelope = do_split_children(merge_id, body["reason"], actor=self.user(request))
        return recorded(envelope)

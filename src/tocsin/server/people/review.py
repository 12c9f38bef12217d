"""Clerical review, merges and splits (issue 15): the actions, and what the review tray and a
match's page read.

A candidate match between the review and link thresholds waits in the tray until someone at
the front door confirms or rejects it, with a reason (``people.match_reviewed``, a training
label for ``tocsin link train``). Confirming that two child records are one child merges them
(``children.merged``), so the child has one chronology; a merge found to be wrong is split
(``children.split``). The front door sees every concern, so its reviewers see both records
whole; nobody else reviews, merges or splits (docs/access.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from tocsin.domain.casework import roles_for
from tocsin.domain.concerns import FieldProblem
from tocsin.domain.events import Event
from tocsin.domain.identity import (
    ChildrenMerged,
    ChildrenSplit,
    MatchReviewed,
    merge_problems,
    reason_problems,
    review_problems,
)
from tocsin.ledger import Envelope
from tocsin.server.actors import Actor, Invalid, NotVisible, actor_id, require_role
from tocsin.server.concerns.gates import concerns_visible_to
from tocsin.server.concerns.models import Child
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import record_events
from tocsin.server.people.merges import merge_in_force, roots_of
from tocsin.server.people.models import ChildMerge, PersonMatch, PersonRecord

__all__ = [
    "Explanation",
    "ExplanationRow",
    "do_merge_children",
    "do_review_match",
    "do_split_children",
    "explanation",
    "match_for_review",
    "review_tray",
]

_NO_SUCH_MATCH = "no such match, or you do not have access to it"
_NO_SUCH_MERGE = "no such merge, or it has already been split"

#: Each comparison's name in the linkage model, as a reviewer reads it.
FIELD_LABELS: dict[str, str] = {
    "first_name": "First name",
    "surname": "Surname",
    "date_of_birth": "Date of birth",
    "place": "Address or postcode",
    "identifier": "NHS number",
    "sex": "Sex",
    "aliases": "Other names",
    "approximate_age": "Approximate age",
    "phone": "Phone",
    "email": "Email",
}


def _match_ok(user: User, match: PersonMatch) -> bool:
    visible = concerns_visible_to(user)
    wanted = {match.concern_id, match.left_concern_id}
    return visible.filter(pk__in=wanted).count() == len(wanted)


def review_tray(user: User) -> QuerySet[PersonMatch]:
    """The candidate matches waiting for review that ``user`` may see both sides of, newest
    first, with both records loaded."""
    visible = concerns_visible_to(user)
    return (
        PersonMatch.objects.filter(status="proposed")
        .filter(concern__in=visible, left_concern__in=visible)
        .select_related("left", "right", "left__agency", "right__agency", "concern")
        .order_by("-found_seq", "id")
    )


def match_for_review(user: User, match_id: uuid.UUID | str) -> PersonMatch:
    """The match, if ``user`` may see both its records; :class:`NotVisible` otherwise."""
    try:
        match: PersonMatch = PersonMatch.objects.select_related(
            "left__agency", "right__agency", "left__concern", "right__concern", "concern"
        ).get(pk=match_id)
    except (PersonMatch.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible(_NO_SUCH_MATCH) from None
    if not _match_ok(user, match):
        raise NotVisible(_NO_SUCH_MATCH)
    return match


@dataclass(frozen=True)
class ExplanationRow:
    field: str
    label: str
    #: the comparison's match weight (log2 of its Bayes factor): for or against one person.
    weight: float

    @property
    def direction(self) -> str:
        if self.weight > 0.05:
            return "For the same person"
        if self.weight < -0.05:
            return "Against"
        return "Neutral"


@dataclass(frozen=True)
class Explanation:
    rows: list[ExplanationRow]
    #: the prior's weight: how likely two records picked at random are one person.
    prior: float
    total: float
    probability: float


def explanation(match: PersonMatch) -> Explanation:
    """Why the engine scored the pair as it did: each field's comparison weight, the prior's,
    and their sum, the match weight (its probability is ``2**w / (1 + 2**w)``)."""
    weights = dict(match.weights or {})
    rows = [
        ExplanationRow(name, FIELD_LABELS.get(name, name.replace("_", " ").capitalize()), w)
        for name, w in sorted(weights.items(), key=lambda item: -abs(item[1]))
    ]
    prior = match.match_weight - sum(weights.values())
    return Explanation(rows, prior, match.match_weight, match.probability)


def record_summary(row: PersonRecord) -> dict[str, Any]:
    """What the review API shows of one person record of a match."""
    return {
        "id": row.pk,
        "concern": str(row.concern_id),
        "agency": row.agency.name if row.agency else "public",
        "first_name": row.first_name,
        "surname": row.surname,
        "aliases": list(row.aliases or []),
        "date_of_birth": row.date_of_birth.isoformat() if row.date_of_birth else None,
        "sex": row.sex,
        "postcode": row.postcode,
    }


def match_summary(match: PersonMatch) -> dict[str, Any]:
    """What the review API shows of a match waiting in the tray: both records, each field's
    weight."""
    return {
        "id": str(match.pk),
        "kind": match.kind,
        "probability": match.probability,
        "match_weight": match.match_weight,
        "weights": dict(match.weights or {}),
        "known": record_summary(match.left),
        "new": record_summary(match.right),
    }


def merged_pair(merge: ChildMerge) -> tuple[Child | None, Child | None]:
    """The two child records of a merge in force, survivor first (loading them is the read
    the split page records)."""
    children = {c.pk: c for c in Child.objects.filter(pk__in=[merge.survivor_id, merge.merged_id])}
    return children.get(merge.survivor_id), children.get(merge.merged_id)


def _children_of(match: PersonMatch) -> tuple[Any, Any]:
    return match.left.child_id, match.right.child_id


@transaction.atomic
def do_review_match(
    match_id: uuid.UUID | str,
    decision: str,
    reason: str,
    *,
    merge: bool = False,
    actor: Actor,
) -> list[Envelope]:
    """Confirm or reject a proposed match, with the reason. Confirming a match between two
    child records with ``merge`` also merges them, in the same transaction."""
    require_role(actor, *roles_for("review_match"))
    if isinstance(actor, User):
        match = match_for_review(actor, match_id)
    else:
        try:
            match = PersonMatch.objects.select_related("left", "right").get(pk=match_id)
        except (PersonMatch.DoesNotExist, ValidationError, ValueError, TypeError):
            raise NotVisible(_NO_SUCH_MATCH) from None
    problems = review_problems(decision, reason)
    if match.status != "proposed":
        problems.insert(0, FieldProblem("decision", "This match has already been decided"))
    left_child, right_child = _children_of(match)
    merging = merge and decision == "confirmed"
    if merging and (left_child is None or right_child is None):
        problems.append(FieldProblem("merge", "Only two children's records can be merged"))
    merge_event: Event | None = None
    if merging and left_child is not None and right_child is not None:
        survivor, merged = _survivor_and_merged(left_child, right_child)
        roots = roots_of([survivor, merged])
        # A child already merged elsewhere: merge its root into the other's root instead.
        survivor, merged = roots[str(survivor)], roots[str(merged)]
        problems += [
            p
            for p in merge_problems(
                survivor, merged, roots=roots_of([survivor, merged]), reason=reason
            )
            if p.field != "reason"
        ]
        merge_event = ChildrenMerged(
            merge_id=str(uuid.uuid4()),
            survivor_id=survivor,
            merged_id=merged,
            reason=reason.strip(),
            match_id=str(match.pk),
        )
    if problems:
        raise Invalid(problems)
    events: list[Event] = [
        MatchReviewed(
            match_id=str(match.pk),
            concern_id=str(match.concern_id),
            left_concern_id=str(match.left_concern_id),
            left=match.left_id,
            right=match.right_id,
            decision=decision,
            reason=reason.strip(),
        )
    ]
    if merge_event is not None:
        events.append(merge_event)
    return record_events(events, actor_id=actor_id(actor))


def _survivor_and_merged(a: Any, b: Any) -> tuple[str, str]:
    """The older record survives (the one first recorded): its chronology is the longer."""
    first = dict(Child.objects.filter(pk__in=[a, b]).values_list("pk", "first_seq"))
    older, newer = sorted([a, b], key=lambda c: (first.get(c, 0), str(c)))
    return str(older), str(newer)


def _child_visible(actor: Actor, child_id: str) -> bool:
    if not isinstance(actor, User):
        return Child.objects.filter(pk=child_id).exists()
    visible = concerns_visible_to(actor)
    return visible.filter(child_links__child_id=child_id).exists()


@transaction.atomic
def do_merge_children(
    survivor_id: uuid.UUID | str,
    merged_id: uuid.UUID | str,
    reason: str,
    *,
    actor: Actor,
) -> Envelope:
    """Merge the child record ``merged_id`` into ``survivor_id`` (each through the record it
    may already be merged into), with the reason."""
    require_role(actor, *roles_for("review_match"))
    ids: list[str] = []
    for raw in (survivor_id, merged_id):
        try:
            ids.append(str(uuid.UUID(str(raw))))
        except (ValueError, TypeError):
            raise NotVisible("no such child, or you do not have access to them") from None
    for child in ids:
        if not _child_visible(actor, child):
            raise NotVisible("no such child, or you do not have access to them")
    roots = roots_of(ids)
    survivor, merged = roots[ids[0]], roots[ids[1]]
    problems = merge_problems(survivor, merged, roots=roots_of([survivor, merged]), reason=reason)
    if problems:
        raise Invalid(problems)
    event = ChildrenMerged(
        merge_id=str(uuid.uuid4()),
        survivor_id=survivor,
        merged_id=merged,
        reason=reason.strip(),
    )
    return record_events([event], actor_id=actor_id(actor))[0]


@transaction.atomic
def do_split_children(merge_id: uuid.UUID | str, reason: str, *, actor: Actor) -> Envelope:
    """Undo a merge found to be wrong, with the reason: each record has its own chronology
    again (records merged into either since stay with it)."""
    require_role(actor, *roles_for("review_match"))
    merge = merge_in_force(merge_id)
    if merge is None or not _child_visible(actor, str(merge.survivor_id)):
        raise NotVisible(_NO_SUCH_MERGE)
    problems = reason_problems(reason)
    if problems:
        raise Invalid(problems)
    event = ChildrenSplit(
        merge_id=str(merge.pk),
        survivor_id=str(merge.survivor_id),
        merged_id=str(merge.merged_id),
        reason=reason.strip(),
    )
    return record_events([event], actor_id=actor_id(actor))[0]


def merges_into(group: Sequence[str]) -> list[ChildMerge]:
    """The merges in force that made ``group`` one child, oldest first."""
    return list(
        ChildMerge.objects.filter(survivor_id__in=list(group), split_seq__isnull=True)
        .select_related("merged")
        .order_by("merged_seq")
    )


def labelled_pairs() -> list[tuple[str, str, bool]]:
    """Every pair a person decided (not the model): ``(left, right, same person?)``, the
    training labels for ``tocsin link train``."""
    rows = (
        PersonMatch.objects.filter(status__in=["confirmed", "rejected"])
        .exclude(decided_by__in=["", "model"])
        .order_by("left_id", "right_id")
        .values_list("left_id", "right_id", "status")
    )
    return [(left, right, status == "confirmed") for left, right, status in rows]


def person_rows() -> list[dict[str, Any]]:
    """Every person record, as the linkage engine reads them (shows nobody anything)."""
    return [
        {**row, "record_id": row["id"]}
        for row in PersonRecord.objects.order_by("recorded_seq", "id").values()
    ]

"""Read models for the pages and the API: a concern with everything known about it, a child
with the concerns the reader may see, the reader's recent concerns.

Each starts from a need-to-know gate and loads the rest in bulk (a fixed number of queries
however long the timeline, however many people have looked), so the interfaces never query
projection models themselves. What they load is recorded by the request's read scope
(``tocsin.server.reads``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from tocsin.domain import screening as screening_policy
from tocsin.ledger import parse_canonical_json
from tocsin.server.concerns.gates import (
    NotVisible,
    access_child,
    access_concern,
    concerns_visible_to,
)
from tocsin.server.concerns.models import (
    Child,
    ChildRisk,
    Concern,
    RecordView,
    Regrading,
    Screening,
)
from tocsin.server.directory.models import User
from tocsin.server.directory.read_models import actor_names
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.reads import not_shown

__all__ = [
    "ChildRecord",
    "ConcernRecord",
    "TimelineEntry",
    "Viewing",
    "child_record",
    "concern_by_follow_up_code_hash",
    "concern_children",
    "concern_record",
    "concern_to_screen",
    "concern_with_relations",
    "concern_with_relations_for",
    "concerns_page",
    "recent_concerns",
    "screening_at",
    "screening_result",
]

#: How many of the people who have seen a concern its page lists.
VIEWINGS_SHOWN = 50


@dataclass(frozen=True)
class TimelineEntry:
    """One event about a concern, from the ledger."""

    seq: int
    kind: str
    time: str
    actor: str


@dataclass(frozen=True)
class Viewing:
    """One person who was shown the concern, when and why."""

    who: str
    when: str
    purpose: str


@dataclass(frozen=True)
class ConcernRecord:
    """Everything known about a concern that its page shows."""

    concern: Concern
    children: list[Child]
    screenings: list[Screening]
    regradings: dict[Any, list[Regrading]]
    notes: list[Any]
    timeline: list[TimelineEntry]
    viewings: list[Viewing]
    names: dict[str, str]

    @property
    def recorded_by(self) -> str | None:
        """Who recorded it, by name (``None`` for a public report)."""
        if self.concern.recorded_by_id is None:
            return None
        return self.names.get(f"user:{self.concern.recorded_by_id}", "")


@dataclass(frozen=True)
class ChildRecord:
    """A child and every concern about them that the reader may see, with each band, and
    the child's band across all their concerns (``risk``; None for a child recorded before
    it was kept)."""

    child: Child
    concerns: list[Concern]
    bands: dict[Any, str]
    risk: ChildRisk | None = None

    @property
    def band_across_concerns(self) -> screening_policy.ChildBand | None:
        """The child's band across all their concerns with what set it (None if unscreened):
        the rule the appliers kept ``risk`` by, applied to the same screenings."""
        if self.risk is None:
            return None
        parts = sorted(self.risk.screenings.items(), key=lambda item: item[1]["seq"])
        return screening_policy.combined_band(
            [screening_policy.ChildScreening.from_json(pk, part) for pk, part in parts]
        )

    @property
    def concerns_screened(self) -> int:
        """How many concerns the band across all concerns comes from."""
        if self.risk is None:
            return 0
        return len({part["concern_id"] for part in self.risk.screenings.values()})

    @property
    def concerns_not_shown(self) -> int:
        """How many of those the reader may not see (the band counts them all)."""
        if self.risk is None:
            return 0
        shown = {str(concern.pk) for concern in self.concerns}
        return len({p["concern_id"] for p in self.risk.screenings.values()} - shown)


def concern_record(user: User, concern_id: uuid.UUID | str) -> ConcernRecord:
    """The concern and all its page shows, if ``user`` may see it (``NotVisible`` if not)."""
    concern = access_concern(user, concern_id)
    children = [link.child for link in concern.child_links.select_related("child")]
    screenings = list(
        concern.screenings.select_related("child")
        .prefetch_related(
            Prefetch("regradings", queryset=Regrading.objects.order_by("regraded_seq"))
        )
        .order_by("screened_seq")
    )
    regradings = {s.pk: list(s.regradings.all()) for s in screenings}
    notes = list(concern.notes.order_by("added_seq"))
    subject = f"concern:{concern.pk}"
    leaves = list(
        LedgerLeaf.objects.filter(subject=subject)
        .order_by("seq")
        .values_list("seq", "kind", "data")
    )
    envelopes = [(seq, kind, parse_canonical_json(bytes(data))) for seq, kind, data in leaves]
    views = list(
        RecordView.objects.filter(subject=subject).order_by("-viewed_seq")[:VIEWINGS_SHOWN]
    )
    actors = {str(envelope.get("actor", "")) for _, _, envelope in envelopes}
    actors |= {v.viewer for v in views}
    actors |= {r.actor for rs in regradings.values() for r in rs}
    if concern.recorded_by_id:
        actors.add(f"user:{concern.recorded_by_id}")
    names = actor_names(actors)
    return ConcernRecord(
        concern=concern,
        children=children,
        screenings=screenings,
        regradings=regradings,
        notes=notes,
        timeline=[
            TimelineEntry(
                seq=seq,
                kind=kind,
                time=str(envelope.get("time", "")),
                actor=names[str(envelope.get("actor", ""))],
            )
            for seq, kind, envelope in envelopes
        ],
        viewings=[Viewing(names[v.viewer], v.viewed_at, v.purpose) for v in views],
        names=names,
    )


def child_record(user: User, child_id: uuid.UUID | str) -> ChildRecord:
    """The child and the concerns about them ``user`` may see (``NotVisible`` if none)."""
    from tocsin.server.people.merges import group_of

    child, concerns = access_child(user, child_id)
    shown = list(concerns)
    group = group_of(child.pk)
    bands = {
        s.concern_id: s.current_band
        for s in Screening.objects.filter(child_id__in=group, concern__in=[c.pk for c in shown])
    }
    # Records merged into one child: the child's band is the highest any of them holds.
    risk = ChildRisk.objects.filter(child_id__in=group).order_by("-score").first()
    return ChildRecord(child=child, concerns=shown, bands=bands, risk=risk)


def concern_to_screen(user: User, concern_id: uuid.UUID | str) -> tuple[Concern, list[Child]]:
    """A concern ``user`` may see and the children it is about, for the screening page
    (``NotVisible`` if not)."""
    concern = access_concern(user, concern_id)
    links = concern.child_links.select_related("child").order_by("child__given_name", "child_id")
    return concern, [link.child for link in links]


def concern_children(user: User, concern_id: uuid.UUID | str) -> list[Child]:
    """The children a concern ``user`` may see is about (``NotVisible`` if they may not)."""
    concern = access_concern(user, concern_id)
    return [link.child for link in concern.child_links.select_related("child")]


def recent_concerns(user: User, limit: int) -> list[Concern]:
    """The concerns ``user`` recorded most recently, each with its children and its case (so
    whoever raised a concern sees what has happened to it)."""
    return list(
        concerns_visible_to(user)
        .filter(recorded_by=user)
        .select_related("case")
        .prefetch_related("child_links__child")
        .order_by("-recorded_seq")[:limit]
    )


def screening_at(
    user: User, concern_id: uuid.UUID | str, screening_id: Any
) -> tuple[Concern, Screening]:
    """A concern ``user`` may see and one of its screenings (``NotVisible`` if either is not
    there)."""
    concern = access_concern(user, concern_id)
    screening = concern.screenings.filter(pk=screening_id).select_related("child").first()
    if screening is None:
        raise NotVisible("no such screening")
    return concern, screening


def screening_result(screening: Screening) -> screening_policy.ScreeningResult | None:
    """A recorded screening's result, every indicator explained in words and any seen too
    long ago to count named, as the scheme in force scores it again (None if the screening
    was recorded under another scheme or version: show what it recorded then)."""
    return screening_policy.recorded_result(
        screening.scheme,
        screening.scheme_version,
        [
            screening_policy.Observation(o["indicator_id"], date.fromisoformat(o["seen_on"]))
            for o in screening.observations
        ],
        screening.as_of,
    )


def concern_with_relations(concerns: QuerySet[Concern]) -> QuerySet[Concern]:
    """Concerns with their agency, children (with their band across concerns) and screenings
    loaded in four queries (for the API's lists and pages)."""
    return concerns.select_related("agency").prefetch_related(
        "child_links__child__risk", "screenings"
    )


def concern_with_relations_for(user: User, concern_id: uuid.UUID | str) -> Concern:
    """One concern with its agency, children and screenings, if ``user`` may see it
    (``NotVisible`` if not)."""
    try:
        return concern_with_relations(concerns_visible_to(user)).get(pk=concern_id)
    except (Concern.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible("no such concern, or you do not have access to it") from None


def concerns_page(user: User) -> QuerySet[Concern]:
    """The concerns ``user`` may see, newest first, ready to serialise."""
    return concern_with_relations(concerns_visible_to(user).order_by("-recorded_seq"))


def concern_by_follow_up_code_hash(code_hash: str) -> Concern | None:
    """The public report a follow-up code belongs to. The reporter is never shown it, so
    finding it is not a read of the record."""
    with not_shown():
        return Concern.objects.filter(follow_up_code_hash=code_hash).first()

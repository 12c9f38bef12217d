"""A child's chronology: everything the partnership has recorded about one child, from every
agency, in date order, within need-to-know; and, for what the reader may not see, which agency
holds it and whom to ask.

Everything shown is loaded through the gates, so the request's read scope records it. What
other agencies hold is counted with ``values()`` queries, which show no record: the reader
learns that information exists, when it was recorded and whom to contact, never what it says.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Max

from tocsin.domain import screening as screening_policy
from tocsin.domain.casework import DECISIONS
from tocsin.ledger import parse_canonical_json
from tocsin.server.casework.models import Allocation, Case, Contact, Decision, OutcomeRecord
from tocsin.server.concerns.gates import access_child
from tocsin.server.concerns.models import (
    Child,
    ChildRisk,
    Concern,
    ConcernChild,
    ConcernNote,
    Regrading,
    Screening,
)
from tocsin.server.concerns.read_models import ChildRecord
from tocsin.server.directory.models import User
from tocsin.server.directory.read_models import actor_names
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.meetings.models import Meeting
from tocsin.server.people.merges import group_of

__all__ = ["Chronology", "ChronologyEntry", "HeldElsewhere", "child_chronology"]

#: What each kind of entry is called, for the filter and the key.
KINDS: dict[str, str] = {
    "concern": "Concern recorded",
    "screening": "Screening",
    "regrading": "Band changed",
    "allocation": "Allocation",
    "decision": "Decision",
    "sign_off": "Sign-off",
    "note": "Case note",
    "contact": "Contact",
    "meeting": "Meeting",
    "outcome": "Outcome",
}


@dataclass(frozen=True)
class ChronologyEntry:
    """One thing that happened, as the chronology lists it."""

    #: when it happened: an event time (UTC, RFC 3339), or a day for a contact.
    when: str | date
    kind: str
    concern: Concern
    title: str
    detail: str
    by: str
    #: the ledger entry that recorded it (orders entries on the same day).
    seq: int

    @property
    def sort_key(self) -> tuple[str, int]:
        day = self.when.isoformat() if isinstance(self.when, date) else self.when
        return (day, self.seq)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class HeldElsewhere:
    """Concerns about the child that the reader may not see, held by one agency (or, for a
    public report, by the front door): how many, the latest, and whom to contact."""

    holder: str
    concerns: int
    latest: str
    contacts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Chronology:
    child: Child
    entries: list[ChronologyEntry]
    concerns: list[Concern]
    held_elsewhere: list[HeldElsewhere]
    agencies: list[str]
    #: each concern's case (status, owner, band to act on), by concern id.
    cases: dict[Any, Case] = field(default_factory=dict)
    #: the child with the concerns shown and their band across all concerns.
    record: ChildRecord | None = None

    @property
    def kinds(self) -> list[str]:
        return sorted({e.kind for e in self.entries}, key=list(KINDS).index)


def child_chronology(
    user: User, child_id: uuid.UUID | str, *, oldest_first: bool = True
) -> Chronology:
    """Every concern, screening, band change, allocation, decision, sign-off, note, contact and
    outcome about the child that ``user`` may see, in date order; and what other agencies hold
    that ``user`` may not. ``NotVisible`` when ``user`` may see no concern about the child.

    A fixed number of queries, however long the chronology."""
    child, visible = access_child(user, child_id)
    # Records merged into one child (tocsin.server.people.merges) have one chronology.
    group = group_of(child.pk)
    members = {uuid.UUID(g) for g in group}
    concerns = list(visible.select_related("agency", "recorded_by"))
    concerns.sort(key=lambda c: c.recorded_seq)
    by_id = {c.pk: c for c in concerns}
    ids = list(by_id)
    screenings = list(Screening.objects.filter(child_id__in=group, concern_id__in=ids))
    regradings = list(
        Regrading.objects.filter(screening__in=[s.pk for s in screenings]).select_related(
            "screening"
        )
    )
    decisions = list(Decision.objects.filter(concern_id__in=ids))
    # A band proposal about another child of a shared concern is not this child's.
    decisions = [d for d in decisions if d.child_id is None or d.child_id in members]
    allocations = list(
        Allocation.objects.filter(concern_id__in=ids).select_related("team", "worker")
    )
    notes = list(ConcernNote.objects.filter(concern_id__in=ids))
    contacts = [
        c
        for c in Contact.objects.filter(concern_id__in=ids)
        if c.child_id is None or c.child_id in members
    ]
    outcomes = list(OutcomeRecord.objects.filter(concern_id__in=ids))
    meetings = list(Meeting.objects.filter(concern_id__in=ids))

    seqs = [s.screened_seq for s in screenings] + [r.regraded_seq for r in regradings]
    seqs += [n.added_seq for n in notes]
    leaves = _leaf_times_and_actors(seqs)
    actors = {actor for _, actor in leaves.values()}
    actors |= {d.proposed_by for d in decisions} | {d.signed_off_by for d in decisions}
    actors |= {a.actor for a in allocations} | {c.actor for c in contacts}
    actors |= {o.actor for o in outcomes} | {r.actor for r in regradings}
    actors |= {m.actor for m in meetings}
    actors |= {f"user:{c.recorded_by_id}" for c in concerns if c.recorded_by_id}
    names = actor_names(a for a in actors if a)
    band = _band_labels()

    entries: list[ChronologyEntry] = []
    add = entries.append
    for c in concerns:
        by = names.get(f"user:{c.recorded_by_id}", "") if c.recorded_by_id else ""
        source = c.agency.name if c.agency else "a member of the public"
        add(
            ChronologyEntry(
                c.recorded_at,
                "concern",
                c,
                f"Concern recorded by {source}",
                c.narrative,
                by or "Public report",
                c.recorded_seq,
            )
        )
    for s in screenings:
        time, actor = leaves.get(s.screened_seq, ("", ""))
        stale = sum(1 for x in s.contributions if not x.get("points"))
        detail = f"Score {s.score}: {band(s.band)}"
        if stale:
            detail += f"; {stale} indicator{'s' if stale != 1 else ''} scored nothing"
        add(
            ChronologyEntry(
                time,
                "screening",
                by_id[s.concern_id],
                f"Screened: {band(s.band)}",
                detail,
                names.get(actor, actor),
                s.screened_seq,
            )
        )
    for r in regradings:
        time, _ = leaves.get(r.regraded_seq, ("", ""))
        add(
            ChronologyEntry(
                time,
                "regrading",
                by_id[r.concern_id],
                f"Band changed from {band(r.from_band)} to {band(r.to_band)}",
                r.reason,
                names.get(r.actor, r.actor),
                r.regraded_seq,
            )
        )
    for d in decisions:
        label = DECISIONS.get(d.code, d.code) if d.kind == "decision" else "Lower the risk band"
        if d.kind == "regrade":
            label += f" from {band(d.from_band)} to {band(d.to_band)}"
        title = f"Proposed: {label}" if d.status != "taken" else f"Decision: {label}"
        add(
            ChronologyEntry(
                d.proposed_at,
                "decision",
                by_id[d.concern_id],
                title,
                d.rationale,
                names.get(d.proposed_by, d.proposed_by),
                d.proposed_seq,
            )
        )
        if d.signed_off_seq is not None:
            verdict = "approved" if d.status == "approved" else "rejected"
            add(
                ChronologyEntry(
                    d.signed_off_at,
                    "sign_off",
                    by_id[d.concern_id],
                    f"Sign-off: {label} {verdict}",
                    d.sign_off_reason,
                    names.get(d.signed_off_by, d.signed_off_by),
                    d.signed_off_seq,
                )
            )
    for a in allocations:
        to = a.worker.display_name if a.worker else (a.team.name if a.team else "")
        if a.worker and a.team:
            to += f" ({a.team.name})"
        add(
            ChronologyEntry(
                a.allocated_at,
                "allocation",
                by_id[a.concern_id],
                f"Allocated to {to}",
                a.reason,
                names.get(a.actor, a.actor),
                a.allocated_seq,
            )
        )
    for n in notes:
        time, actor = leaves.get(n.added_seq, (n.added_at, ""))
        public = n.channel == "public"
        add(
            ChronologyEntry(
                n.added_at or time,
                "note",
                by_id[n.concern_id],
                "Information from the reporter" if public else "Case note",
                n.text,
                "The member of the public who reported it" if public else names.get(actor) or actor,
                n.added_seq,
            )
        )
    for c in contacts:
        how = f"{c.with_label}, {c.method_label.lower()}"
        if not c.made:
            how += ": not made"
        elif c.seen_alone is not None:
            how += ": seen alone" if c.seen_alone else ": not seen alone"
        add(
            ChronologyEntry(
                c.happened_on,
                "contact",
                by_id[c.concern_id],
                f"Contact: {how}",
                c.summary,
                names.get(c.actor, c.actor),
                c.recorded_seq,
            )
        )
    for m in meetings:
        people = ", ".join(f"{a['name']} ({a['role']})" for a in m.attendees)
        add(
            ChronologyEntry(
                m.held_at,
                "meeting",
                by_id[m.concern_id],
                f"{m.kind_label}: {'; '.join(m.decision_labels)}",
                f"Attended by {people}. {m.summary}",
                names.get(m.actor) or m.actor,
                m.recorded_seq,
            )
        )
    for o in outcomes:
        add(
            ChronologyEntry(
                o.recorded_at,
                "outcome",
                by_id[o.concern_id],
                f"Outcome: {o.label}",
                o.summary,
                names.get(o.actor, o.actor),
                o.recorded_seq,
            )
        )
    entries.sort(key=lambda e: e.sort_key, reverse=not oldest_first)
    agencies = sorted({c.agency.name if c.agency else "Public report" for c in concerns})
    cases = {
        case.concern_id: case
        for case in Case.objects.filter(concern_id__in=ids).select_related("owner", "team")
    }
    risk = ChildRisk.objects.filter(child_id__in=group).order_by("-score").first()
    record = ChildRecord(child, concerns, {}, risk)
    return Chronology(
        child, entries, concerns, _held_elsewhere(group, ids), agencies, cases, record
    )


def _band_labels() -> Any:
    scheme = screening_policy.scheme()

    def label(band_id: str) -> str:
        try:
            return str(scheme.band(band_id).label)
        except LookupError:
            return band_id

    return label


def _leaf_times_and_actors(seqs: list[int]) -> dict[int, tuple[str, str]]:
    """The time and actor of each ledger entry in ``seqs`` (one query)."""
    found: dict[int, tuple[str, str]] = {}
    for seq, data in LedgerLeaf.objects.filter(seq__in=set(seqs)).values_list("seq", "data"):
        envelope = parse_canonical_json(bytes(data))
        found[seq] = (str(envelope.get("time", "")), str(envelope.get("actor", "")))
    return found


def _held_elsewhere(group: list[str], shown: list[Any]) -> list[HeldElsewhere]:
    """What other agencies hold about ``child`` that the reader may not see: counted, never
    loaded, so nothing of it is shown or recorded as shown."""
    hidden = ConcernChild.objects.filter(child_id__in=group).exclude(concern_id__in=shown)
    rows = (
        hidden.values("concern__agency__name")
        .annotate(concerns=Count("concern_id"), latest=Max("concern__recorded_at"))
        .order_by("concern__agency__name")
    )
    owners: dict[str | None, set[str]] = defaultdict(set)
    for row in hidden.values(
        "concern__agency__name",
        "concern__case__owner__display_name",
        "concern__case__team__name",
        "concern__case__allocated_agency__name",
    ):
        person = row["concern__case__owner__display_name"]
        team = row["concern__case__team__name"]
        where = row["concern__case__allocated_agency__name"]
        if person or team:
            owners[row["concern__agency__name"]].add(
                ", ".join(p for p in (person, team, where) if p)
            )
    return [
        HeldElsewhere(
            holder=row["concern__agency__name"] or "The front door (public reports)",
            concerns=row["concerns"],
            latest=row["latest"] or "",
            contacts=sorted(owners.get(row["concern__agency__name"], ())),
        )
        for row in rows
    ]

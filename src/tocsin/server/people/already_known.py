"""The "already known" panel, within need-to-know: for each child or adult of a concern (or of
a draft about to be recorded), the people already known who may be them.

Where the reader may see the other record, it is loaded through the model (so the request's
read scope records it) and linked. Where they may not, the panel says which agency holds
information and whom to contact (the case's owner and team, as the chronology does), counted
with ``values()`` queries that show no record: never what the record says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from tocsin.domain.people import MATCH_STATUSES
from tocsin.intel.linkage import ScoredPair
from tocsin.server.concerns.gates import concerns_visible_to
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User
from tocsin.server.people.models import PersonMatch, PersonRecord

__all__ = [
    "FIELD_LABELS",
    "AlreadyKnown",
    "KnownMatch",
    "already_known_for_concern",
    "already_known_for_draft",
    "holders",
]

#: How each comparison of an explanation is named on the page.
FIELD_LABELS: dict[str, str] = {
    "first_name": "First name",
    "tf_adj_first_name": "How common the first name is",
    "surname": "Surname",
    "tf_adj_surname": "How common the surname is",
    "date_of_birth": "Date of birth or age",
    "place": "Address, postcode or phone",
    "alias_keys": "Other names",
    "sex": "Sex",
    "email": "Email",
    "identifier": "NHS number",
}


@dataclass(frozen=True)
class Holder:
    """An agency holding a record the reader may not see, and whom to contact there."""

    agency: str
    contacts: tuple[str, ...]


@dataclass(frozen=True)
class KnownMatch:
    """One person already known who may be this one: ``record`` and ``concern`` when the reader
    may see them, else ``holder`` (which agency, whom to contact)."""

    probability: float
    status: str
    weights: dict[str, float]
    record: PersonRecord | None = None
    concern: Concern | None = None
    holder: Holder | None = None

    @property
    def status_label(self) -> str:
        return MATCH_STATUSES.get(self.status, self.status)

    @property
    def likelihood(self) -> str:
        """The match in words (the number is shown beside it)."""
        if self.status == "confirmed":
            return "Very likely the same person"
        return "May be the same person: for review"

    @property
    def explanation(self) -> list[tuple[str, float]]:
        """Each comparison's match weight, labelled, strongest evidence first."""
        return sorted(
            ((FIELD_LABELS.get(k, k), v) for k, v in self.weights.items() if v),
            key=lambda item: -abs(item[1]),
        )


@dataclass
class AlreadyKnown:
    """One child or adult of this concern, and who they may already be."""

    label: str
    kind: str
    matches: list[KnownMatch] = field(default_factory=list)

    @property
    def seen(self) -> list[KnownMatch]:
        return [m for m in self.matches if m.record is not None]

    @property
    def held_elsewhere(self) -> list[KnownMatch]:
        return [m for m in self.matches if m.record is None]


def _label(row: Mapping[str, Any]) -> str:
    names = " ".join(
        n for n in (row.get("first_name"), row.get("middle_names"), row.get("surname")) if n
    )
    aliases = row.get("aliases") or []
    return names or (f"known as {', '.join(aliases)}" if aliases else "name not known")


def holders(concern_ids: Iterable[Any]) -> dict[str, Holder]:
    """Who holds each of ``concern_ids`` and whom to contact: counted with ``values()``, so
    nothing of the concerns is shown or recorded as shown."""
    found: dict[str, Holder] = {}
    rows = Concern.objects.filter(pk__in=list(concern_ids)).values(
        "pk",
        "agency__name",
        "case__owner__display_name",
        "case__team__name",
        "case__allocated_agency__name",
    )
    for row in rows:
        person = row["case__owner__display_name"]
        team = row["case__team__name"]
        where = row["case__allocated_agency__name"]
        contact = ", ".join(p for p in (person, team, where) if p)
        agency = row["agency__name"] or "The front door (public reports)"
        found[str(row["pk"])] = Holder(
            agency,
            (contact,) if contact else (f"the safeguarding front door of {agency}",),
        )
    return found


def _matches(
    user: User, found: Sequence[tuple[str, str, float, str, dict[str, float]]]
) -> dict[str, list[KnownMatch]]:
    """``found``: (own record id, other record id, probability, status, weights). The other
    records the reader may see are loaded (and so recorded as shown); the rest are named by
    their holder only."""
    others = {other for _, other, *_ in found}
    concern_of = dict(PersonRecord.objects.filter(pk__in=others).values_list("pk", "concern_id"))
    visible = set(
        concerns_visible_to(user)
        .filter(pk__in=set(concern_of.values()))
        .values_list("pk", flat=True)
    )
    shown = {
        r.pk: r
        for r in PersonRecord.objects.filter(
            pk__in=[o for o in others if concern_of.get(o) in visible]
        ).select_related("concern", "concern__agency")
    }
    held = holders(c for o, c in concern_of.items() if o not in shown)
    by_own: dict[str, list[KnownMatch]] = {}
    for own, other, probability, status, weights in found:
        if other not in concern_of:
            continue  # expunged since
        record = shown.get(other)
        by_own.setdefault(own, []).append(
            KnownMatch(
                probability=probability,
                status=status,
                weights=weights,
                record=record,
                concern=record.concern if record is not None else None,
                holder=None if record is not None else held.get(str(concern_of[other])),
            )
        )
    for matches in by_own.values():
        matches.sort(key=lambda m: -m.probability)
    return by_own


def already_known_for_concern(user: User, concern: Concern) -> list[AlreadyKnown]:
    """The concern's children and adults who may already be known (only those who may),
    as ``user`` may see them. The concern itself must already have passed its gate."""
    mine = list(
        PersonRecord.objects.filter(concern=concern).values(
            "pk", "kind", "first_name", "middle_names", "surname", "aliases", "position"
        )
    )
    if not mine:
        return []
    ids = [r["pk"] for r in mine]
    rows = (
        PersonMatch.objects.filter(Q(right_id__in=ids) | Q(left_id__in=ids))
        .exclude(status="rejected")
        .values("left_id", "right_id", "probability", "status", "weights")
    )
    found = []
    for row in rows:
        own, other = (
            (row["right_id"], row["left_id"])
            if row["right_id"] in ids
            else (row["left_id"], row["right_id"])
        )
        found.append((own, other, row["probability"], row["status"], row["weights"]))
    by_own = _matches(user, found)
    mine.sort(key=lambda r: (r["kind"] != "child", r["position"]))
    return [AlreadyKnown(_label(r), r["kind"], by_own[r["pk"]]) for r in mine if r["pk"] in by_own]


def already_known_for_draft(
    user: User, records: Sequence[Mapping[str, Any]], pairs: Sequence[ScoredPair], link: float
) -> list[AlreadyKnown]:
    """The draft's children and adults (``records``, as ``draft_records`` gives them) who may
    already be known, from the ``pairs`` the index found (``right`` the draft's)."""
    found = [
        (
            p.right,
            p.left,
            p.match_probability,
            "confirmed" if p.match_probability >= link else "proposed",
            p.weights,
        )
        for p in pairs
    ]
    by_own = _matches(user, found)
    return [
        AlreadyKnown(_label(r), r["kind"], by_own[r["record_id"]])
        for r in records
        if r["record_id"] in by_own
    ]

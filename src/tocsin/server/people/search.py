"""Search across the partnership for a person, vehicle, phone or place, within need-to-know.

A purpose is required. Each search is one ``search.made`` event naming who searched, why, the
query, the records shown and the agencies holding records that were not: its applier lists the
shown records in "who has seen this record", so the search loads them without the request's
read scope (which would list them a second time). Records the searcher may not see are named
only by the agency that holds them and whom to contact there.

People are found by the linkage model (spellings, familiar forms, a date of birth a day out)
and by exact names; vehicles by registration (a partial one finds the whole plates it may be,
and a whole one the partial sightings it may be); phones in E.164; places by postcode or by
words of the address.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from tocsin.domain.casework import roles_for
from tocsin.domain.concerns import FieldProblem
from tocsin.domain.people import SEARCH_KINDS, SearchMade
from tocsin.intel.linkage import (
    REVIEW_THRESHOLD,
    e164,
    is_partial_registration,
    normalise_address,
    normalise_postcode,
    normalise_registration,
)
from tocsin.server.actors import Invalid, actor_id, require_role
from tocsin.server.concerns.gates import concerns_visible_to
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import record_event
from tocsin.server.people.already_known import Holder, holders
from tocsin.server.people.known import known_index, linkage_record
from tocsin.server.people.models import PersonRecord
from tocsin.server.reads import not_shown

__all__ = [
    "MAX_RESULTS",
    "SEARCH_ROLES",
    "SearchHit",
    "SearchResult",
    "do_search",
]

#: Who may search: everyone who reads concerns (docs/access.md, ``search``).
SEARCH_ROLES = roles_for("search")
#: At most this many records are shown; the rest are counted.
MAX_RESULTS = 50
_PURPOSE_NEEDED = "Say why you are searching; it is kept on the ledger"
_PURPOSE_MAX = 300


@dataclass(frozen=True)
class SearchHit:
    """A concern holding what was searched for: shown (``concern``, and ``record`` for a
    person) or, where the searcher may not see it, only its ``holder``."""

    what: str
    concern: Concern | None = None
    record: PersonRecord | None = None
    holder: Holder | None = None
    score: float | None = None


@dataclass
class SearchResult:
    search_id: str
    looked_for: str
    query: dict[str, str]
    shown: list[SearchHit] = field(default_factory=list)
    held_elsewhere: dict[str, Holder] = field(default_factory=dict)
    #: how many concerns held elsewhere, by agency name.
    held_counts: dict[str, int] = field(default_factory=dict)
    more: int = 0
    seq: int = 0


def _clean(query: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v).strip() for k, v in query.items() if v is not None and str(v).strip()}


def _problems(looked_for: str, query: dict[str, str], purpose: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if looked_for not in SEARCH_KINDS:
        problems.append(FieldProblem("looked_for", "Choose what to search for"))
    elif looked_for == "person":
        if not (query.get("first_name") or query.get("surname")):
            problems.append(FieldProblem("first_name", "Enter a first name or a surname"))
        if query.get("date_of_birth"):
            try:
                dt.date.fromisoformat(query["date_of_birth"])
            except ValueError:
                problems.append(
                    FieldProblem("date_of_birth", "Enter the date of birth as a real date")
                )
    elif looked_for == "vehicle" and not normalise_registration(query.get("registration", "")):
        problems.append(FieldProblem("registration", "Enter a registration, or part of one"))
    elif looked_for == "phone" and e164(query.get("phone", "")) is None:
        problems.append(FieldProblem("phone", "Enter a phone number, like 07700 900123"))
    elif looked_for == "place" and not (query.get("postcode") or query.get("address")):
        problems.append(FieldProblem("postcode", "Enter a postcode or words of the address"))
    if not purpose.strip():
        problems.append(FieldProblem("purpose", _PURPOSE_NEEDED))
    elif len(purpose) > _PURPOSE_MAX:
        problems.append(FieldProblem("purpose", "Keep the purpose under 300 characters"))
    return problems


def _people(query: dict[str, str]) -> list[tuple[str, str, float | None]]:
    """(record id, concern id, score) of the person records that may be the one described."""
    found: dict[str, tuple[str, float | None]] = {}
    wanted = linkage_record(
        {
            "record_id": "search/query",
            "kind": "search",
            "source": "search",
            "first_name": query.get("first_name"),
            "surname": query.get("surname"),
            "date_of_birth": query.get("date_of_birth"),
            "postcode": query.get("postcode"),
        }
    )
    index, _ = known_index()
    scored: dict[str, float] = {}
    if index is not None:
        for pair in index.check([wanted], threshold=REVIEW_THRESHOLD):
            scored[pair.left] = pair.match_probability
    exact = Q()
    first, surname = query.get("first_name"), query.get("surname")
    if first:
        exact &= Q(first_name__iexact=first)
    if surname:
        exact &= Q(surname__iexact=surname)
    if query.get("date_of_birth"):
        exact &= Q(date_of_birth=query["date_of_birth"])
    rows = PersonRecord.objects.filter(exact | Q(pk__in=list(scored))).values_list(
        "pk", "concern_id"
    )
    for pk, concern_id in rows:
        found[pk] = (str(concern_id), scored.get(pk))
    return sorted(
        ((pk, concern, score) for pk, (concern, score) in found.items()),
        key=lambda hit: (-(hit[2] if hit[2] is not None else 1.0), hit[0]),
    )


def _registration_matches(wanted: str, held: str) -> bool:
    if not held:
        return False
    if wanted == held:
        return True
    # A partial registration is the start of the whole plate it may be, either way round.
    if is_partial_registration(wanted) and held.startswith(wanted):
        return True
    return is_partial_registration(held) and wanted.startswith(held)


def _objects(looked_for: str, query: dict[str, str]) -> list[tuple[str, str]]:
    """(what matched, concern id) of the concerns holding the vehicle, phone or place."""
    hits: list[tuple[str, str]] = []
    if looked_for == "vehicle":
        wanted = normalise_registration(query["registration"]) or ""
        rows = Concern.objects.exclude(vehicles=[]).values_list("pk", "vehicles")
        for pk, vehicles in rows:
            for vehicle in vehicles or []:
                held = normalise_registration(str(vehicle.get("registration") or "")) or ""
                if _registration_matches(wanted, held):
                    hits.append((f"Vehicle {held}", str(pk)))
                    break
    elif looked_for == "phone":
        wanted = e164(query["phone"]) or ""
        rows = Concern.objects.exclude(phones=[]).values_list("pk", "phones")
        for pk, phones in rows:
            if any((e164(p) or p) == wanted for p in phones or []):
                hits.append((f"Phone {wanted}", str(pk)))
    elif looked_for == "place":
        postcode = normalise_postcode(query.get("postcode")) if query.get("postcode") else None
        words = set((normalise_address(query.get("address")) or "").split())
        rows = Concern.objects.exclude(places=[]).values_list("pk", "places")
        for pk, places in rows:
            for place in places or []:
                held_postcode = place.get("postcode") or ""
                held_words = set((normalise_address(place.get("name")) or "").split())
                if (postcode and held_postcode == postcode) or (words and words <= held_words):
                    hits.append((f"Place {place.get('name') or held_postcode}", str(pk)))
                    break
    return hits


def do_search(
    looked_for: str, query: Mapping[str, Any], purpose: str, *, actor: User
) -> SearchResult:
    """Search the partnership for a person (``first_name``, ``surname``, ``date_of_birth``,
    ``postcode``), vehicle (``registration``), phone (``phone``) or place (``postcode``,
    ``address``), for ``purpose``; :class:`Invalid` names each problem. One ``search.made``
    records it, with the records shown."""
    require_role(actor, *SEARCH_ROLES)
    cleaned = _clean(query)
    problems = _problems(looked_for, cleaned, purpose)
    if problems:
        raise Invalid(problems)
    with transaction.atomic():
        hits: list[tuple[str, str, str | None, float | None]]
        if looked_for == "person":
            people = _people(cleaned)
            hits = [(f"Person {pk}", concern, pk, score) for pk, concern, score in people]
        else:
            hits = [(what, concern, None, None) for what, concern in _objects(looked_for, cleaned)]
        visible = {
            str(pk)
            for pk in concerns_visible_to(actor)
            .filter(pk__in={h[1] for h in hits})
            .values_list("pk", flat=True)
        }
        shown_hits = [h for h in hits if h[1] in visible]
        hidden = [h for h in hits if h[1] not in visible]
        result = SearchResult(str(uuid.uuid4()), looked_for, cleaned)
        result.more = max(0, len(shown_hits) - MAX_RESULTS)
        shown_hits = shown_hits[:MAX_RESULTS]
        # Loaded without the read scope: search.made lists them (see the module's docstring).
        with not_shown():
            concerns = Concern.objects.select_related("agency").in_bulk(
                list({h[1] for h in shown_hits})
            )
            records = PersonRecord.objects.in_bulk([h[2] for h in shown_hits if h[2]])
        subjects: dict[str, None] = {}
        for what, concern_id, record_id, score in shown_hits:
            concern = concerns[uuid.UUID(concern_id)]
            record = records.get(record_id) if record_id else None
            result.shown.append(SearchHit(what, concern, record, None, score))
            subjects[f"concern:{concern_id}"] = None
            if record is not None and record.child_id:
                subjects[f"child:{record.child_id}"] = None
        result.held_elsewhere = holders(h[1] for h in hidden)
        for holder in result.held_elsewhere.values():
            result.held_counts[holder.agency] = result.held_counts.get(holder.agency, 0) + 1
        agencies = sorted(
            {
                str(a or "public")
                for a in Concern.objects.filter(pk__in=[h[1] for h in hidden]).values_list(
                    "agency_id", flat=True
                )
            }
        )
        envelope = record_event(
            SearchMade(
                search_id=result.search_id,
                searcher=actor_id(actor),
                purpose=purpose.strip(),
                looked_for=looked_for,
                query=cleaned,
                shown=list(subjects),
                held_elsewhere=agencies,
            ),
            actor_id=actor_id(actor),
        )
        result.seq = envelope.seq
    return result

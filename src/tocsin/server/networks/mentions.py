"""Mentions from the concern projections: every child, adult, vehicle, phone and place a
concern names, resolved to one identity each, as :class:`tocsin.intel.graph.Mention` rows.

How each kind is resolved (docs/networks.md, "In the server"):

* a **child** is the child record the concerns share (``ConcernChild``);
* an **adult** is resolved by :func:`adult_identity`, today the name keys of
  ``tocsin.intel.linkage`` (spelling and familiar-form variants share a key); it is the one place
  to switch to the person index's clusters;
* a **vehicle** by its normalised registration; a partial one (what a witness saw) joins the one
  whole registration it can be, and stays a node of its own when it could be several or none;
* a **phone** by its E.164 form (numbers that are not possible numbers are left out);
* a **place** by its postcode and house number or name (``address_key``), else its postcode,
  else its normalised name.

A concern's flags come from its Children in Need factors and its screenings' indicators. A
concern recorded through the ``pattern`` channel (an alert this app raised) names the subject of
the pattern, so it is left out: an alert must not count as evidence for itself.

Four queries whatever the number of concerns (concerns, their children, the children's names,
the screenings' indicators); everything is read with ``values()``, so building the graph shows
nobody a record: what a page then shows is recorded by the page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from tocsin.domain.concerns import child_label
from tocsin.intel.graph import Mention
from tocsin.intel.linkage import (
    KnownRegistrations,
    address_key,
    e164,
    is_partial_registration,
    name_keys,
    normalise_name,
    normalise_postcode,
    normalise_registration,
)
from tocsin.server.concerns.models import Child, Concern, ConcernChild, Screening
from tocsin.server.people.merges import roots_of

__all__ = [
    "CIN_FLAGS",
    "INDICATOR_FLAGS",
    "PATTERN_CHANNEL",
    "MentionFilter",
    "adult_identity",
    "concern_mentions",
    "place_identity",
]

#: The channel of the concerns pattern alerts raise (left out of the graph).
PATTERN_CHANNEL = "pattern"

#: Children in Need factors (DOMAIN.md section 3) that mark a concern.
CIN_FLAGS: dict[str, str] = {
    "11A": "cse",  # child sexual exploitation
    "19C": "cse",  # sexual abuse, adult on child
    "24A": "cce",  # child criminal exploitation
    "13A": "cce",  # gangs
}
#: Screening indicators (the SERAF scheme) that mark a concern.
INDICATOR_FLAGS: dict[str, str] = {
    "carrying_drugs": "drugs",
    "weapon_found": "weapons",
    "links_to_gangs": "cce",
}


@dataclass(frozen=True)
class MentionFilter:
    """Which concerns count: those that occurred in ``[since, until]`` (either may be open),
    from the ``agencies`` given (agency ids, or "public"; empty for all)."""

    since: date | None = None
    until: date | None = None
    agencies: frozenset[str] = frozenset()


def adult_identity(person: Mapping[str, Any]) -> tuple[str, str] | None:
    """An adult of concern's identity key and label, or None when nothing given can find them
    again (a description alone).

    Today the key is the adult's first name as given, each word replaced by the smallest of its
    name keys, so ``Mo Khan`` and ``Mohamed Khan`` are one adult; the person index of issue 15
    replaces this with its clusters, here and nowhere else."""
    names = [n for n in (person.get("names") or []) if str(n).strip()]
    nicknames = [n for n in (person.get("nicknames") or []) if str(n).strip()]
    given = names[0] if names else (nicknames[0] if nicknames else "")
    normalised = normalise_name(str(given)) if given else None
    if not normalised:
        return None
    words = [_canonical_name(word) for word in normalised.split(" ") if word]
    key = ("name:" if names else "nickname:") + " ".join(words)
    label = str(given).strip() if names else f"known as {str(given).strip()}"
    return key, label


def _canonical_name(word: str) -> str:
    """One key for a name and all its variants: its spelling group (``s:muhammad`` for Mohamed
    and Mohammed), else the one group its familiar forms lead to (Mo is a familiar form of
    Mohamed, Mohammed and Muhammad, all one spelling group), else the name itself."""
    keys = name_keys(word)
    spelling = sorted(k for k in keys if k.startswith("s:"))
    if spelling:
        return spelling[0]
    resolved = set()
    for familiar in (k for k in keys if k.startswith("f:")):
        groups = sorted(k for k in name_keys(familiar[2:]) if k.startswith("s:"))
        resolved.add(groups[0] if groups else familiar)
    if len(resolved) == 1:
        return resolved.pop()
    return word


def place_identity(place: Mapping[str, Any]) -> tuple[str, str] | None:
    """A place's identity key and label, or None when it has neither a name nor a postcode."""
    name = str(place.get("name") or "").strip()
    postcode = normalise_postcode(str(place.get("postcode") or ""))
    label = ", ".join(part for part in (name, postcode or "") if part)
    key = address_key(name, postcode) if name and postcode else None
    if key is None and postcode:
        key = postcode if not name else f"{postcode}|{normalise_name(name) or ''}"
    if key is None and name:
        key = f"name|{normalise_name(name) or name.casefold()}"
    if key is None:
        return None
    return key, label


def _flags(factors: Iterable[str], indicators: Iterable[str]) -> frozenset[str]:
    found = {CIN_FLAGS[f] for f in factors if f in CIN_FLAGS}
    found |= {INDICATOR_FLAGS[i] for i in indicators if i in INDICATOR_FLAGS}
    return frozenset(found)


def _concern_rows(where: MentionFilter) -> list[dict[str, Any]]:
    concerns = Concern.objects.filter(recorded_seq__gte=0).exclude(channel=PATTERN_CHANNEL)
    if where.agencies:
        ids = [a for a in where.agencies if a != "public"]
        from django.db.models import Q

        condition = Q(agency_id__in=ids)
        if "public" in where.agencies:
            condition |= Q(agency__isnull=True)
        concerns = concerns.filter(condition)
    return list(
        concerns.values(
            "id",
            "agency_id",
            "recorded_by_id",
            "occurred_on",
            "recorded_at",
            "persons",
            "vehicles",
            "phones",
            "places",
            "cin_factors",
        ).order_by("recorded_seq")
    )


def _day(row: Mapping[str, Any]) -> date:
    occurred = row["occurred_on"]
    if occurred is not None:
        return occurred if isinstance(occurred, date) else date.fromisoformat(str(occurred))
    return date.fromisoformat(str(row["recorded_at"])[:10])


def concern_mentions(where: MentionFilter | None = None) -> list[Mention]:
    """Every entity named in every concern that ``where`` lets through, as mentions for
    :func:`tocsin.intel.graph.build_graph` (in the order the concerns were recorded)."""
    where = where or MentionFilter()
    rows = [
        row
        for row in _concern_rows(where)
        if (where.since is None or _day(row) >= where.since)
        and (where.until is None or _day(row) <= where.until)
    ]
    wanted = {row["id"] for row in rows}
    children: dict[Any, list[str]] = defaultdict(list)
    for concern_id, child_id in ConcernChild.objects.filter(
        concern__recorded_seq__gte=0
    ).values_list("concern_id", "child_id"):
        if concern_id in wanted:
            children[concern_id].append(str(child_id))
    # Child records merged into one child (tocsin.server.people.merges) are one node.
    roots = roots_of({c for ids in children.values() for c in ids})
    for concern_id, ids in children.items():
        children[concern_id] = list(dict.fromkeys(roots[c] for c in ids))
    child_ids = {c for ids in children.values() for c in ids}
    labels = (
        {
            str(row.pop("id")): child_label(**row)
            for row in Child.objects.filter(pk__in=list(child_ids)).values(
                "id",
                "given_name",
                "family_name",
                "aliases",
                "description",
                "school",
                "approximate_age",
                "date_of_birth",
            )
        }
        if child_ids
        else {}
    )
    indicators: dict[Any, set[str]] = defaultdict(set)
    for concern_id, observations in Screening.objects.values_list("concern_id", "observations"):
        if concern_id in wanted:
            indicators[concern_id].update(o.get("indicator_id", "") for o in observations or ())
    whole = KnownRegistrations(
        plate
        for row in rows
        for vehicle in row["vehicles"] or ()
        if (plate := normalise_registration(vehicle.get("registration")))
        and not is_partial_registration(plate)
    )
    mentions: list[Mention] = []
    for row in rows:
        concern_id = str(row["id"])
        agency = str(row["agency_id"]) if row["agency_id"] else "public"
        reporter = (
            f"staff:{row['recorded_by_id']}" if row["recorded_by_id"] else f"public:{concern_id}"
        )
        occurred = _day(row)
        flags = _flags(row["cin_factors"] or (), indicators.get(row["id"], ()))
        named: dict[tuple[str, str], str] = {}
        for child_id in children.get(row["id"], ()):
            named[("child", child_id)] = labels.get(child_id, "Unnamed child")
        for person in row["persons"] or ():
            found = adult_identity(person)
            if found is not None:
                named.setdefault(("adult", found[0]), found[1])
        for vehicle in row["vehicles"] or ():
            found_plate = _vehicle_identity(vehicle, whole)
            if found_plate is not None:
                named.setdefault(("vehicle", found_plate[0]), found_plate[1])
        for phone in row["phones"] or ():
            number = e164(str(phone))
            if number is not None:
                named.setdefault(("phone", number), number)
        for place in row["places"] or ():
            found_place = place_identity(place)
            if found_place is not None:
                named.setdefault(("place", found_place[0]), found_place[1])
        mentions += [
            Mention(concern_id, kind, key, label, agency, reporter, occurred, flags)
            for (kind, key), label in named.items()
        ]
    return mentions


def _vehicle_identity(
    vehicle: Mapping[str, Any], whole: KnownRegistrations
) -> tuple[str, str] | None:
    plate = normalise_registration(vehicle.get("registration"))
    if plate is None:
        return None
    described = " ".join(
        part for part in (str(vehicle.get("colour") or ""), str(vehicle.get("make") or "")) if part
    ).strip()
    if is_partial_registration(plate):
        candidates = whole.candidates(plate)
        if len(candidates) == 1:
            plate = candidates[0]
        else:
            label = f"{plate}… (partial)" + (f", {described}" if described else "")
            return f"partial:{plate}", label
    return plate, plate + (f", {described}" if described else "")

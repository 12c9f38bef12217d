"""Mentions from concern records as the simulator writes them (``records/concerns`` and
``records/persons``), resolved without the truth, as the server would resolve them.

- the child: the concern's subject record, by its linkage cluster when ``person_keys`` gives
  one, else by a name key (normalised given and family name and date of birth);
- adults named in full: by a name key (normalised given and family name);
- adults named only by a street name (``'Snoop'``): by the police record holding that alias,
  when exactly one person's records hold it; an alias held by several people is left out rather
  than guessed;
- vehicles: by normalised registration; a partial plate by the one whole registration named in
  any concern that it can be, left out when it could be several or none;
- phones: by E.164 number; places: by normalised name.

Concerns of category ``cse`` or ``cce`` are flagged so; indicators ``carrying_drugs`` and
``weapon_found`` flag drugs and weapons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from tocsin.intel.graph._model import Mention
from tocsin.intel.linkage import (
    KnownRegistrations,
    e164,
    is_partial_registration,
    normalise_address,
    normalise_name,
    normalise_registration,
)

__all__ = ["mentions_from_records"]

_CATEGORY_FLAGS = {"cse": "cse", "cce": "cce"}
_INDICATOR_FLAGS = {"carrying_drugs": "drugs", "weapon_found": "weapons"}


def _squashed(name: Any) -> str:
    normalised = normalise_name(str(name)) if name else None
    return normalised.replace(" ", "") if normalised else ""


def _person_name_key(given: Any, family: Any) -> str:
    return f"{_squashed(given)}|{_squashed(family)}"


def _child_key(record: Mapping[str, Any]) -> str:
    return (
        f"{_person_name_key(record.get('given_name'), record.get('family_name'))}"
        f"|{record.get('date_of_birth') or ''}"
    )


def mentions_from_records(
    concerns: Iterable[Mapping[str, Any]],
    persons: Iterable[Mapping[str, Any]],
    *,
    person_keys: Mapping[str, str] | None = None,
    only_with_entities: bool = False,
) -> list[Mention]:
    """The mentions of every concern: its child and each adult, vehicle, phone and place it
    names. ``person_keys`` maps a record id to its person (a linkage cluster id); without it,
    children are resolved by name key. With ``only_with_entities``, concerns naming nothing
    but their child are left out (they add no edge)."""
    concern_rows = list(concerns)
    subject_ids = {str(c["subject_record_id"]) for c in concern_rows}
    records: dict[str, Mapping[str, Any]] = {}
    alias_people: dict[str, set[str]] = defaultdict(set)
    for person in persons:
        record_id = str(person["record_id"])
        if record_id in subject_ids:
            records[record_id] = person
        alias = normalise_name(str(person["alias"])) if person.get("alias") else None
        if alias:
            alias_people[alias].add(_person_name_key(person["given_name"], person["family_name"]))
    whole_plates = KnownRegistrations(
        plate
        for c in concern_rows
        for text in c.get("vehicles") or []
        if (plate := _plate(str(text))) and not is_partial_registration(plate)
    )
    partial_plates: dict[str, str | None] = {}
    mentions: list[Mention] = []
    for concern in concern_rows:
        concern_id = str(concern["concern_id"])
        agency = str(concern["agency_id"])
        reporter = str(concern["raised_by"])
        occurred = date.fromisoformat(str(concern["raised_at"])[:10])
        flags = {_CATEGORY_FLAGS[c] for c in [concern.get("category")] if c in _CATEGORY_FLAGS}
        flags |= {
            _INDICATOR_FLAGS[i] for i in concern.get("indicators") or [] if i in _INDICATOR_FLAGS
        }
        frozen = frozenset(flags)
        entities: list[tuple[str, str, str]] = []
        for text in concern.get("named_people") or []:
            adult = _adult(str(text), alias_people)
            if adult:
                entities.append(("adult", adult, str(text)))
        for text in concern.get("vehicles") or []:
            plate = _plate(str(text))
            if plate and is_partial_registration(plate):
                if plate not in partial_plates:
                    found = whole_plates.candidates(plate)
                    partial_plates[plate] = found[0] if len(found) == 1 else None
                plate = partial_plates[plate]
            if plate:
                entities.append(("vehicle", plate, str(text)))
        for text in concern.get("phones") or []:
            number = e164(str(text))
            if number:
                entities.append(("phone", number, str(text)))
        for text in concern.get("places") or []:
            place = normalise_address(str(text))
            if place:
                entities.append(("place", place, str(text)))
        if only_with_entities and not entities:
            continue
        subject = str(concern["subject_record_id"])
        record = records.get(subject, {})
        child = person_keys.get(subject) if person_keys is not None else None
        if child is None:
            child = _child_key(record) if record else f"record:{subject}"
        label = " ".join(str(record.get(k) or "") for k in ("given_name", "family_name")).strip()
        entities.insert(0, ("child", child, label or subject))
        seen: set[tuple[str, str]] = set()
        for kind, key, label in entities:
            if (kind, key) in seen:
                continue
            seen.add((kind, key))
            mentions.append(
                Mention(concern_id, kind, key, label, agency, reporter, occurred, frozen)
            )
    return mentions


def _plate(text: str) -> str | None:
    # "red Ford Fiesta, registration UF18 BVR" -> "UF18BVR"
    marker = "registration "
    at = text.rfind(marker)
    return normalise_registration(text[at + len(marker) :] if at >= 0 else text)


def _adult(text: str, alias_people: Mapping[str, set[str]]) -> str | None:
    stripped = text.strip()
    if len(stripped) > 2 and stripped[0] in "'‘" and stripped[-1] in "'’":
        alias = normalise_name(stripped[1:-1])
        people = alias_people.get(alias or "", set())
        return next(iter(people)) if len(people) == 1 else None
    parts = stripped.rsplit(" ", 1)
    if len(parts) != 2:
        return _squashed(stripped) or None
    return _person_name_key(parts[0], parts[1])

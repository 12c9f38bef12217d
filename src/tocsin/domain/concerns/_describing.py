"""How a concern's children, people, vehicles and places read to a person: every field given,
in one line each, and never a blank where a name is not known.

The concern page, check your answers, the trays and the API all describe them here, so that
nothing recorded is dropped on the way to the screen ("Black Audi, registration not known",
not "Vehicles: None").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from tocsin.domain.concerns._codes import ETHNICITY
from tocsin.domain.concerns._draft import normalise_registration

__all__ = [
    "child_label",
    "describe_person",
    "describe_place",
    "describe_vehicle",
    "intelligence_summary",
]

#: How much of an unnamed child's description their label quotes (the page shows it whole).
LABEL_DESCRIPTION = 40
_CURRENT_FORMAT = re.compile(r"^([A-Z]{2}[0-9]{2})([A-Z]{3})$")


def _day(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(value)


def _shortened(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;.")
    return f"{cut}…"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def child_label(
    *,
    given_name: str = "",
    family_name: str = "",
    aliases: Sequence[str] = (),
    description: str = "",
    school: str = "",
    approximate_age: int | None = None,
    date_of_birth: date | str | None = None,
) -> str:
    """How a child is named on every page: their name; else the name they are known by;
    else "Unnamed child" with what is known ("Unnamed child (about 14, Northfield Academy)").
    Never blank."""
    name = " ".join(part for part in (given_name.strip(), family_name.strip()) if part)
    if name:
        return name
    known_as = [alias.strip() for alias in aliases if alias.strip()]
    if known_as:
        return "Known as " + ", ".join(known_as)
    born = _day(date_of_birth)
    details = []
    if born is not None:
        details.append(f"born {born.day} {born:%B %Y}")
    elif approximate_age is not None:
        details.append(f"about {approximate_age}")
    if school.strip():
        details.append(school.strip())
    if description.strip():
        details.append(_shortened(description, LABEL_DESCRIPTION))
    return f"Unnamed child ({', '.join(details)})" if details else "Unnamed child"


def _registration(vehicle: Mapping[str, Any]) -> str:
    compact, complete = normalise_registration(str(vehicle.get("registration") or ""))
    if not compact:
        return ""
    if vehicle.get("complete", complete):
        match = _CURRENT_FORMAT.match(compact)
        return f"{match.group(1)} {match.group(2)}" if match else compact
    return f"{compact} (partial registration)"


def describe_vehicle(vehicle: Mapping[str, Any]) -> str:
    """ "YX19 (partial registration), black Audi"; "Black Audi, registration not known"."""
    looks = " ".join(
        part for part in (str(vehicle.get(k) or "").strip() for k in ("colour", "make")) if part
    )
    registration = _registration(vehicle)
    if registration:
        return f"{registration}, {looks}" if looks else registration
    return _sentence(f"{looks}, registration not known" if looks else "Registration not known")


def describe_place(place: Mapping[str, Any]) -> str:
    """The place's name and its postcode, whichever were given."""
    parts = (str(place.get(k) or "").strip() for k in ("name", "postcode"))
    return ", ".join(part for part in parts if part)


def describe_person(person: Mapping[str, Any]) -> str:
    """A person of concern with everything given: names, nicknames, age, the description as
    given, and ethnicity as described (or that it was refused or not yet obtained)."""
    names = ", ".join(str(n) for n in person.get("names") or [])
    nicknames = ", ".join(str(n) for n in person.get("nicknames") or [])
    first = names
    if nicknames:
        first = f"{names} (known as {nicknames})" if names else f"known as {nicknames}"
    age = person.get("approximate_age")
    if age is not None:
        first = f"{first}, about {age}" if first else f"about {age}"
    sentences = [_sentence(first)] if first else []
    description = str(person.get("description") or "").strip()
    if description:
        sentences.append(_sentence(description.rstrip(".")))
    code = str(person.get("ethnicity") or "")
    sentences.append(f"Ethnicity as described: {ETHNICITY.get(code, code) or 'not given'}")
    return ". ".join(sentences) + "."


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def intelligence_summary(
    persons: Sequence[Any], vehicles: Sequence[Any], phones: Sequence[Any], places: Sequence[Any]
) -> str:
    """What intelligence about no child yet names: "intelligence about 1 vehicle and 2 phone
    numbers"."""
    parts = [
        _count(len(items), one, many)
        for items, one, many in (
            (persons, "person of concern", "people of concern"),
            (vehicles, "vehicle", "vehicles"),
            (phones, "phone number", "phone numbers"),
            (places, "place", "places"),
        )
        if items
    ]
    if not parts:
        return "no adult, vehicle, phone or place named"
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"intelligence about {listed}"

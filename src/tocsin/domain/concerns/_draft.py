"""A concern as it is being recorded, and its validation.

Every route in (the web form, the API, bulk import, the demo) builds a :class:`ConcernDraft`
and calls :func:`validate_draft`, so they accept and refuse exactly the same things and name
the problem the same way: a field path such as ``children[0].date_of_birth`` and a message
that says what is wrong and what to do.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from typing import Any

from tocsin.domain.bounds import control_characters_problem, day_problem
from tocsin.domain.concerns._codes import (
    CHANNELS,
    CIN_FACTORS,
    ETHNICITY,
    GRADING_HANDLING,
    GRADING_INTELLIGENCE,
    GRADING_SOURCE,
    SEXES,
)

__all__ = [
    "CHANNELS_WITHOUT_CHILD",
    "MAX_CHILDREN",
    "ChildDraft",
    "ConcernDraft",
    "FieldProblem",
    "Grading",
    "IndicatorSeen",
    "PersonDraft",
    "PlaceDraft",
    "VehicleDraft",
    "normalise_phone",
    "normalise_postcode",
    "normalise_registration",
    "screening_problems",
    "valid_nhs_number",
    "validate_draft",
    "validate_indicators",
]

MAX_NARRATIVE = 20000
#: Children one concern may be about, unless the caller says otherwise (the server passes
#: ``TOCSIN_MAX_CHILDREN_PER_CONCERN``): a sibling group, not a school roll.
MAX_CHILDREN = 20
#: The longest text each short field may hold (the database's column sizes, so a form, the API
#: and import refuse it with a message instead of the database refusing it with an error).
MAX_NAME = 200
MAX_ADDRESS = 300
MAX_SHORT = 100
MAX_DESCRIPTION = 2000
#: The channels that may record a concern about no child yet: intelligence about an adult, a
#: vehicle, a phone or a place (a practitioner of any agency, or an agency's import). A member
#: of the public is always asked about the child (they may describe rather than name them):
#: an anonymous report about an adult alone is not a concern about a child.
#: A pattern alert (the network graph's, raised by the system) names the adult, vehicle, phone
#: or place the pattern is about; the children are the concerns' already recorded.
CHANNELS_WITHOUT_CHILD = frozenset({"practitioner", "import", "pattern"})
NO_CHILD_NOR_SUBJECT = (
    "Add a child the concern is about, or the adult, vehicle, phone or place the "
    "intelligence is about"
)
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
# Current (AB12 CDE), prefix (A123 BCD), suffix (ABC 123D) and dateless formats; a partial
# registration (what a witness saw) is kept as given, marked partial.
_REGISTRATION = re.compile(
    r"^([A-Z]{2}[0-9]{2}[A-Z]{3}|[A-Z][0-9]{1,3}[A-Z]{3}|[A-Z]{3}[0-9]{1,3}[A-Z]"
    r"|[0-9]{1,4}[A-Z]{1,3}|[A-Z]{1,3}[0-9]{1,4})$"
)


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field: its path in the draft and a message for the person."""

    field: str
    message: str


@dataclass
class ChildDraft:
    """A child as described: a name is not needed. A child whose name is not known is
    recorded by what is known (what they look like, their school, their age)."""

    given_name: str = ""
    family_name: str = ""
    aliases: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    approximate_age: int | None = None
    sex: str = "U"
    address: str = ""
    postcode: str = ""
    school: str = ""
    nhs_number: str = ""
    #: What the child looks like or anything else that would help find them, as given
    #: ("girl about 14 in a Northfield Academy blazer").
    description: str = ""

    def identified(self) -> bool:
        """Whether anything given would help find the child again (the sex alone would not)."""
        texts = (
            self.given_name,
            self.family_name,
            self.description,
            self.school,
            self.nhs_number,
            self.address,
            self.postcode,
        )
        return (
            any(text.strip() for text in texts)
            or any(alias.strip() for alias in self.aliases)
            or self.date_of_birth is not None
            or self.approximate_age is not None
        )


@dataclass
class PersonDraft:
    """A person of concern, described as given; ethnicity is a code, never a guess."""

    names: list[str] = field(default_factory=list)
    nicknames: list[str] = field(default_factory=list)
    description: str = ""
    ethnicity: str = "NOBT"
    approximate_age: int | None = None


@dataclass
class VehicleDraft:
    registration: str = ""
    make: str = ""
    colour: str = ""


@dataclass
class PlaceDraft:
    name: str = ""
    postcode: str = ""


@dataclass
class IndicatorSeen:
    indicator_id: str
    seen_on: date


@dataclass
class Grading:
    source: str
    intelligence: str
    handling: str


@dataclass
class ConcernDraft:
    children: list[ChildDraft] = field(default_factory=list)
    narrative: str = ""
    occurred_on: date | None = None
    occurred_where: str = ""
    persons: list[PersonDraft] = field(default_factory=list)
    vehicles: list[VehicleDraft] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    places: list[PlaceDraft] = field(default_factory=list)
    indicators: list[IndicatorSeen] = field(default_factory=list)
    cin_factors: list[str] = field(default_factory=list)
    grading: Grading | None = None
    channel: str = "practitioner"

    def intelligence_subjects(self) -> int:
        """How many adults, vehicles, phones and places the concern names."""
        return len(self.persons) + len(self.vehicles) + len(self.phones) + len(self.places)

    def as_payload(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO strings), as carried by the concern.recorded event."""
        payload: dict[str, Any] = _jsonable_fields(self)
        return payload


#: Each draft dataclass's field names, looked up once (``dataclasses.fields`` is slow, and an
#: import builds the payload of thousands of drafts).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _jsonable_fields(value: Any) -> Any:
    """``_jsonable(asdict(value))`` at a fraction of its cost: what a draft holds is dataclasses,
    lists, dicts, dates and plain values, none of which needs the deep copy asdict makes."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list):
        return [_jsonable_fields(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable_fields(item) for key, item in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if not is_dataclass(value):
            return _jsonable(copy.deepcopy(value))  # as asdict copies it
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    return {name: _jsonable_fields(getattr(value, name)) for name in names}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def valid_nhs_number(text: str) -> bool:
    """The NHS number modulus-11 check (10 digits; the last is the check digit)."""
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"[0-9]{10}", digits):
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def normalise_postcode(text: str) -> str | None:
    """``ZZ1 2AB`` form, or None if it is not a UK postcode shape."""
    match = _POSTCODE.match(text.strip().upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


def normalise_phone(text: str) -> str | None:
    """A UK number in national form (``07700 900123`` → ``07700900123``), or None."""
    digits = re.sub(r"[\s().-]", "", text)
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits if re.fullmatch(r"0[0-9]{9,10}", digits) else None


def normalise_registration(text: str) -> tuple[str, bool]:
    """Upper case without spaces, and whether it is a complete UK registration."""
    compact = re.sub(r"\s", "", text.upper())
    return compact, bool(_REGISTRATION.fullmatch(compact))


def _length(value: str, limit: int, where: str, problems: list[FieldProblem]) -> None:
    if len(value) > limit:
        problems.append(FieldProblem(where, f"Keep this under {limit} characters"))


def _age(value: int | None, where: str, problems: list[FieldProblem], low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        problems.append(FieldProblem(where, f"Enter an age between {low} and {high}"))


#: The draft's fields that hold free text, which may run over several lines.
_FREE_TEXT = frozenset({"narrative", "description", "address", "occurred_where"})


def _texts(value: Any, where: str) -> list[tuple[str, str, bool]]:
    """Every text in a draft (or part of one) as (path, text, whether it is free text)."""
    if isinstance(value, str):
        name = where.rsplit(".", 1)[-1]
        return [(where, value, name in _FREE_TEXT)]
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in _texts(item, f"{where}[{i}]")]
    if hasattr(value, "__dataclass_fields__"):
        return [
            found
            for name in value.__dataclass_fields__
            for found in _texts(getattr(value, name), f"{where}.{name}" if where else name)
        ]
    return []


def _days(draft: ConcernDraft) -> list[tuple[str, date | None]]:
    days: list[tuple[str, date | None]] = [("occurred_on", draft.occurred_on)]
    days += [
        (f"children[{i}].date_of_birth", c.date_of_birth) for i, c in enumerate(draft.children)
    ]
    days += [(f"indicators[{i}]", seen.seen_on) for i, seen in enumerate(draft.indicators)]
    return days


def _bounds(draft: ConcernDraft, max_children: int, add: Callable[[FieldProblem], None]) -> None:
    """What no route may let through: more children than the cap, a date outside the bounds,
    control characters in any text."""
    if len(draft.children) > max_children:
        add(
            FieldProblem(
                "children",
                f"A concern may be about at most {max_children} children; record a larger "
                "group as several concerns",
            )
        )
    for where, day in _days(draft):
        problem = day_problem(day)
        if problem is not None:
            add(FieldProblem(where, problem))
    for where, text, free_text in _texts(draft, ""):
        problem = control_characters_problem(text, free_text=free_text)
        if problem is not None:
            add(FieldProblem(where, problem))


def validate_draft(
    draft: ConcernDraft,
    *,
    today: date,
    indicator_ids: set[str] | None = None,
    max_children: int = MAX_CHILDREN,
) -> list[FieldProblem]:
    """Every problem with ``draft``, in form order; an empty list means it can be recorded.
    The bounds (dates, control characters, at most ``max_children`` children) come first:
    past them, nothing else is checked, so no later check meets input it cannot handle."""
    problems: list[FieldProblem] = []
    add = problems.append
    _bounds(draft, max_children, add)
    if problems:
        return problems
    if draft.channel not in CHANNELS:
        add(FieldProblem("channel", "Choose how the concern was received"))
    _children_or_subjects(draft, add)
    for i, child in enumerate(draft.children):
        where = f"children[{i}]"
        if not child.identified():
            add(
                FieldProblem(
                    f"{where}.given_name",
                    "Enter what you know about the child: a name or nickname, what they look "
                    "like, their school or their age",
                )
            )
        if child.date_of_birth is not None and child.date_of_birth > today:
            add(FieldProblem(f"{where}.date_of_birth", "Date of birth must be in the past"))
        if child.date_of_birth is not None and (today - child.date_of_birth).days > 366 * 18:
            add(
                FieldProblem(
                    f"{where}.date_of_birth",
                    "Tocsin records concerns about children: the date of birth gives an "
                    "age of 18 or over",
                )
            )
        _age(child.approximate_age, f"{where}.approximate_age", problems, 0, 17)
        for name, limit in (
            ("given_name", MAX_NAME),
            ("family_name", MAX_NAME),
            ("address", MAX_ADDRESS),
            ("school", MAX_NAME),
            ("description", MAX_DESCRIPTION),
        ):
            _length(getattr(child, name), limit, f"{where}.{name}", problems)
        for a, alias in enumerate(child.aliases):
            _length(alias, MAX_NAME, f"{where}.aliases[{a}]", problems)
        if child.sex not in SEXES:
            add(FieldProblem(f"{where}.sex", "Choose the child's sex, or 'Not known'"))
        if child.postcode and normalise_postcode(child.postcode) is None:
            add(FieldProblem(f"{where}.postcode", "Enter a real postcode, like ZZ1 2AB"))
        if child.nhs_number and not valid_nhs_number(child.nhs_number):
            add(
                FieldProblem(
                    f"{where}.nhs_number",
                    "Enter a 10-digit NHS number (its check digit does not match)",
                )
            )
    if not draft.narrative.strip():
        add(FieldProblem("narrative", "Describe what happened"))
    elif len(draft.narrative) > MAX_NARRATIVE:
        add(FieldProblem("narrative", f"Keep the description under {MAX_NARRATIVE} characters"))
    _length(draft.occurred_where, MAX_ADDRESS, "occurred_where", problems)
    if draft.occurred_on is not None and draft.occurred_on > today:
        add(FieldProblem("occurred_on", "The date it happened must be today or in the past"))
    for i, person in enumerate(draft.persons):
        where = f"persons[{i}]"
        if not (person.names or person.nicknames or person.description.strip()):
            add(FieldProblem(f"{where}.names", "Enter a name, a nickname or a description"))
        if person.ethnicity not in ETHNICITY:
            add(
                FieldProblem(
                    f"{where}.ethnicity",
                    "Choose an ethnicity as described, 'Refused' or 'Not yet obtained'",
                )
            )
        _age(person.approximate_age, f"{where}.approximate_age", problems, 10, 110)
        _length(person.description, MAX_DESCRIPTION, f"{where}.description", problems)
        for kind in ("names", "nicknames"):
            for name in getattr(person, kind):
                _length(name, MAX_NAME, f"{where}.{kind}", problems)
    for i, vehicle in enumerate(draft.vehicles):
        for name in ("registration", "make", "colour"):
            _length(getattr(vehicle, name), MAX_SHORT, f"vehicles[{i}].{name}", problems)
        if not (vehicle.registration.strip() or vehicle.make.strip()):
            add(
                FieldProblem(
                    f"vehicles[{i}].registration",
                    "Enter the registration (even part of it) or the make",
                )
            )
    for i, phone in enumerate(draft.phones):
        if normalise_phone(phone) is None:
            add(FieldProblem(f"phones[{i}]", "Enter a UK phone number, like 07700 900123"))
    for i, place in enumerate(draft.places):
        _length(place.name, MAX_NAME, f"places[{i}].name", problems)
        if not place.name.strip() and not place.postcode.strip():
            add(FieldProblem(f"places[{i}].name", "Enter the place's name or its postcode"))
        if place.postcode and normalise_postcode(place.postcode) is None:
            add(FieldProblem(f"places[{i}].postcode", "Enter a real postcode, like ZZ1 2AB"))
    if draft.indicators and not draft.children:
        add(
            FieldProblem(
                "indicators",
                "Screening indicators are seen in a child: add the child, or remove the indicators",
            )
        )
    if draft.cin_factors and not draft.children:
        add(
            FieldProblem(
                "cin_factors",
                "Children in Need factors are about a child: add the child, or remove the factors",
            )
        )
    problems += validate_indicators(draft.indicators, today=today, indicator_ids=indicator_ids)
    for i, code in enumerate(draft.cin_factors):
        if code not in CIN_FACTORS:
            add(FieldProblem(f"cin_factors[{i}]", f"Unknown Children in Need factor {code!r}"))
    if draft.grading is not None:
        grading = draft.grading
        if (
            grading.source not in GRADING_SOURCE
            or grading.intelligence not in GRADING_INTELLIGENCE
            or grading.handling not in GRADING_HANDLING
        ):
            add(FieldProblem("grading", "Grade as source 1-3, intelligence A-E, handling P or C"))
    return problems


def _children_or_subjects(draft: ConcernDraft, add: Callable[[FieldProblem], None]) -> None:
    """A concern is about a child, or (from an agency) intelligence about an adult, vehicle,
    phone or place while no child is known yet."""
    if draft.children:
        return
    if draft.channel not in CHANNELS_WITHOUT_CHILD:
        add(FieldProblem("children", "Add the child the concern is about"))
    elif not draft.intelligence_subjects():
        add(FieldProblem("children", NO_CHILD_NOR_SUBJECT))


#: The problem when a screening of a child already recorded names no indicator.
NO_INDICATORS = "Tick at least one indicator that has been seen, and say when it was last seen"


def validate_indicators(
    indicators: list[IndicatorSeen],
    *,
    today: date,
    indicator_ids: set[str] | None = None,
    required: bool = False,
) -> list[FieldProblem]:
    """Every problem with the screening indicators seen (each at ``indicators[i]``): an id the
    scheme does not have, a date after ``today``; and, when ``required`` (screening a child
    of a concern already recorded), none at all."""
    problems: list[FieldProblem] = []
    if required and not indicators:
        problems.append(FieldProblem("indicators", NO_INDICATORS))
    for i, seen in enumerate(indicators):
        if indicator_ids is not None and seen.indicator_id not in indicator_ids:
            problems.append(
                FieldProblem(f"indicators[{i}]", f"Unknown indicator {seen.indicator_id!r}")
            )
        if day_problem(seen.seen_on) is not None:
            problems.append(FieldProblem(f"indicators[{i}]", day_problem(seen.seen_on) or ""))
        elif seen.seen_on > today:
            problems.append(
                FieldProblem(f"indicators[{i}]", "When it was seen must be today or earlier")
            )
    return problems


#: The problem when the child to screen is not one the concern is about.
NOT_THE_CONCERNS_CHILD = "Choose the child you are screening"


def screening_problems(
    child_id: str,
    child_ids: set[str],
    indicators: list[IndicatorSeen],
    *,
    today: date,
    indicator_ids: set[str] | None = None,
) -> list[FieldProblem]:
    """Every problem with screening the child ``child_id`` of a concern already recorded
    (about the children ``child_ids``) on ``indicators``, as of ``today``: the screening
    action refuses these, and its page checks them before showing the result to confirm."""
    problems: list[FieldProblem] = []
    if child_id not in child_ids:
        problems.append(FieldProblem("child", NOT_THE_CONCERNS_CHILD))
    return problems + validate_indicators(
        indicators, today=today, indicator_ids=indicator_ids, required=True
    )

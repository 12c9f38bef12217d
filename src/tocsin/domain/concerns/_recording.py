"""What recording a concern appends, built from its draft: pure, so that every route in
(the form, the public page, the API, import, the demo) records the same events, and a test
can check them without a database.

The recording action looks up what only the database knows, inside its transaction (which
children are recorded already, which references are free), and passes it in:
:func:`concern_events` decides everything else.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from tocsin.domain import screening
from tocsin.domain.concerns._draft import (
    ChildDraft,
    ConcernDraft,
    IndicatorSeen,
    normalise_phone,
    normalise_postcode,
    normalise_registration,
)
from tocsin.domain.concerns._events import ChildRecorded, ChildScreened, ConcernRecorded
from tocsin.domain.events import Event
from tocsin.domain.language import check_text

__all__ = [
    "ConcernEvents",
    "child_screened",
    "concern_events",
    "language_warning_count",
    "nhs_numbers",
    "normalise_nhs_number",
]


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class ConcernEvents:
    """What recording one draft appends, in order: a ``child.recorded`` for each child new to
    Tocsin, the ``concern.recorded``, and a ``child.screened`` for each child if indicators
    were given. ``new_children`` maps each new child's NHS number (where one was given) to
    the id it was given, so that a later draft of the same batch finds the same child."""

    events: list[Event]
    recorded: ConcernRecorded
    new_children: dict[str, str] = field(default_factory=dict)


def normalise_nhs_number(text: str) -> str:
    """An NHS number as Tocsin keeps and matches it: its digits, without spaces or dashes."""
    return text.replace(" ", "").replace("-", "")


def nhs_numbers(drafts: Sequence[ConcernDraft]) -> set[str]:
    """Every NHS number given for a child in ``drafts`` (what the action looks up)."""
    return {normalise_nhs_number(c.nhs_number) for d in drafts for c in d.children} - {""}


def _child_recorded(child: ChildDraft, child_id: str) -> ChildRecorded:
    return ChildRecorded(
        child_id=child_id,
        given_name=child.given_name.strip(),
        family_name=child.family_name.strip(),
        aliases=[a.strip() for a in child.aliases if a.strip()],
        date_of_birth=child.date_of_birth.isoformat() if child.date_of_birth else None,
        approximate_age=child.approximate_age,
        sex=child.sex,
        address=child.address.strip(),
        postcode=(normalise_postcode(child.postcode) or "") if child.postcode else "",
        school=child.school.strip(),
        nhs_number=normalise_nhs_number(child.nhs_number),
        description=child.description.strip(),
    )


def concern_events(
    draft: ConcernDraft,
    *,
    reference: str,
    known_children: Mapping[str, str],
    agency_id: str | None,
    recorded_by: str | None,
    today: date,
    follow_up_code_hash: str | None = None,
    import_key: str | None = None,
    new_id: Callable[[], str] = _new_id,
) -> ConcernEvents:
    """The events recording ``draft`` (already validated) appends.

    ``known_children`` maps the NHS numbers of children already recorded (or recorded by an
    earlier draft of the same batch) to their ids: such a child is the same child, not a new
    record. ``reference`` is a reference no concern holds; ``import_key`` an imported row's
    identity within its agency (none of its concerns holds it); ``new_id`` makes every other id
    (the concern's, new children's, people's, screenings'), so a test can fix them.
    """
    concern_id = new_id()
    child_ids: list[str] = []
    new_children: dict[str, str] = {}
    events: list[Event] = []
    for child in draft.children:
        number = normalise_nhs_number(child.nhs_number)
        known = (known_children.get(number) or new_children.get(number)) if number else None
        if known is not None:
            child_ids.append(known)
            continue
        recorded_child = _child_recorded(child, new_id())
        events.append(recorded_child)
        child_ids.append(recorded_child.child_id)
        if number:
            new_children[number] = recorded_child.child_id
    payload = draft.as_payload()
    recorded = ConcernRecorded(
        concern_id=concern_id,
        reference=reference,
        channel=draft.channel,
        agency_id=agency_id,
        recorded_by=recorded_by,
        children=child_ids,
        narrative=draft.narrative.strip(),
        occurred_on=payload["occurred_on"],
        occurred_where=draft.occurred_where.strip(),
        persons=[{"person_id": new_id(), **p} for p in payload["persons"]],
        vehicles=[
            {
                **v,
                "registration": normalise_registration(v["registration"])[0],
                "complete": normalise_registration(v["registration"])[1],
            }
            for v in payload["vehicles"]
        ],
        phones=[normalise_phone(p) or p for p in draft.phones],
        places=[
            {**p, "postcode": normalise_postcode(p["postcode"]) or ""} for p in payload["places"]
        ],
        cin_factors=sorted(set(draft.cin_factors)),
        grading=payload["grading"],
        follow_up_code_hash=follow_up_code_hash,
        language_warnings=language_warning_count(draft),
        import_key=import_key,
    )
    events.append(recorded)
    if draft.indicators:
        events += [
            child_screened(
                screening_id=new_id(),
                concern_id=concern_id,
                child_id=child_id,
                indicators=draft.indicators,
                as_of=today,
            )
            for child_id in child_ids
        ]
    return ConcernEvents(events=events, recorded=recorded, new_children=new_children)


def child_screened(
    *,
    screening_id: str,
    concern_id: str,
    child_id: str,
    indicators: Sequence[IndicatorSeen],
    as_of: date,
) -> ChildScreened:
    """A child's screening at a concern, scored under the scheme in force, as an event."""
    current = screening.scheme()
    result = screening.screen(
        [screening.Observation(i.indicator_id, i.seen_on) for i in indicators], as_of
    )
    return ChildScreened(
        screening_id=screening_id,
        concern_id=concern_id,
        child_id=child_id,
        scheme=current.scheme,
        scheme_version=str(current.version),
        as_of=as_of.isoformat(),
        observations=[
            {"indicator_id": i.indicator_id, "seen_on": i.seen_on.isoformat()} for i in indicators
        ],
        contributions=[
            {
                "indicator_id": c.indicator_id,
                "label": c.label,
                "group": c.group,
                "seen_on": c.seen_on.isoformat(),
                "points": c.points,
                "explanation": c.explanation,
            }
            for c in result.contributions
        ],
        score=result.score,
        band=result.band.id,
    )


def language_warning_count(draft: ConcernDraft) -> int:
    """The language check's warnings over every free-text field of a concern, counted for the
    statistics (they never block)."""
    texts = [draft.narrative, draft.occurred_where]
    texts += [child.description for child in draft.children]
    texts += [person.description for person in draft.persons]
    return sum(len(check_text(text)) for text in texts if text)

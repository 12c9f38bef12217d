"""What recording a concern appends, built without a database (tocsin.domain.concerns,
``_recording.py``): new children and known ones, one child twice, the screening, and the
normalised fields."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date

from tocsin.domain import screening
from tocsin.domain.concerns import (
    ChildDraft,
    ChildRecorded,
    ChildScreened,
    ConcernDraft,
    ConcernRecorded,
    IndicatorSeen,
    PersonDraft,
    PlaceDraft,
    VehicleDraft,
    concern_events,
    nhs_numbers,
    normalise_nhs_number,
)

TODAY = date(2026, 11, 29)
KASIA = "9434765919"


def ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"id-{next(counter)}"


def draft(*children: ChildDraft, **fields: object) -> ConcernDraft:
    made = ConcernDraft(
        children=list(children) or [ChildDraft(given_name="Amara")],
        narrative="  A car has been seen collecting her from school.  ",
    )
    for name, value in fields.items():
        setattr(made, name, value)
    return made


def build(made: ConcernDraft, known: dict[str, str] | None = None, **fields: object):  # type: ignore[no-untyped-def]
    arguments: dict[str, object] = {
        "reference": "TOC-TEST-1",
        "known_children": known or {},
        "agency_id": "agency-1",
        "recorded_by": "user-1",
        "today": TODAY,
        "new_id": ids(),
        **fields,
    }
    return concern_events(made, **arguments)  # type: ignore[arg-type]


def test_a_new_child_is_recorded_before_the_concern_that_names_them() -> None:
    built = build(
        draft(
            ChildDraft(
                given_name=" Kasia ",
                aliases=[" Kas ", " "],
                nhs_number="943 476-5919",
                postcode="zz14qx",
            )
        )
    )
    child, recorded = built.events
    assert isinstance(child, ChildRecorded)
    assert isinstance(recorded, ConcernRecorded)
    assert recorded is built.recorded
    assert (recorded.concern_id, child.child_id) == ("id-1", "id-2")
    assert (child.given_name, child.aliases, child.nhs_number) == ("Kasia", ["Kas"], KASIA)
    assert child.postcode == "ZZ1 4QX"
    assert recorded.children == ["id-2"]
    assert (recorded.reference, recorded.agency_id, recorded.recorded_by) == (
        "TOC-TEST-1",
        "agency-1",
        "user-1",
    )
    assert recorded.narrative == "A car has been seen collecting her from school."
    assert built.new_children == {KASIA: "id-2"}


def test_a_child_already_recorded_is_the_same_child_not_a_new_record() -> None:
    built = build(draft(ChildDraft(given_name="Kasia", nhs_number=KASIA)), {KASIA: "child-9"})
    assert [type(event) for event in built.events] == [ConcernRecorded]
    assert built.recorded.children == ["child-9"]
    assert built.new_children == {}


def test_one_child_twice_in_a_draft_is_one_child_and_a_child_without_a_number_is_new() -> None:
    built = build(
        draft(
            ChildDraft(given_name="Kasia", nhs_number=KASIA),
            ChildDraft(given_name="Kasia", nhs_number=f"{KASIA[:3]} {KASIA[3:]}"),
            ChildDraft(given_name="Amara"),
        )
    )
    children = [event for event in built.events if isinstance(event, ChildRecorded)]
    assert [child.given_name for child in children] == ["Kasia", "Amara"]
    assert built.recorded.children == [children[0].child_id] * 2 + [children[1].child_id]
    assert built.new_children == {KASIA: children[0].child_id}


def test_each_child_is_screened_under_the_scheme_in_force_when_indicators_are_given() -> None:
    indicator = screening.scheme().indicators[0].id
    seen = [IndicatorSeen(indicator, date(2026, 11, 1))]
    built = build(
        draft(ChildDraft(given_name="Kasia"), ChildDraft(given_name="Amara"), indicators=seen)
    )
    screenings = [event for event in built.events if isinstance(event, ChildScreened)]
    assert [s.child_id for s in screenings] == built.recorded.children
    expected = screening.screen([screening.Observation(indicator, date(2026, 11, 1))], TODAY)
    assert {(s.score, s.band) for s in screenings} == {(expected.score, expected.band.id)}
    assert screenings[0].scheme_version == str(screening.scheme().version)
    assert not [e for e in build(draft()).events if isinstance(e, ChildScreened)]


def test_what_is_recorded_is_normalised() -> None:
    built = build(
        draft(
            persons=[PersonDraft(description="An older man")],
            vehicles=[VehicleDraft(registration="zx12abc")],
            phones=["07700 900123"],
            places=[PlaceDraft(name="The park", postcode="zz1 4qx")],
            cin_factors=["CSE", "CSE"],
        ),
        follow_up_code_hash="hash",
    )
    recorded = built.recorded
    assert recorded.persons[0]["person_id"].startswith("id-")
    assert recorded.vehicles[0]["registration"] == "ZX12ABC"
    assert recorded.vehicles[0]["complete"] is True
    assert recorded.places[0]["postcode"] == "ZZ1 4QX"
    assert recorded.cin_factors == ["CSE"]
    assert recorded.follow_up_code_hash == "hash"


def test_the_numbers_to_look_up() -> None:
    assert normalise_nhs_number("943 476-5919") == KASIA
    drafts = [draft(ChildDraft(nhs_number="943 476 5919")), draft(ChildDraft(nhs_number=""))]
    assert nhs_numbers(drafts) == {KASIA}

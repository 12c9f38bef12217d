"""People in the server (issue 15): person records built from the concern events, the
already-known check while recording (confirmed and proposed matches as a people.matched event),
the bulk check the demo uses finding the same, and replay rebuilding it all."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from tests.factories import ACTOR, make_draft, make_partnership, make_user
from tocsin.domain.concerns import ChildDraft, PersonDraft
from tocsin.domain.people import PeopleMatched, person_records, split_name
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.people.actions import do_match_people
from tocsin.server.people.known import (
    LINK_THRESHOLD,
    deferred_matching,
    forget_index,
    linkage_model,
)
from tocsin.server.people.models import PersonMatch, PersonRecord
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)


def amara(**changes: Any) -> ChildDraft:
    """One synthetic girl, as one agency recorded her."""
    fields: dict[str, Any] = {
        "given_name": "Amara",
        "family_name": "Okonkwo",
        "date_of_birth": date(2011, 3, 4),
        "sex": "F",
        "address": "12 Larch Avenue",
        "postcode": "ZZ1 4QX",
    }
    fields.update(changes)
    return ChildDraft(**fields)


def record(user: Any, *children: ChildDraft, persons: list[PersonDraft] | None = None) -> Any:
    draft = make_draft(children=list(children), persons=persons or [])
    return do_record_concern(draft, actor=user, today=TODAY).concern


@pytest.fixture(autouse=True)
def fresh_index() -> None:
    forget_index()


def test_split_name_keeps_a_single_name_as_the_first_name() -> None:
    assert split_name("Jay") == ("Jay", "", "")
    assert split_name("  Ali  Raza Khan ") == ("Ali", "Raza", "Khan")
    assert split_name("") == ("", "", "")


def test_person_records_number_children_and_adults_by_their_place() -> None:
    rows = person_records(
        concern_id="c1",
        reference="C-1",
        agency_id="a1",
        recorded_on="2026-12-01",
        children=[("k1", {"given_name": "Amara", "family_name": "Okonkwo", "sex": "F"})],
        persons=[
            {"person_id": "p1", "names": ["Dan Miller", "Danny M"], "nicknames": ["Dee"]},
            {"person_id": "p2", "names": [], "nicknames": ["Smiley"]},
        ],
    )
    assert [r["record_id"] for r in rows] == ["C-1/child/0", "C-1/person/0", "C-1/person/1"]
    assert [r["kind"] for r in rows] == ["child", "adult", "adult"]
    assert rows[1]["first_name"] == "Dan" and rows[1]["surname"] == "Miller"
    assert rows[1]["aliases"] == ["Danny M", "Dee"]
    assert rows[2]["aliases"] == ["Smiley"] and rows[2]["first_name"] == ""


def test_every_child_and_adult_of_a_concern_is_a_person_record() -> None:
    partnership = make_partnership()
    concern = record(
        partnership.practitioner,
        amara(),
        amara(given_name="Bea", date_of_birth=date(2013, 5, 6)),
        persons=[PersonDraft(names=["Dan Miller"], nicknames=["Dee"], approximate_age=30)],
    )
    rows = {r.pk: r for r in PersonRecord.objects.filter(concern=concern)}
    ref = concern.reference
    assert set(rows) == {f"{ref}/child/0", f"{ref}/child/1", f"{ref}/person/0"}
    first = rows[f"{ref}/child/0"]
    assert (first.first_name, first.surname, first.date_of_birth) == (
        "Amara",
        "Okonkwo",
        date(2011, 3, 4),
    )
    assert first.kind == "child" and first.child_id is not None
    assert first.agency_id == partnership.practitioner.agency_id
    adult = rows[f"{ref}/person/0"]
    assert (adult.kind, adult.first_name, adult.surname, adult.aliases) == (
        "adult",
        "Dan",
        "Miller",
        ["Dee"],
    )
    assert adult.approximate_age == 30 and adult.child_id is None


def test_a_child_already_known_to_another_agency_is_matched_while_recording() -> None:
    partnership = make_partnership()
    school = record(partnership.practitioner, amara())
    officer = make_user(partnership.police, role="police_officer")
    police = record(officer, amara(given_name="Amarah", address="12 Larch Ave"))
    matches = list(PersonMatch.objects.filter(concern=police))
    assert [(m.left_id, m.right_id) for m in matches] == [
        (f"{school.reference}/child/0", f"{police.reference}/child/0")
    ]
    (match,) = matches
    assert match.left_concern_id == school.pk
    assert match.kind == "child"
    assert match.status == ("confirmed" if match.probability >= LINK_THRESHOLD else "proposed")
    # The explanation: each comparison's weight, with the prior they add up to the total.
    assert {"first_name", "surname", "date_of_birth"} <= set(match.weights)
    leaf = LedgerLeaf.objects.filter(kind=PeopleMatched.kind).get()
    assert leaf.subject == f"concern:{police.pk}"
    payload = json.loads(reading_ledger().store.read_payloads([leaf.seq])[leaf.seq].body)
    assert payload["model"] == linkage_model().sha256


def test_a_different_child_and_an_adult_are_not_matched_to_her() -> None:
    partnership = make_partnership()
    record(partnership.practitioner, amara())
    other = record(
        partnership.practitioner,
        amara(given_name="Zofia", family_name="Wrobel", date_of_birth=date(2009, 8, 30)),
        persons=[PersonDraft(names=["Amara Okonkwo"], approximate_age=15)],
    )
    assert not PersonMatch.objects.filter(concern=other).exists()
    assert not LedgerLeaf.objects.filter(kind=PeopleMatched.kind).exists()


def test_an_adult_of_one_name_alone_is_too_weak_to_propose() -> None:
    # Adults have no date of birth or address in a concern: a common name and an age are
    # not enough evidence, by the model, even for review (networks link them instead).
    partnership = make_partnership()
    record(partnership.practitioner, amara(), persons=[PersonDraft(names=["Daniel Miller"])])
    second = record(
        partnership.practitioner,
        amara(given_name="Zofia", family_name="Wrobel", date_of_birth=date(2009, 8, 30)),
        persons=[PersonDraft(names=["Daniel Miller"])],
    )
    assert not PersonMatch.objects.filter(concern=second).exists()


def test_the_bulk_check_finds_what_recording_one_by_one_finds() -> None:
    partnership = make_partnership()
    officer = make_user(partnership.police, role="police_officer")

    def load() -> list[Any]:
        return [
            record(partnership.practitioner, amara()),
            record(officer, amara(given_name="Amarah", address="12 Larch Ave")),
            record(officer, amara(family_name="Okonkwo-Reid", postcode="ZZ1 4QY")),
        ]

    one_by_one = load()
    found = {
        (m.left_id.split("/", 1)[1], m.right_id.split("/", 1)[1], round(m.probability, 4))
        for m in PersonMatch.objects.filter(concern__in=one_by_one)
    }
    expected = sorted(
        (
            [c.reference for c in one_by_one].index(m.left_id.split("/")[0]),
            [c.reference for c in one_by_one].index(m.right_id.split("/")[0]),
            m.status,
        )
        for m in PersonMatch.objects.filter(concern__in=one_by_one)
    )
    assert expected, "the three records of one girl should match"
    with deferred_matching() as deferred:
        bulk = load()
    assert not PersonMatch.objects.filter(concern__in=bulk).exists()
    assert deferred.concern_ids == [str(c.pk) for c in bulk]
    do_match_people(deferred.concern_ids, actor=ACTOR)
    bulk_refs = [c.reference for c in bulk]
    got = sorted(
        (
            bulk_refs.index(m.left_id.split("/")[0]),
            bulk_refs.index(m.right_id.split("/")[0]),
            m.status,
        )
        for m in PersonMatch.objects.filter(concern__in=bulk, left_concern__in=bulk)
    )
    assert got == expected
    assert found


def test_replay_rebuilds_person_records_and_matches() -> None:
    partnership = make_partnership()
    record(partnership.practitioner, amara(), persons=[PersonDraft(names=["Dan Miller"])])
    officer = make_user(partnership.police, role="police_officer")
    record(officer, amara(given_name="Amarah"), persons=[PersonDraft(names=["Dan Miller"])])
    assert PersonMatch.objects.count() == 1
    report = verify_ledger()
    assert report.ok, report.problems

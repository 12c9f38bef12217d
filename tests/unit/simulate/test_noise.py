"""Noisy identifiers: each kind of noise at its configured rate, labelled truthfully in
truth/record_identity, and name variants actually present across one person's records."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from tocsin.simulate import NOISE_KINDS, World
from tocsin.simulate._names import name_book

from .stats import assert_rate


@pytest.fixture(scope="module")
def joined(dense_world: World) -> list[tuple[dict[str, object], dict[str, object], set[str]]]:
    people = {p["person_id"]: p for p in dense_world["truth/people"].dicts()}
    out = []
    for record, truth in zip(
        dense_world["records/persons"].dicts(),
        dense_world["truth/record_identity"].dicts(),
        strict=True,
    ):
        assert record["record_id"] == truth["record_id"]
        out.append((record, people[truth["person_id"]], set(truth["noise"] or [])))
    return out


def test_noise_labels_are_known_kinds(joined: list) -> None:  # type: ignore[type-arg]
    seen = set().union(*(noise for _, _, noise in joined))
    assert seen == set(NOISE_KINDS)


def test_each_kind_of_noise_occurs_at_its_configured_rate(
    dense_world: World,
    joined: list,  # type: ignore[type-arg]
) -> None:
    noise = dense_world.config.noise
    book = name_book()

    def rate(kind: str, eligible: list) -> None:  # type: ignore[type-arg]
        hits = sum(1 for _, _, labels in eligible if kind in labels)
        assert_rate(hits, len(eligible), getattr(noise, f"{kind}_rate"), kind)

    spellable = [
        j
        for j in joined
        if j[1]["given_name"] in book.spelling_groups or j[1]["family_name"] in book.spelling_groups
    ]
    rate("spelling_variant", spellable)
    nicknamed = [
        j
        for j in joined
        if j[1]["given_name"] in book.nicknames and j[1]["given_name"] not in book.spelling_groups
    ]
    rate("nickname", nicknamed)
    rate("typo", joined)
    rate("dob_missing", joined)
    present = [j for j in joined if "dob_missing" not in j[2]]
    swappable = []
    for j in present:
        born = dt.date.fromisoformat(str(j[1]["date_of_birth"]))
        if born.day <= 12 and born.day != born.month:
            swappable.append(j)
    rate("dob_swapped", swappable)
    rate("dob_wrong", [j for j in present if "dob_swapped" not in j[2]])
    hits = sum(1 for j in joined if "address_missing" in j[2])
    assert_rate(hits, len(joined), noise.missing_field_rate, "address_missing")
    with_phone = [j for j in joined if j[0]["phone"] is not None or "phone_missing" in j[2]]
    hits = sum(1 for j in with_phone if "phone_missing" in j[2])
    assert_rate(hits, len(with_phone), noise.missing_field_rate, "phone_missing")


def test_records_differ_from_the_truth_exactly_as_labelled(joined: list) -> None:  # type: ignore[type-arg]
    for record, person, labels in joined:
        if not labels & {"spelling_variant", "nickname"}:
            assert record["given_name"] == person["given_name"] or "spelling_variant" in labels
        if not labels & {"spelling_variant", "typo"}:
            assert record["family_name"] == person["family_name"]
        if "typo" in labels:
            assert record["family_name"] != person["family_name"]
        if not labels & {"dob_missing", "dob_swapped", "dob_wrong"}:
            assert record["date_of_birth"] == person["date_of_birth"]
        if "dob_missing" in labels:
            assert record["date_of_birth"] is None
        if "dob_swapped" in labels:
            year, month, day = str(person["date_of_birth"]).split("-")
            assert record["date_of_birth"] == f"{year}-{day}-{month}"
        if "address_missing" in labels:
            assert record["address"] is None
        else:
            assert record["address"] == person["address"]


def test_one_person_appears_under_several_spellings(joined: list) -> None:  # type: ignore[type-arg]
    spellings: dict[str, set[str]] = defaultdict(set)
    for record, person, _ in joined:
        spellings[str(person["person_id"])].add(str(record["given_name"]))
    muhammad = {"Muhammad", "Mohammed", "Mohamed", "Mohammad", "Muhammed", "Mohamad"}
    several = [names for names in spellings.values() if len(names & muhammad) >= 2]
    assert several, "no person recorded as both Muhammad and Mohammed (or another spelling)"
    assert any(len(names) >= 3 for names in spellings.values())


def test_partial_registrations_and_aliases_appear_in_concerns(dense_world: World) -> None:
    vehicles = [v for vs in dense_world["records/concerns"].column("vehicles") for v in vs or []]
    partial = [v for v in vehicles if " " not in v.rsplit("registration ", 1)[1]]
    assert 0 < len(partial) < len(vehicles)
    assert_rate(
        len(partial),
        len(vehicles),
        dense_world.config.noise.partial_registration_rate,
        "partial registrations",
    )
    named = [n for ns in dense_world["records/concerns"].column("named_people") for n in ns or []]
    aliases = [n for n in named if n.startswith("'")]
    assert_rate(
        len(aliases), len(named), dense_world.config.noise.alias_only_rate, "named by alias only"
    )

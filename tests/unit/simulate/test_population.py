"""The invented town: vulnerability rates as configured, invented places only, drama phone
numbers only, names from the lists, children of the right ages."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from tocsin.simulate import DRAMA_LANDLINE_PREFIXES, DRAMA_MOBILE_PREFIX, SimulationConfig, World
from tocsin.simulate._names import name_book

from .stats import assert_rate

POSTCODE = re.compile(r"^ZZ([1-9]|1[0-9]|20) [0-9][ABDEFGHJLNPQRSTUWXYZ]{2}$")
PHONE_LIKE = re.compile(r"\b0\d{2,4} ?\d{3,4} ?\d{3,4}\b")


def is_drama_number(number: str) -> bool:
    prefixes = (DRAMA_MOBILE_PREFIX, *DRAMA_LANDLINE_PREFIXES)
    return any(
        number.startswith(p) and len(number) == len(p) + 3 and number[len(p) :].isdigit()
        for p in prefixes
    )


def test_vulnerability_rates_among_children_match_the_configuration(
    dense_world: World, dense_config: SimulationConfig
) -> None:
    children = [p for p in dense_world["truth/people"].dicts() if p["role"] == "child"]
    pop = dense_config.population
    expected = {
        "looked_after": pop.looked_after_rate,
        "missing_episodes": pop.missing_rate,
        "excluded_from_school": pop.exclusion_rate,
        "neglect": pop.neglect_rate,
        "domestic_abuse_at_home": pop.domestic_abuse_rate,
        "parental_substance_misuse": pop.substance_misuse_rate,
    }
    # Household factors are shared by siblings, so allow for clustering (about 1.5 children
    # per family) by counting each household once.
    for name, rate in expected.items():
        if name in ("neglect", "domestic_abuse_at_home", "parental_substance_misuse"):
            households = {p["household_id"]: name in p["vulnerabilities"] for p in children}
            assert_rate(sum(households.values()), len(households), rate, name)
        else:
            flagged = sum(1 for p in children if name in p["vulnerabilities"])
            assert_rate(flagged, len(children), rate, name)


def test_every_postcode_is_in_the_invented_area(dense_world: World) -> None:
    postcodes = [
        *dense_world["truth/people"].column("postcode"),
        *dense_world["records/persons"].column("postcode"),
        *dense_world["truth/places"].column("postcode"),
    ]
    present = [p for p in postcodes if p is not None]
    assert len(present) > 30_000
    bad = [p for p in present if not POSTCODE.match(str(p))]
    assert bad == []


def test_every_phone_number_is_in_ofcoms_drama_ranges(dense_world: World) -> None:
    numbers: list[str] = []
    numbers += [str(p) for p in dense_world["records/persons"].column("phone") if p]
    for phones in dense_world["truth/groups"].column("phones"):
        numbers += list(phones or [])
    for phones in dense_world["records/concerns"].column("phones"):
        numbers += list(phones or [])
    for narrative in dense_world["records/concerns"].column("narrative"):
        numbers += PHONE_LIKE.findall(str(narrative))
    assert len(numbers) > 1000
    assert any(n.startswith(("01632", "0113")) for n in numbers)
    assert [n for n in numbers if not is_drama_number(n)] == []


def test_names_are_combinations_from_the_lists(dense_world: World) -> None:
    book = name_book()
    given = {n for c in book.cultures for n in (*book.female[c], *book.male[c])}
    family = {n for c in book.cultures for n in book.family[c]}
    people = list(dense_world["truth/people"].dicts())
    assert {p["given_name"] for p in people} <= given
    assert {p["family_name"] for p in people} <= family
    cultures = Counter(p["culture"] for p in people)
    assert set(cultures) == set(book.cultures)


def test_children_are_eight_to_seventeen_in_the_window(small_world: World) -> None:
    pop = small_world.config.population
    start = dt.date(pop.start_year, 1, 1)
    end = dt.date(pop.start_year + pop.years, 1, 1)
    for person in small_world["truth/people"].dicts():
        if person["role"] != "child":
            continue
        born = dt.date.fromisoformat(str(person["date_of_birth"]))
        assert born > dt.date(start.year - 18, start.month, start.day)
        assert born <= dt.date(end.year - 8, end.month, end.day)


def test_children_homes_and_shared_addresses_exist(dense_world: World) -> None:
    kinds = Counter(dense_world["truth/people"].column("address_kind"))
    assert kinds["childrens_home"] > 0
    assert kinds["shared"] > 0
    homes = Counter(
        p["address"]
        for p in dense_world["truth/people"].dicts()
        if p["address_kind"] == "childrens_home"
    )
    assert max(homes.values()) <= 4

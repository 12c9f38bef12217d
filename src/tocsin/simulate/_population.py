"""The invented town's residents: households, addresses (family homes, shared addresses and
children's homes), schools, and the vulnerabilities that make children targets.

Arrays are numpy so a region of a million residents takes seconds; strings are built once per
person. Dates are day numbers since 1970-01-01.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tocsin.simulate._config import SimulationConfig, SimulationConfigError
from tocsin.simulate._names import ETHNICITY_CODES, name_book, place_book

__all__ = ["VULNERABILITIES", "Population", "age_on", "build_population", "day_number"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: The vulnerabilities recorded for each child, in column order (SERAF's vulnerabilities and
#: the Children in Need factors they correspond to; DOMAIN.md section 3).
VULNERABILITIES: tuple[str, ...] = (
    "looked_after",
    "missing_episodes",
    "excluded_from_school",
    "neglect",
    "domestic_abuse_at_home",
    "parental_substance_misuse",
)

# Letters a postcode's inward unit never uses (Royal Mail: C, I, K, M, O, V).
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# Districts stay within 1..20 so no postcode falls in ZZ99, which the NHS uses for pseudo
# postcodes.
_DISTRICTS = 20
_DAYS_PER_YEAR = 365.25
_CARE_HOME_CAPACITY = 4


def day_number(year: int, month: int = 1, day: int = 1) -> int:
    """Days since 1970-01-01 of a calendar date."""
    return (dt.date(year, month, day) - dt.date(1970, 1, 1)).days


@dataclass
class Population:
    """Every resident, column by column (index = person number)."""

    given: list[str]
    family: list[str]
    sex: list[str]
    dob: IntArray
    culture: list[str]
    ethnicity: list[str]
    household: IntArray
    address: IntArray
    is_child: BoolArray
    school_primary: IntArray
    school_secondary: IntArray
    council: IntArray
    vulnerable: npt.NDArray[np.bool_]  # shape (people, len(VULNERABILITIES))
    address_text: list[str]
    address_postcode: list[str]
    address_kind: list[str]
    address_council: IntArray
    schools: list[tuple[str, str, int]]  # (name, phase, council)
    window_start: int
    window_end: int

    def __len__(self) -> int:
        return len(self.given)


def _postcode(area: str, street: int, number: int) -> str:
    district = street % _DISTRICTS + 1
    sector = (street // _DISTRICTS + number // 50) % 10
    unit = (street * 31 + number // 12) % (len(_UNIT_LETTERS) ** 2)
    letters = _UNIT_LETTERS[unit // len(_UNIT_LETTERS)] + _UNIT_LETTERS[unit % len(_UNIT_LETTERS)]
    return f"{area}{district} {sector}{letters}"


def build_population(config: SimulationConfig, rng: np.random.Generator) -> Population:
    """Generate the residents of the partnership's towns."""
    pop_cfg = config.population
    book = name_book()
    places = place_book()
    unknown = sorted(set(pop_cfg.culture_weights) - set(book.cultures))
    if unknown:
        raise SimulationConfigError(
            f"population.culture_weights names unknown culture {unknown[0]!r}; "
            f"known: {', '.join(book.cultures)}"
        )
    window_start = day_number(pop_cfg.start_year)
    window_end = day_number(pop_cfg.start_year + pop_cfg.years)
    residents = pop_cfg.residents
    councils = config.partnership.councils

    # Ages at the start of the window: under-18s spread evenly over 0..17 at the configured
    # share of residents, adults over 18..89.
    minors_share = min(0.9, pop_cfg.child_share * 1.8)
    n_minors = round(residents * minors_share)
    n_adults = residents - n_minors

    # Families: one or two parents with one to four children; the rest of the adults live in
    # households of one to three.
    sizes = rng.choice(np.array([1, 2, 3, 4]), size=n_minors, p=[0.40, 0.38, 0.15, 0.07])
    cumulative = np.cumsum(sizes)
    n_families = int(np.searchsorted(cumulative, n_minors)) + 1
    sizes = sizes[:n_families]
    sizes[-1] -= int(cumulative[n_families - 1] - n_minors)
    parents = np.where(rng.random(n_families) < 0.25, 1, 2)
    parents_needed = int(parents.sum())
    if parents_needed > n_adults:
        raise SimulationConfigError(
            "population.child_share is too high for the number of adults; lower it"
        )
    others = n_adults - parents_needed
    other_sizes = rng.choice(np.array([1, 2, 3]), size=max(1, others), p=[0.45, 0.40, 0.15])
    other_cum = np.cumsum(other_sizes)
    n_other_households = int(np.searchsorted(other_cum, others)) + 1 if others else 0
    other_sizes = other_sizes[:n_other_households]
    if n_other_households:
        other_sizes[-1] -= int(other_cum[n_other_households - 1] - others)

    # Person layout: each family's parents then children, then adult-only households.
    household_sizes = np.concatenate([parents + sizes, other_sizes]).astype(np.int64)
    household = np.repeat(np.arange(len(household_sizes), dtype=np.int64), household_sizes)
    n_households = len(household_sizes)
    is_family = np.zeros(n_households, dtype=bool)
    is_family[:n_families] = True
    offsets = np.concatenate([[0], np.cumsum(household_sizes)[:-1]])
    position = np.arange(residents, dtype=np.int64) - offsets[household]
    hh_parents = np.concatenate([parents, np.zeros(n_other_households, dtype=np.int64)])
    is_minor = is_family[household] & (position >= hh_parents[household])

    start = window_start
    age_days = np.where(
        is_minor,
        rng.integers(0, int(18 * _DAYS_PER_YEAR), size=residents),
        rng.integers(int(18 * _DAYS_PER_YEAR), int(90 * _DAYS_PER_YEAR), size=residents),
    )
    # Parents are of an age to have their children: 20 to 50 at the start.
    parent_mask = is_family[household] & ~is_minor
    age_days = np.where(
        parent_mask,
        rng.integers(int(22 * _DAYS_PER_YEAR), int(55 * _DAYS_PER_YEAR), size=residents),
        age_days,
    )
    dob = (start - age_days).astype(np.int64)
    # A child of interest is 8 to 17 at some time in the window.
    is_child = (
        is_minor
        & (dob > start - int(18 * _DAYS_PER_YEAR))
        & (dob <= window_end - int(8 * _DAYS_PER_YEAR))
    )

    # Cultures by household; in a share of families the children are of mixed heritage and
    # take given names from a second culture.
    cultures = tuple(sorted(pop_cfg.culture_weights))
    weights = np.array([pop_cfg.culture_weights[c] for c in cultures], dtype=float)
    weights /= weights.sum()
    hh_culture = rng.choice(len(cultures), size=n_households, p=weights)
    hh_second = rng.choice(len(cultures), size=n_households, p=weights)
    hh_mixed = (rng.random(n_households) < pop_cfg.mixed_family_rate) & (hh_second != hh_culture)
    person_culture = hh_culture[household]
    given_culture = np.where(is_minor & hh_mixed[household], hh_second[household], person_culture)
    sex_female = rng.random(residents) < 0.5
    # In two-parent families the first parent is the mother, whose family name the household
    # uses; single-parent families have a mother in four out of five.
    sex_female = np.where(parent_mask & (position == 0), rng.random(residents) < 0.9, sex_female)
    sex_female = np.where(parent_mask & (position == 1), False, sex_female)

    given_idx = rng.integers(0, 1 << 30, size=residents)
    family_idx = rng.integers(0, 1 << 30, size=n_households)[household]
    # A share of adults in each household keep a different family name.
    own_family = (~is_minor) & (position > 0) & (rng.random(residents) < 0.3)
    family_idx = np.where(own_family, rng.integers(0, 1 << 30, size=residents), family_idx)

    given: list[str] = []
    family: list[str] = []
    culture_names: list[str] = []
    ethnicity: list[str] = []
    sex: list[str] = []
    female_lists = [book.female[c] for c in cultures]
    male_lists = [book.male[c] for c in cultures]
    family_lists = [book.family[c] for c in cultures]
    eth_lists = [ETHNICITY_CODES[c] for c in cultures]
    for g_cul, p_cul, g_i, f_i, fem, mixed in zip(
        given_culture.tolist(),
        person_culture.tolist(),
        given_idx.tolist(),
        family_idx.tolist(),
        sex_female.tolist(),
        (given_culture != person_culture).tolist(),
        strict=True,
    ):
        names = female_lists[g_cul] if fem else male_lists[g_cul]
        given.append(names[g_i % len(names)])
        surnames = family_lists[p_cul]
        family.append(surnames[f_i % len(surnames)])
        culture_names.append(cultures[p_cul])
        codes = ETHNICITY_CODES["mixed"] if mixed else eth_lists[p_cul]
        ethnicity.append(codes[f_i % len(codes)])
        sex.append("F" if fem else "M")

    # Councils: households are spread over the partnership's towns in proportion.
    hh_council = (np.arange(n_households) * councils // max(1, n_households)).astype(np.int64)
    council = hh_council[household]

    # Addresses: one per household; a share of adult-only households share a flat in a house
    # in multiple occupation (a shared address).
    shared = (~is_family) & (rng.random(n_households) < 0.15)
    address_of_household = np.arange(n_households, dtype=np.int64)
    shared_idx = np.flatnonzero(shared)
    if len(shared_idx) > 1:
        # Pair each shared household with the previous shared one in the same council.
        partners = shared_idx[::2]
        for first, second in zip(partners, shared_idx[1::2], strict=False):
            if hh_council[first] == hh_council[second]:
                address_of_household[second] = first
    address_text: list[str] = []
    address_postcode: list[str] = []
    address_kind: list[str] = []
    address_council_list: list[int] = []
    streets_per_town = len(places.street_stems) * len(places.street_suffixes)
    street_pick = rng.integers(0, streets_per_town, size=n_households)
    street_counter: dict[tuple[int, int], int] = {}
    address_id = np.full(n_households, -1, dtype=np.int64)
    for h in range(n_households):
        owner = int(address_of_household[h])
        if owner != h:
            address_id[h] = address_id[owner]
            address_kind[int(address_id[h])] = "shared"
            continue
        town = int(hh_council[h])
        street = int(street_pick[h])
        number = street_counter.get((town, street), 0) + 1
        street_counter[(town, street)] = number
        stem = places.street_stems[street % len(places.street_stems)]
        suffix = places.street_suffixes[street // len(places.street_stems)]
        address_id[h] = len(address_text)
        address_text.append(f"{number} {stem} {suffix}, {places.towns[town]}")
        address_postcode.append(_postcode(pop_cfg.postcode_area, street + 1000 * town, number))
        address_kind.append("home")
        address_council_list.append(town)
    address = address_id[household]

    # Vulnerabilities: parental factors belong to the household, the rest to the child. Each
    # is drawn at its configured rate, so the rates among children match the configuration.
    n = residents
    vulnerable = np.zeros((n, len(VULNERABILITIES)), dtype=bool)
    rates = (
        pop_cfg.looked_after_rate,
        pop_cfg.missing_rate,
        pop_cfg.exclusion_rate,
    )
    for column, rate in enumerate(rates):
        vulnerable[:, column] = rng.random(n) < rate
    for column, rate in zip(
        (3, 4, 5),
        (pop_cfg.neglect_rate, pop_cfg.domestic_abuse_rate, pop_cfg.substance_misuse_rate),
        strict=True,
    ):
        vulnerable[:, column] = (rng.random(n_households) < rate)[household]
    vulnerable[~is_child] = False

    # Looked-after children in residential care live in children's homes (a few children to
    # an address); the others keep their family's address in the record (foster placements
    # are not modelled separately).
    care_home_children = np.flatnonzero(
        vulnerable[:, 0] & (rng.random(n) < pop_cfg.residential_care_share)
    )
    for start_at in range(0, len(care_home_children), _CARE_HOME_CAPACITY):
        chunk = care_home_children[start_at : start_at + _CARE_HOME_CAPACITY]
        town = int(council[chunk[0]])
        home_number = len(address_text)
        stem = places.street_stems[home_number % len(places.street_stems)]
        address_text.append(f"{stem} House Children's Home, {places.towns[town]}")
        address_postcode.append(_postcode(pop_cfg.postcode_area, 900 + home_number, 1))
        address_kind.append("childrens_home")
        address_council_list.append(town)
        address[chunk] = home_number
        council[chunk] = town

    # Schools: primaries and secondaries per council, sized from the configuration; each
    # child goes to one of each, near home.
    schools: list[tuple[str, str, int]] = []
    school_primary = np.full(n, -1, dtype=np.int64)
    school_secondary = np.full(n, -1, dtype=np.int64)
    child_idx = np.flatnonzero(is_child)
    for town in range(councils):
        in_town = child_idx[council[child_idx] == town]
        town_name = places.towns[town]
        for phase, per_school, target in (
            ("primary", config.partnership.primary_pupils_per_school, school_primary),
            ("secondary", config.partnership.secondary_pupils_per_school, school_secondary),
        ):
            # Year groups in the phase: primary holds ages 8-10 (3 years), secondary 11-17.
            span = 3 if phase == "primary" else 7
            cohorts = 9 + config.population.years
            count = max(1, int(np.ceil(len(in_town) * span / cohorts / per_school)))
            first = len(schools)
            for k in range(count):
                stem = places.street_stems[
                    (k * 7 + town * 3 + (phase == "primary")) % len(places.street_stems)
                ]
                label = "Primary School" if phase == "primary" else "Academy"
                suffix = (
                    f" {k // len(places.street_stems) + 1}" if k >= len(places.street_stems) else ""
                )
                schools.append((f"{stem}{suffix} {label}, {town_name}", phase, town))
            # Children in one household go to the same school.
            target[in_town] = first + (household[in_town] * 2654435761 % count)

    return Population(
        given=given,
        family=family,
        sex=sex,
        dob=dob,
        culture=culture_names,
        ethnicity=ethnicity,
        household=household,
        address=address,
        is_child=is_child,
        school_primary=school_primary,
        school_secondary=school_secondary,
        council=council,
        vulnerable=vulnerable,
        address_text=address_text,
        address_postcode=address_postcode,
        address_kind=address_kind,
        address_council=np.array(address_council_list, dtype=np.int64),
        schools=schools,
        window_start=window_start,
        window_end=window_end,
    )


def age_on(population: Population, people: IntArray, day: int | IntArray) -> IntArray:
    """Whole years of age of ``people`` on ``day``."""
    return ((np.asarray(day) - population.dob[people]) / _DAYS_PER_YEAR).astype(np.int64)

"""What agencies see: which agencies identify each exploited child (the lists for multiple
systems estimation), and the concerns they raise over time, about exploited children and about
the many more children who are not exploited."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from tocsin.simulate._config import SECTORS, SimulationConfig
from tocsin.simulate._exploitation import Exploitation, Victimisation
from tocsin.simulate._narratives import (
    BACKGROUND_CATEGORIES,
    INDICATORS,
    Mentions,
    background_narrative,
    exploitation_narrative,
    inject_victim_blaming,
)
from tocsin.simulate._noise import partial_registration
from tocsin.simulate._partnership import Agency, Partnership
from tocsin.simulate._population import VULNERABILITIES, Population, age_on
from tocsin.simulate._records import RecordBook, person_id
from tocsin.simulate._world import Cell, Table, format_date, format_time

__all__ = ["Concern", "Identification", "identify", "raise_concerns"]

_MINUTES_PER_DAY = 1440
_CIN_FACTORS = {
    "cse": ["11A"],
    "cce": ["24A", "13A"],
    "neglect": [],
    "domestic_abuse": ["3B"],
    "missing": ["10A"],
    "school_exclusion": [],
    "parental_substance_misuse": ["2B"],
    "emotional_wellbeing": ["15A"],
}
_BACKGROUND_FOR_VULNERABILITY = {
    "looked_after": "missing",
    "missing_episodes": "missing",
    "excluded_from_school": "school_exclusion",
    "neglect": "neglect",
    "domestic_abuse_at_home": "domestic_abuse",
    "parental_substance_misuse": "parental_substance_misuse",
}


@dataclass
class Identification:
    """For each victimisation, which sectors identified the child, and when (day numbers)."""

    identified: npt.NDArray[np.bool_]  # (victimisations, sectors)
    day: npt.NDArray[np.int64]  # (victimisations, sectors)


@dataclass
class Concern:
    """One concern, with the truth needed for decisions and failures."""

    concern_id: str
    minute: int
    agency: Agency
    child: int
    record: int
    category: str
    risk: str
    victimisation: int  # index, or -1


def identify(
    config: SimulationConfig, exploitation: Exploitation, rng: np.random.Generator
) -> Identification:
    """Draw each agency's identification of each exploited child from the Gaussian copula
    described in :class:`~tocsin.simulate.IdentificationConfig`."""
    ident = config.identification
    n = len(exploitation.victimisations)
    chol = np.linalg.cholesky(np.array(ident.correlation()))
    latent = rng.standard_normal((n, len(SECTORS))) @ chol.T
    thresholds = np.array(
        [
            -math.inf
            if ident.rates[s] <= 0
            else math.inf
            if ident.rates[s] >= 1
            else NormalDist().inv_cdf(ident.rates[s])
            for s in SECTORS
        ]
    )
    identified = latent < thresholds
    starts = np.array([v.start for v in exploitation.victimisations], dtype=np.int64)
    ends = np.array([v.end for v in exploitation.victimisations], dtype=np.int64)
    fraction = rng.random((n, len(SECTORS)))
    day = starts[:, None] + (fraction * (ends - starts + 1)[:, None]).astype(np.int64)
    return Identification(identified.reshape(n, len(SECTORS)), day.reshape(n, len(SECTORS)))


def _agency_for(
    sector: str,
    child: int,
    day: int,
    partnership: Partnership,
    population: Population,
    pyrng: random.Random,
) -> Agency:
    council = int(population.council[child])
    if sector == "education":
        age = int(age_on(population, np.array([child]), day)[0])
        school = (
            population.school_secondary[child] if age >= 11 else population.school_primary[child]
        )
        return partnership.schools[int(school)]
    if sector == "voluntary":
        options = partnership.by_sector("voluntary", council)
        return options[child % len(options)]
    if sector == "health":
        options = partnership.by_sector("health", council)
        return options[int(population.household[child]) % len(options)]
    options = partnership.by_sector(sector, council)
    return options[0] if len(options) == 1 else pyrng.choice(options)


def _minute(day: int, sector: str, pyrng: random.Random) -> int:
    # Police work round the clock; other agencies raise concerns in working hours.
    if sector == "police":
        return day * _MINUTES_PER_DAY + pyrng.randrange(_MINUTES_PER_DAY)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
    if weekday >= 5:
        day += 7 - weekday
    return day * _MINUTES_PER_DAY + 8 * 60 + pyrng.randrange(10 * 60)


def raise_concerns(
    config: SimulationConfig,
    population: Population,
    partnership: Partnership,
    exploitation: Exploitation,
    identification: Identification,
    book: RecordBook,
    rng: np.random.Generator,
    pyrng: random.Random,
) -> tuple[list[Concern], dict[str, Table]]:
    """Every concern raised in the window, in time order, with records created as agencies
    first meet each child; returns the concerns and the tables ``records/concerns``,
    ``records/agency_lists`` and ``truth/concerns``."""
    rep = config.reporting
    start, end = population.window_start, population.window_end
    planned: list[tuple[int, int, Agency, int, str, int, bool]] = []
    list_entries: list[tuple[int, Agency, int, int]] = []  # (minute, agency, child, victim)
    for v_index, victim in enumerate(exploitation.victimisations):
        for s_index, sector in enumerate(SECTORS):
            if not identification.identified[v_index, s_index]:
                continue
            day = int(identification.day[v_index, s_index])
            agency = _agency_for(sector, victim.child, day, partnership, population, pyrng)
            minute = _minute(day, sector, pyrng)
            planned.append((minute, len(planned), agency, victim.child, victim.kind, v_index, True))
            list_entries.append((minute, agency, victim.child, v_index))
            for _ in range(int(rng.poisson(rep.further_concerns_per_identified_child))):
                later = pyrng.randint(day, max(day, victim.end))
                planned.append(
                    (
                        _minute(later, sector, pyrng),
                        len(planned),
                        agency,
                        victim.child,
                        victim.kind,
                        v_index,
                        False,
                    )
                )

    # Background concerns make up the rest of the referral volume.
    target = (
        rep.referrals_per_1000_per_year
        * config.population.residents
        / 1000
        * (config.population.years)
    )
    n_background = max(0, int(rng.poisson(target)) - len(planned))
    children = np.flatnonzero(population.is_child)
    weights = np.cumsum(np.exp(0.7 * population.vulnerable[children].sum(axis=1)))
    sectors = list(SECTORS)
    shares = np.array([rep.agency_shares[s] for s in sectors])
    sector_draw = rng.choice(len(sectors), size=n_background, p=shares / shares.sum())
    day_draw = rng.integers(start, end, size=n_background)
    previous: list[int] = []
    for k in range(n_background):
        day = int(day_draw[k])
        child = -1
        if previous and pyrng.random() < rep.re_referral_rate:
            candidate = pyrng.choice(previous)
            if 8 <= int(age_on(population, np.array([candidate]), day)[0]) <= 17:
                child = candidate
        for _ in range(20):
            if child >= 0:
                break
            pick = int(
                children[
                    min(
                        int(np.searchsorted(weights, pyrng.random() * weights[-1])),
                        len(children) - 1,
                    )
                ]
            )
            if 8 <= int(age_on(population, np.array([pick]), day)[0]) <= 17:
                child = pick
        if child < 0:
            continue
        previous.append(child)
        sector = sectors[int(sector_draw[k])]
        agency = _agency_for(sector, child, day, partnership, population, pyrng)
        flags = [VULNERABILITIES[i] for i in np.flatnonzero(population.vulnerable[child])]
        category = (
            _BACKGROUND_FOR_VULNERABILITY[pyrng.choice(flags)]
            if flags
            else pyrng.choice(BACKGROUND_CATEGORIES)
        )
        planned.append(
            (_minute(day, sector, pyrng), len(planned), agency, child, category, -1, False)
        )

    planned.sort(key=lambda item: (item[0], item[1]))
    list_keys = {(m, a.index, c, v) for m, a, c, v in list_entries}
    return _write_concerns(
        config, population, partnership, exploitation, book, planned, list_keys, pyrng
    )


def _write_concerns(
    config: SimulationConfig,
    population: Population,
    partnership: Partnership,
    exploitation: Exploitation,
    book: RecordBook,
    planned: list[tuple[int, int, Agency, int, str, int, bool]],
    list_keys: set[tuple[int, int, int, int]],
    pyrng: random.Random,
) -> tuple[list[Concern], dict[str, Table]]:
    noise = config.noise
    rep = config.reporting
    concerns: list[Concern] = []
    rows: list[tuple[Cell, ...]] = []
    truth_rows: list[tuple[Cell, ...]] = []
    list_rows: list[tuple[Cell, ...]] = []
    police = partnership.by_sector("police")[0]
    for number, (minute, _seq, agency, child, category, v_index, first) in enumerate(planned):
        day = minute // _MINUTES_PER_DAY
        record = book.record_for(agency, child, day)
        concern_id = f"C{number + 1:07d}"
        staff = pyrng.choice(agency.raisers())
        written = book.given_name(record)
        address = population.address_text[int(population.address[child])]
        street = address.split(",")[0].split(" ", 1)[-1]
        mentioned_people: list[str] = []
        mentioned_vehicles: list[str] = []
        mentioned_places: list[str] = []
        victim: Victimisation | None = None
        phrase_used = ""
        if v_index >= 0:
            victim = exploitation.victimisations[v_index]
            group = exploitation.groups[victim.group]
            named: list[str] = []
            for member_pos in pyrng.sample(
                range(len(group.members)), k=min(len(group.members), pyrng.randint(1, 2))
            ):
                member = group.members[member_pos]
                alias = group.aliases[member_pos]
                if pyrng.random() < noise.alias_only_rate:
                    named.append(f"'{alias}'")
                else:
                    named.append(f"{population.given[member]} {population.family[member]}")
                    if agency.index == police.index:
                        book.aliases[member] = alias
                        book.record_for(police, member, day)
                mentioned_people.append(person_id(member))
            vehicle_text = None
            if group.vehicles and pyrng.random() < 0.6:
                vehicle = pyrng.choice(group.vehicles)
                plate = (
                    partial_registration(vehicle.registration)
                    if pyrng.random() < noise.partial_registration_rate
                    else vehicle.registration
                )
                vehicle_text = f"{vehicle.model}, registration {plate}"
                mentioned_vehicles.append(vehicle.registration)
            phone = pyrng.choice(group.phones) if pyrng.random() < 0.5 and group.phones else None
            place = pyrng.choice(group.places) if pyrng.random() < 0.7 else None
            if place is not None:
                mentioned_places.append(place.place_id)
            mentions = Mentions(
                tuple(named),
                vehicle_text,
                phone,
                place.name.split(",")[0] if place else None,
                street,
            )
            narrative = exploitation_narrative(victim.kind, written, mentions, pyrng)
            risk = pyrng.choices(("high", "medium", "low"), weights=(5, 4, 1))[0]
            indicators = sorted(pyrng.sample(INDICATORS[victim.kind], k=pyrng.randint(2, 4)))
            if pyrng.random() < rep.victim_blaming_rate:
                narrative, phrase = inject_victim_blaming(
                    narrative, written, population.sex[child], pyrng
                )
                phrase_used = phrase.avoid
            vehicles_col = [vehicle_text] if vehicle_text else []
            phones_col = [phone] if phone else []
            places_col = [place.name] if place else []
            if first and (minute, agency.index, child, v_index) in list_keys:
                list_rows.append(
                    (
                        agency.agency_id,
                        agency.sector,
                        book.record_id(record),
                        victim.kind,
                        format_date(day),
                    )
                )
            kind = "exploitation"
        else:
            mentions = Mentions((), None, None, None, street)
            narrative = background_narrative(category, written, mentions, pyrng)
            risk = pyrng.choices(("high", "medium", "low"), weights=(1, 7, 12))[0]
            indicators = []
            vehicles_col, phones_col, places_col = [], [], []
            kind = "background"
        rows.append(
            (
                concern_id,
                agency.agency_id,
                partnership.team_ids[partnership.staff_team[staff]],
                partnership.staff_ids[staff],
                format_time(minute),
                book.record_id(record),
                category,
                list(_CIN_FACTORS[category]),
                indicators,
                risk,
                narrative,
                list(mentions.adults),
                vehicles_col,
                phones_col,
                places_col,
            )
        )
        truth_rows.append(
            (
                concern_id,
                person_id(child),
                kind,
                exploitation.groups[victim.group].group_id if victim else None,
                mentioned_people,
                mentioned_vehicles,
                mentioned_places,
                phrase_used or None,
            )
        )
        concerns.append(Concern(concern_id, minute, agency, child, record, category, risk, v_index))
    tables = {
        "records/concerns": Table(
            (
                "concern_id",
                "agency_id",
                "team_id",
                "raised_by",
                "raised_at",
                "subject_record_id",
                "category",
                "cin_factors",
                "indicators",
                "risk_grade",
                "narrative",
                "named_people",
                "vehicles",
                "phones",
                "places",
            ),
            rows,
            description="Concerns as raised, with narratives and structured fields.",
        ),
        "records/agency_lists": Table(
            ("agency_id", "sector", "record_id", "exploitation", "identified_on"),
            list_rows,
            description="Each agency's list of the children it identified as exploited, "
            "by its own record of the child.",
        ),
        "truth/concerns": Table(
            (
                "concern_id",
                "subject_person_id",
                "kind",
                "group_id",
                "mentioned_people",
                "mentioned_vehicles",
                "mentioned_places",
                "victim_blaming_phrase",
            ),
            truth_rows,
            formats=("jsonl",),
            description="The truth behind each concern: who it is about, which group, who and "
            "what it mentions, and any victim-blaming phrase injected.",
        ),
    }
    return concerns, tables

"""The ``truth/`` tables: every resident's true identity, the groups and their members, the
places they use, each victimisation, each exploited child's capture history across the agency
lists, and the true hidden population per period."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tocsin.simulate._concerns import Identification
from tocsin.simulate._config import SECTORS
from tocsin.simulate._exploitation import Exploitation
from tocsin.simulate._partnership import Partnership
from tocsin.simulate._population import VULNERABILITIES, Population
from tocsin.simulate._records import person_id
from tocsin.simulate._world import Cell, Table, format_date

__all__ = ["truth_tables"]


def _people(population: Population, partnership: Partnership, exploitation: Exploitation) -> Table:
    exploited = {v.child: v.kind for v in exploitation.victimisations}
    offenders = exploitation.offender_group
    schools = [agency.agency_id for agency in partnership.schools]
    towns = {a.council: a.name.split(" Council")[0] for a in partnership.by_sector("council")}
    rows: list[tuple[Cell, ...]] = []
    dob = population.dob.tolist()
    address = population.address.tolist()
    household = population.household.tolist()
    is_child = population.is_child.tolist()
    primary = population.school_primary.tolist()
    secondary = population.school_secondary.tolist()
    council = population.council.tolist()
    flags: dict[int, list[str]] = {}
    for person, column in zip(*np.nonzero(population.vulnerable), strict=True):
        flags.setdefault(int(person), []).append(VULNERABILITIES[int(column)])
    epoch = dt.date(1970, 1, 1)
    for person in range(len(population)):
        role = "offender" if person in offenders else "child" if is_child[person] else "resident"
        a = address[person]
        rows.append(
            (
                person_id(person),
                population.given[person],
                population.family[person],
                population.sex[person],
                (epoch + dt.timedelta(days=dob[person])).isoformat(),
                population.culture[person],
                population.ethnicity[person],
                f"H{household[person] + 1:07d}",
                population.address_text[a],
                population.address_postcode[a],
                population.address_kind[a],
                towns[council[person]],
                role,
                schools[primary[person]] if primary[person] >= 0 else None,
                schools[secondary[person]] if secondary[person] >= 0 else None,
                flags.get(person, []),
                exploited.get(person),
            )
        )
    return Table(
        (
            "person_id",
            "given_name",
            "family_name",
            "sex",
            "date_of_birth",
            "culture",
            "ethnicity",
            "household_id",
            "address",
            "postcode",
            "address_kind",
            "council_area",
            "role",
            "primary_school",
            "secondary_school",
            "vulnerabilities",
            "exploited",
        ),
        rows,
        formats=("jsonl",),
        description="Every resident's true identity, home, school and vulnerabilities.",
    )


def _groups(exploitation: Exploitation) -> dict[str, Table]:
    groups: list[tuple[Cell, ...]] = []
    places: list[tuple[Cell, ...]] = []
    victims: list[tuple[Cell, ...]] = []
    for group in exploitation.groups:
        groups.append(
            (
                group.group_id,
                group.kind,
                format_date(group.formed),
                [person_id(m) for m in group.members],
                [("leader", "lieutenant", "member")[r] for r in group.ranks],
                group.aliases,
                group.phones,
                [person_id(m) for m in group.members if m in group.member_phones]
                + ([group.group_id] if len(group.phones) > len(group.member_phones) else []),
                [v.registration for v in group.vehicles],
                [v.model for v in group.vehicles],
                [p.place_id for p in group.places],
                group.linked_crime,
                [person_id(exploitation.victimisations[v].child) for v in group.victims],
            )
        )
        for place in group.places:
            places.append((place.place_id, place.kind, place.name, place.postcode, group.group_id))
    for victim in exploitation.victimisations:
        victims.append(
            (
                person_id(victim.child),
                exploitation.groups[victim.group].group_id,
                victim.kind,
                format_date(victim.start),
                format_date(victim.end),
                victim.recruited_via,
                person_id(victim.introduced_by) if victim.introduced_by >= 0 else None,
            )
        )
    return {
        "truth/groups": Table(
            (
                "group_id",
                "kind",
                "formed_on",
                "members",
                "ranks",
                "aliases",
                "phones",
                "phone_holders",
                "vehicles",
                "vehicle_models",
                "places",
                "linked_crime",
                "victims",
            ),
            groups,
            formats=("jsonl",),
            description="Organised groups (cse, cce) and lone offenders (lone), with members "
            "in rank order and what they use.",
        ),
        "truth/places": Table(
            ("place_id", "kind", "name", "postcode", "group_id"),
            places,
            formats=("jsonl",),
            description="Places used to exploit children.",
        ),
        "truth/victimisations": Table(
            (
                "person_id",
                "group_id",
                "kind",
                "started_on",
                "ended_on",
                "recruited_via",
                "introduced_by",
            ),
            victims,
            formats=("jsonl",),
            description="Each child's exploitation: by whom, when, and how they were recruited.",
        ),
    }


def _capture(
    population: Population, exploitation: Exploitation, identification: Identification
) -> dict[str, Table]:
    rows: list[tuple[Cell, ...]] = []
    first_day: list[int | None] = []
    for index, victim in enumerate(exploitation.victimisations):
        flags = identification.identified[index]
        days = identification.day[index][flags]
        first = int(days.min()) if len(days) else None
        first_day.append(first)
        rows.append(
            (
                person_id(victim.child),
                victim.kind,
                format_date(victim.start),
                format_date(victim.end),
                *(int(f) for f in flags.tolist()),
                format_date(first) if first is not None else None,
            )
        )
    # The hidden population per year: children exploited at some time in the year, and how
    # many of them some agency had identified by the year's end.
    periods: list[tuple[Cell, ...]] = []
    start_year = dt.date(1970, 1, 1) + dt.timedelta(days=population.window_start)
    end_year = dt.date(1970, 1, 1) + dt.timedelta(days=population.window_end - 1)
    epoch = dt.date(1970, 1, 1)
    for year in range(start_year.year, end_year.year + 1):
        low = (dt.date(year, 1, 1) - epoch).days
        high = (dt.date(year + 1, 1, 1) - epoch).days
        exploited = identified = 0
        per_sector = [0] * len(SECTORS)
        for index, victim in enumerate(exploitation.victimisations):
            if victim.start < high and victim.end >= low:
                exploited += 1
                first = first_day[index]
                if first is not None and first < high:
                    identified += 1
                for s in range(len(SECTORS)):
                    if identification.identified[index, s] and identification.day[index, s] < high:
                        per_sector[s] += 1
        periods.append((str(year), exploited, identified, exploited - identified, *per_sector))
    total = len(exploitation.victimisations)
    known = sum(1 for f in first_day if f is not None)
    periods.append(
        (
            "all",
            total,
            known,
            total - known,
            *(int(c) for c in identification.identified.sum(axis=0).tolist()),
        )
    )
    return {
        "truth/capture_histories": Table(
            (
                "person_id",
                "exploitation",
                "started_on",
                "ended_on",
                *SECTORS,
                "first_identified_on",
            ),
            rows,
            description="For every exploited child, 1 if each sector identified them, else 0; "
            "all-zero rows are the hidden children.",
        ),
        "truth/hidden_population": Table(
            ("period", "exploited", "identified", "hidden", *(f"on_{s}_list" for s in SECTORS)),
            periods,
            description="Per year: children exploited in the year, those some agency had "
            "identified by its end, the hidden remainder, and each list's size.",
        ),
    }


def truth_tables(
    population: Population,
    partnership: Partnership,
    exploitation: Exploitation,
    identification: Identification,
) -> dict[str, Table]:
    """Every ``truth/`` table except those written alongside records and decisions."""
    return {
        "truth/people": _people(population, partnership, exploitation),
        **_groups(exploitation),
        **_capture(population, exploitation, identification),
    }

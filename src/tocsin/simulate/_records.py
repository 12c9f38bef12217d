"""Person records as agencies hold them: each agency's own record of a person, with its own
noise, and the truth of whose record it is.

Health trusts register every resident, schools their pupils, children's services the children
they know and their parents; the police and the other agencies create a record when a concern
first involves someone (and now and then a second, duplicate one).

A record holds the person's NHS number only where its agency would (``noise.nhs_number_held``,
by sector: health always, children's services often, schools, police and charities rarely),
now and then with a digit typed wrong (``noise.nhs_number_typo_rate``). These draws come from a
stream of their own, so adding them left every other field of every record as it was.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np

from tocsin.simulate._config import SimulationConfig
from tocsin.simulate._identifiers import mistyped_nhs_number, nhs_number_of
from tocsin.simulate._names import drama_landline
from tocsin.simulate._noise import N_DRAWS, noisy_identity
from tocsin.simulate._partnership import Agency, Partnership
from tocsin.simulate._population import Population, age_on
from tocsin.simulate._world import Cell, Table, format_date

__all__ = ["PERSON_COLUMNS", "RecordBook", "person_id", "register_residents"]

PERSON_COLUMNS: tuple[str, ...] = (
    "record_id",
    "agency_id",
    "given_name",
    "family_name",
    "alias",
    "sex",
    "date_of_birth",
    "address",
    "postcode",
    "phone",
    "ethnicity",
    "recorded_on",
    "nhs_number",
)

_CHUNK = 1 << 15


def person_id(person: int) -> str:
    """The true identity of a resident, as written in ``truth/``."""
    return f"P{person + 1:07d}"


class RecordBook:
    """Every person record created so far, and the latest record each agency holds for each
    person."""

    def __init__(
        self,
        config: SimulationConfig,
        population: Population,
        rng: np.random.Generator,
        pyrng: random.Random,
    ) -> None:
        self._noise = config.noise
        self._population = population
        self._rng = rng
        self._pyrng = pyrng
        self._buffer: Iterator[list[float]] = iter(())
        # The identifier draws: a stream spawned from the registers' one (spawning leaves the
        # parent's draws unchanged).
        self._id_rng = rng.spawn(1)[0]
        self._id_buffer: Iterator[list[float]] = iter(())
        self.rows: list[tuple[Cell, ...]] = []
        self.truth: list[tuple[Cell, ...]] = []
        self.latest: dict[tuple[int, int], int] = {}
        self.phones: dict[int, str] = {}
        self.aliases: dict[int, str] = {}
        self._landlines: dict[int, str] = {}
        # Python lists: indexing numpy arrays one element at a time is slow.
        self._address = population.address.tolist()
        self._household = population.household.tolist()
        self._dob = population.dob.tolist()

    def _draws(self) -> list[float]:
        draws = next(self._buffer, None)
        if draws is None:
            self._buffer = iter(self._rng.random((_CHUNK, N_DRAWS)).tolist())
            draws = next(self._buffer)
        return draws

    def _id_draws(self) -> list[float]:
        draws = next(self._id_buffer, None)
        if draws is None:
            self._id_buffer = iter(self._id_rng.random((_CHUNK, 3)).tolist())
            draws = next(self._id_buffer)
        return draws

    def _nhs_number(self, agency: Agency, person: int) -> tuple[str | None, list[str]]:
        """The NHS number ``agency``'s new record of ``person`` holds, and the noise applied."""
        held, slip, where = self._id_draws()
        if held >= self._noise.nhs_number_held.get(agency.sector, 0.0):
            return None, []
        number = nhs_number_of(person)
        if number is None:
            return None, []
        if slip < self._noise.nhs_number_typo_rate:
            return mistyped_nhs_number(number, where), ["nhs_number_typo"]
        return number, []

    def add(self, agency: Agency, person: int, day: int, contact: bool = False) -> int:
        """Create a new record of ``person`` at ``agency`` on ``day``; returns its index."""
        pop = self._population
        address_index = self._address[person]
        born = self._dob[person]
        phone = self.phones.get(person)
        if phone is None and contact:
            # Children's services keep a contact number for the household.
            household = self._household[person]
            phone = self._landlines.setdefault(household, drama_landline(len(self._landlines)))
        draws = self._draws()
        given, family, dob, address, postcode, phone, applied = noisy_identity(
            pop.given[person],
            pop.family[person],
            born,
            pop.address_text[address_index],
            pop.address_postcode[address_index],
            phone,
            draws,
            self._noise,
        )
        alias = self.aliases.get(person)
        ethnicity = pop.ethnicity[person]
        missing_rate = (
            self._noise.offender_ethnicity_missing_rate
            if alias is not None
            else self._noise.missing_field_rate
        )
        if draws[12] < missing_rate:
            ethnicity = "REFU" if draws[9] < 0.1 else "NOBT"
            applied.append("ethnicity_not_recorded")
        nhs_number, slips = self._nhs_number(agency, person)
        applied += slips
        index = len(self.rows)
        record = f"R{index + 1:08d}"
        self.rows.append(
            (
                record,
                agency.agency_id,
                given,
                family,
                alias,
                pop.sex[person],
                dob,
                address,
                postcode,
                phone,
                ethnicity,
                format_date(max(day, born)),
                nhs_number,
            )
        )
        self.truth.append((record, person_id(person), agency.agency_id, applied))
        self.latest[(agency.index, person)] = index
        return index

    def record_for(self, agency: Agency, person: int, day: int) -> int:
        """The record ``agency`` uses for ``person`` in a new concern: its existing one, or a
        new one (and now and then a duplicate, as busy front doors create)."""
        existing = self.latest.get((agency.index, person))
        if existing is None or self._pyrng.random() < self._noise.duplicate_record_rate:
            return self.add(agency, person, day, contact=agency.sector == "council")
        return existing

    def record_id(self, index: int) -> str:
        """The agency's identifier of record ``index``."""
        return str(self.rows[index][0])

    def written_name(self, index: int) -> str:
        """The person's name as that record writes it."""
        row = self.rows[index]
        return f"{row[2]} {row[3]}"

    def given_name(self, index: int) -> str:
        """The given name as that record writes it."""
        return str(self.rows[index][2])

    def tables(self) -> dict[str, Table]:
        """``records/persons`` and ``truth/record_identity``."""
        return {
            "records/persons": Table(
                PERSON_COLUMNS,
                self.rows,
                description="Every person record as each agency holds it, identifiers noisy.",
            ),
            "truth/record_identity": Table(
                ("record_id", "person_id", "agency_id", "noise"),
                self.truth,
                formats=("csv",),
                description="The true person behind every record and the noise it carries.",
            ),
        }


def register_residents(book: RecordBook, partnership: Partnership, population: Population) -> None:
    """The registers agencies hold before any concern: health (every resident), schools
    (their pupils) and children's services (children with a known vulnerability, and their
    parents)."""
    start = population.window_start
    trusts_by_council: dict[int, list[Agency]] = {}
    for agency in partnership.by_sector("health"):
        trusts_by_council.setdefault(agency.council, []).append(agency)
    councils = {agency.council: agency for agency in partnership.by_sector("council")}
    n = len(population)
    council_of = population.council.tolist()
    household_of = population.household.tolist()
    dob_of = population.dob.tolist()
    for person in range(n):
        trusts = trusts_by_council[council_of[person]]
        trust = trusts[household_of[person] % len(trusts)]
        book.add(trust, person, max(start, dob_of[person]))
    children = np.flatnonzero(population.is_child)
    end = population.window_end
    age_start = age_on(population, children, start)
    age_end = age_on(population, children, end)
    for child, first, last in zip(
        children.tolist(), age_start.tolist(), age_end.tolist(), strict=True
    ):
        dob = dob_of[child]
        if first <= 10 and last >= 8:
            school = partnership.schools[int(population.school_primary[child])]
            book.add(school, child, max(start, dob + int(8 * 365.25)))
        if last >= 11:
            school = partnership.schools[int(population.school_secondary[child])]
            book.add(school, child, max(start, dob + int(11 * 365.25)))
    known = children[population.vulnerable[children].any(axis=1)]
    parents_of: dict[int, list[int]] = {}
    adults = np.flatnonzero(population.dob <= start - int(18 * 365.25))
    for person in adults.tolist():
        parents_of.setdefault(household_of[person], []).append(person)
    for child in known.tolist():
        council = councils[council_of[child]]
        book.add(council, child, max(start, dob_of[child]), contact=True)
        for parent in parents_of.get(household_of[child], [])[:2]:
            if (council.index, parent) not in book.latest:
                book.add(council, parent, start, contact=True)

"""The safeguarding partnership: councils, a police force, health trusts, schools, youth
services and voluntary organisations; their teams; and their staff with roles and caseloads."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from tocsin.simulate._config import SimulationConfig
from tocsin.simulate._names import name_book, place_book
from tocsin.simulate._population import Population
from tocsin.simulate._world import Table

__all__ = ["Agency", "Partnership", "build_partnership"]

_VOLUNTARY_NAMES = (
    "Safe Harbour Young People's Project",
    "Open Door Children's Trust",
    "Lantern Outreach",
    "Northlight Family Support",
    "Steady Ground Youth Charity",
    "Bridgeway Advocacy for Young People",
    "Compass Rose Children's Charity",
    "Kindling Mentoring Project",
)

# Roles whose holders raise concerns; the others decide, review, analyse or administer.
_RAISING_ROLES = ("practitioner", "police_officer", "mash_officer")


@dataclass
class Agency:
    """One agency and the staff who act for it, by role."""

    index: int
    agency_id: str
    name: str
    sector: str
    council: int
    staff_by_role: dict[str, list[int]] = field(default_factory=dict)
    teams: list[int] = field(default_factory=list)

    def raisers(self) -> list[int]:
        """Staff who raise concerns for this agency."""
        for role in _RAISING_ROLES:
            if self.staff_by_role.get(role):
                return self.staff_by_role[role]
        return self.staff_by_role["team_manager"]


@dataclass
class Partnership:
    """All agencies, with look-ups by sector and by council."""

    agencies: list[Agency]
    staff_ids: list[str]
    staff_team: list[int]
    team_ids: list[str]
    schools: list[Agency]
    tables: dict[str, Table]

    def by_sector(self, sector: str, council: int | None = None) -> list[Agency]:
        """Agencies of ``sector`` (serving ``council``, for sectors organised by council)."""
        found = [a for a in self.agencies if a.sector == sector]
        if council is not None:
            local = [a for a in found if a.council == council]
            return local or found
        return found


def build_partnership(
    config: SimulationConfig, population: Population, rng: random.Random
) -> Partnership:
    """Generate the agencies, teams and staff for the population's towns and schools."""
    part = config.partnership
    places = place_book()
    book = name_book()
    agencies: list[Agency] = []
    agency_rows: list[tuple[str | int | None, ...]] = []
    team_rows: list[tuple[str | int | None, ...]] = []
    staff_rows: list[tuple[str | int | None, ...]] = []
    staff_ids: list[str] = []
    staff_team: list[int] = []
    team_ids: list[str] = []
    all_given = [n for c in book.cultures for n in book.female[c] + book.male[c]]
    all_family = [n for c in book.cultures for n in book.family[c]]
    area = config.population.postcode_area
    county = f"{places.towns[0]}shire"

    def add_agency(name: str, sector: str, council: int) -> Agency:
        agency = Agency(len(agencies), f"A{len(agencies) + 1:04d}", name, sector, council)
        agencies.append(agency)
        council_name = places.towns[council] if council >= 0 else ""
        agency_rows.append((agency.agency_id, name, sector, council_name))
        return agency

    def add_team(agency: Agency, name: str, roles: list[tuple[str, int]]) -> None:
        team_index = len(team_ids)
        team_id = f"T{team_index + 1:05d}"
        team_ids.append(team_id)
        agency.teams.append(team_index)
        team_rows.append((team_id, agency.agency_id, name))
        for role, count in roles:
            for _ in range(count):
                staff_index = len(staff_ids)
                staff_id = f"S{staff_index + 1:06d}"
                staff_ids.append(staff_id)
                staff_team.append(team_index)
                agency.staff_by_role.setdefault(role, []).append(staff_index)
                if role in ("practitioner", "police_officer"):
                    capacity = part.practitioner_caseload
                elif role in ("team_manager", "head_of_service"):
                    capacity = part.manager_caseload
                else:
                    capacity = 0
                staff_rows.append(
                    (
                        staff_id,
                        agency.agency_id,
                        team_id,
                        rng.choice(all_given),
                        rng.choice(all_family),
                        role,
                        capacity,
                        f"{staff_id.lower()}@{agency.agency_id.lower()}.{area.lower()}.invalid",
                    )
                )

    per_team = part.practitioners_per_team
    council_residents = [0] * part.councils
    for c in population.council.tolist():
        council_residents[c] += 1
    for council in range(part.councils):
        town = places.towns[council]
        agency = add_agency(f"{town} Council Children's Services", "council", council)
        add_team(
            agency,
            "Front Door (MASH)",
            [("mash_officer", max(2, per_team // 2)), ("team_manager", 1)],
        )
        teams = max(1, math.ceil(council_residents[council] / part.residents_per_children_team))
        for k in range(teams):
            add_team(
                agency,
                f"Children in Need Team {k + 1}",
                [("practitioner", per_team), ("team_manager", 1)],
            )
        add_team(
            agency, "Child Exploitation Team", [("practitioner", per_team), ("team_manager", 1)]
        )
        add_team(
            agency, "Children Looked After Team", [("practitioner", per_team), ("team_manager", 1)]
        )
        add_team(
            agency,
            "Service Leadership",
            [("head_of_service", 1), ("analyst", 1), ("administrator", 1)],
        )
    police = add_agency(f"{county} Police", "police", -1)
    add_team(
        police, "MASH Police Desk", [("mash_officer", max(2, per_team // 2)), ("team_manager", 1)]
    )
    add_team(police, "Child Exploitation Unit", [("police_officer", per_team), ("team_manager", 1)])
    for council in range(part.councils):
        add_team(
            police,
            f"Neighbourhood Policing, {places.towns[council]}",
            [("police_officer", per_team), ("team_manager", 1)],
        )
    add_team(police, "Intelligence Unit", [("analyst", 2), ("team_manager", 1)])
    add_team(police, "Public Protection Command", [("head_of_service", 1), ("administrator", 1)])
    for trust in range(part.health_trusts):
        town = places.towns[trust % part.councils]
        suffix = f" {trust // part.councils + 1}" if trust >= part.councils else ""
        agency = add_agency(f"{town}{suffix} Health Trust", "health", trust % part.councils)
        add_team(
            agency,
            "Safeguarding Children Team",
            [("practitioner", max(2, per_team // 2)), ("team_manager", 1)],
        )
        add_team(agency, "Sexual Health Service", [("practitioner", 2)])
        add_team(agency, "Emergency Department", [("practitioner", 2)])
        add_team(agency, "School Nursing", [("practitioner", 2), ("head_of_service", 1)])
    school_agency: list[Agency] = []
    for name, _phase, council in population.schools:
        agency = add_agency(name, "education", council)
        add_team(agency, "Safeguarding", [("practitioner", 1), ("team_manager", 1)])
        school_agency.append(agency)
    for council in range(part.councils):
        agency = add_agency(f"{places.towns[council]} Youth Service", "youth", council)
        add_team(agency, "Detached Youth Work", [("practitioner", per_team), ("team_manager", 1)])
    for k in range(part.voluntary_organisations):
        name = _VOLUNTARY_NAMES[k % len(_VOLUNTARY_NAMES)]
        if k >= len(_VOLUNTARY_NAMES):
            name = f"{name} ({places.towns[k % part.councils]})"
        agency = add_agency(name, "voluntary", k % part.councils)
        add_team(agency, "Outreach", [("practitioner", max(2, per_team // 2)), ("team_manager", 1)])
    scrutiny = add_agency(f"{county} Safeguarding Children Partnership", "partnership", -1)
    add_team(scrutiny, "Independent Scrutiny", [("partnership_scrutineer", 2), ("analyst", 1)])

    tables = {
        "records/agencies": Table(
            ("agency_id", "name", "sector", "council_area"),
            agency_rows,  # type: ignore[arg-type]
            description="The partnership's agencies.",
        ),
        "records/teams": Table(
            ("team_id", "agency_id", "name"),
            team_rows,  # type: ignore[arg-type]
            description="Teams within agencies.",
        ),
        "records/staff": Table(
            (
                "staff_id",
                "agency_id",
                "team_id",
                "given_name",
                "family_name",
                "role",
                "caseload_capacity",
                "email",
            ),
            staff_rows,  # type: ignore[arg-type]
            description="Staff with their roles and caseload capacities (invented people).",
        ),
    }
    return Partnership(agencies, staff_ids, staff_team, team_ids, school_agency, tables)

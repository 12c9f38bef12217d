"""The simulator's configuration: typed, validated, with one preset per scale.

Every parameter is declared once here with its default; ``docs/simulator.md`` explains each and
cites the source of its default. A configuration can be overridden from a mapping (for tests
that ask for specific rates) or from a TOML file whose tables mirror the dataclasses below.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

__all__ = [
    "SCALES",
    "SECTORS",
    "ExploitationConfig",
    "FailureConfig",
    "IdentificationConfig",
    "NoiseConfig",
    "PartnershipConfig",
    "PopulationConfig",
    "ReportingConfig",
    "SimulationConfig",
    "SimulationConfigError",
    "load_config",
    "preset",
]

#: The scales the CLI accepts, smallest first.
SCALES: tuple[str, ...] = ("small", "borough", "region")

#: The agency sectors that raise concerns and keep lists, in the order used everywhere
#: (column order of capture histories, CSV columns). Matches ``tocsin.domain.directory.SECTORS``.
SECTORS: tuple[str, ...] = ("council", "police", "health", "education", "youth", "voluntary")


class SimulationConfigError(ValueError):
    """A configuration value is missing, of the wrong type or out of range; the message names
    the parameter and what is allowed."""


@dataclasses.dataclass(frozen=True)
class PartnershipConfig:
    """Who is in the partnership and how it is staffed."""

    councils: int = 1
    health_trusts: int = 1
    voluntary_organisations: int = 2
    primary_pupils_per_school: int = 90
    secondary_pupils_per_school: int = 900
    residents_per_children_team: int = 40_000
    practitioners_per_team: int = 6
    practitioner_caseload: int = 18
    manager_caseload: int = 60

    def validate(self) -> None:
        _check_range("partnership.councils", self.councils, 1, 3)
        _check_range("partnership.health_trusts", self.health_trusts, 1, 10)
        _check_range("partnership.voluntary_organisations", self.voluntary_organisations, 1, 20)
        _check_range(
            "partnership.primary_pupils_per_school", self.primary_pupils_per_school, 10, 5000
        )
        _check_range(
            "partnership.secondary_pupils_per_school", self.secondary_pupils_per_school, 50, 5000
        )
        _check_range(
            "partnership.residents_per_children_team",
            self.residents_per_children_team,
            1000,
            10_000_000,
        )
        _check_range("partnership.practitioners_per_team", self.practitioners_per_team, 1, 50)
        _check_range("partnership.practitioner_caseload", self.practitioner_caseload, 1, 200)
        _check_range("partnership.manager_caseload", self.manager_caseload, 1, 1000)


@dataclasses.dataclass(frozen=True)
class PopulationConfig:
    """The invented town: its size, period, households and children's vulnerabilities."""

    residents: int = 260_000
    start_year: int = 2015
    years: int = 10
    postcode_area: str = "ZZ"
    child_share: float = 0.12
    looked_after_rate: float = 0.007
    residential_care_share: float = 0.16
    missing_rate: float = 0.04
    exclusion_rate: float = 0.03
    neglect_rate: float = 0.05
    domestic_abuse_rate: float = 0.08
    substance_misuse_rate: float = 0.06
    mixed_family_rate: float = 0.08
    culture_weights: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: {
            "british": 0.70,
            "south_asian": 0.12,
            "eastern_european": 0.06,
            "african": 0.05,
            "caribbean": 0.03,
            "other": 0.04,
        }
    )

    def validate(self) -> None:
        _check_range("population.residents", self.residents, 500, 20_000_000)
        _check_range("population.start_year", self.start_year, 1990, 2100)
        _check_range("population.years", self.years, 1, 30)
        if not (
            len(self.postcode_area) in (1, 2)
            and self.postcode_area.isascii()
            and self.postcode_area.isalpha()
            and self.postcode_area.isupper()
        ):
            raise SimulationConfigError(
                f"population.postcode_area must be one or two capital letters, "
                f"got {self.postcode_area!r}"
            )
        for name in (
            "child_share",
            "looked_after_rate",
            "residential_care_share",
            "missing_rate",
            "exclusion_rate",
            "neglect_rate",
            "domestic_abuse_rate",
            "substance_misuse_rate",
            "mixed_family_rate",
        ):
            _check_rate(f"population.{name}", getattr(self, name))
        if self.child_share <= 0:
            raise SimulationConfigError("population.child_share must be above 0")
        if (
            not self.culture_weights
            or any(
                not isinstance(v, int | float) or isinstance(v, bool) or v < 0 or math.isnan(v)
                for v in self.culture_weights.values()
            )
            or sum(self.culture_weights.values()) <= 0
        ):
            raise SimulationConfigError(
                "population.culture_weights must map culture names to non-negative weights "
                "with a positive sum"
            )


@dataclasses.dataclass(frozen=True)
class ExploitationConfig:
    """How many children are exploited, by whom, and for how long."""

    cse_victims_per_100k_per_year: float = 30.0
    cce_victims_per_100k_per_year: float = 35.0
    lone_offender_share: float = 0.3
    victims_per_group_mean: float = 6.0
    group_size_min: int = 2
    group_size_max: int = 15
    peer_recruitment_rate: float = 0.3
    victim_recruitment_rate: float = 0.2
    vulnerability_log_odds: float = 0.9
    mean_duration_months: float = 18.0
    cse_min_age: int = 11
    cce_min_age: int = 12

    def validate(self) -> None:
        _check_range(
            "exploitation.cse_victims_per_100k_per_year",
            self.cse_victims_per_100k_per_year,
            0.0,
            10_000.0,
        )
        _check_range(
            "exploitation.cce_victims_per_100k_per_year",
            self.cce_victims_per_100k_per_year,
            0.0,
            10_000.0,
        )
        _check_rate("exploitation.lone_offender_share", self.lone_offender_share)
        _check_range("exploitation.victims_per_group_mean", self.victims_per_group_mean, 1.0, 200.0)
        _check_range("exploitation.group_size_min", self.group_size_min, 2, 15)
        _check_range("exploitation.group_size_max", self.group_size_max, 2, 15)
        if self.group_size_min > self.group_size_max:
            raise SimulationConfigError(
                "exploitation.group_size_min must not exceed exploitation.group_size_max"
            )
        _check_rate("exploitation.peer_recruitment_rate", self.peer_recruitment_rate)
        _check_rate("exploitation.victim_recruitment_rate", self.victim_recruitment_rate)
        if self.peer_recruitment_rate + self.victim_recruitment_rate > 1:
            raise SimulationConfigError(
                "exploitation.peer_recruitment_rate + victim_recruitment_rate must be at most 1"
            )
        _check_range("exploitation.vulnerability_log_odds", self.vulnerability_log_odds, 0.0, 5.0)
        _check_range("exploitation.mean_duration_months", self.mean_duration_months, 1.0, 120.0)
        _check_range("exploitation.cse_min_age", self.cse_min_age, 8, 17)
        _check_range("exploitation.cce_min_age", self.cce_min_age, 8, 17)


@dataclasses.dataclass(frozen=True)
class IdentificationConfig:
    """Which agencies identify each exploited child: the lists for multiple systems estimation.

    A Gaussian copula: each exploited child has a latent normal score per sector; a sector
    identifies the child when the score falls below the quantile of its rate, so each sector's
    marginal rate is exactly ``rates[sector]``. The scores share a common factor (heterogeneity:
    some children are more visible to every agency) and chosen pairs share more (dependence:
    one agency refers to another)."""

    rates: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: {
            "council": 0.45,
            "police": 0.40,
            "health": 0.20,
            "education": 0.30,
            "youth": 0.15,
            "voluntary": 0.12,
        }
    )
    heterogeneity: float = 0.25
    dependence: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: {"council+police": 0.25, "youth+voluntary": 0.20}
    )

    def validate(self) -> None:
        if set(self.rates) != set(SECTORS):
            raise SimulationConfigError(
                f"identification.rates must give a rate for each of {', '.join(SECTORS)}"
            )
        for sector, rate in self.rates.items():
            _check_range(f"identification.rates.{sector}", rate, 0.0, 1.0)
        _check_range("identification.heterogeneity", self.heterogeneity, 0.0, 0.95)
        for pair, extra in self.dependence.items():
            parts = pair.split("+")
            if len(parts) != 2 or parts[0] == parts[1] or not set(parts) <= set(SECTORS):
                raise SimulationConfigError(
                    f"identification.dependence key {pair!r} must be two different sectors "
                    f"joined by '+', from {', '.join(SECTORS)}"
                )
            _check_range(f"identification.dependence.{pair}", extra, -0.95, 0.95)

    def correlation(self) -> list[list[float]]:
        """The latent correlation matrix between sectors, in :data:`SECTORS` order."""
        n = len(SECTORS)
        matrix = [[1.0 if i == j else self.heterogeneity for j in range(n)] for i in range(n)]
        for pair, extra in sorted(self.dependence.items()):
            a, b = (SECTORS.index(s) for s in pair.split("+"))
            matrix[a][b] = matrix[b][a] = self.heterogeneity + extra
        return matrix


@dataclasses.dataclass(frozen=True)
class ReportingConfig:
    """How often agencies raise concerns, and how they write them."""

    referrals_per_1000_per_year: float = 11.0
    agency_shares: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: {
            "police": 0.28,
            "education": 0.21,
            "health": 0.15,
            "council": 0.12,
            "youth": 0.08,
            "voluntary": 0.16,
        }
    )
    re_referral_rate: float = 0.226
    further_concerns_per_identified_child: float = 2.0
    victim_blaming_rate: float = 0.05

    def validate(self) -> None:
        _check_range(
            "reporting.referrals_per_1000_per_year", self.referrals_per_1000_per_year, 0.0, 1000.0
        )
        if set(self.agency_shares) != set(SECTORS):
            raise SimulationConfigError(
                f"reporting.agency_shares must give a share for each of {', '.join(SECTORS)}"
            )
        for sector, share in self.agency_shares.items():
            _check_range(f"reporting.agency_shares.{sector}", share, 0.0, 1.0)
        if abs(sum(self.agency_shares.values()) - 1.0) > 1e-6:
            raise SimulationConfigError("reporting.agency_shares must add up to 1")
        _check_rate("reporting.re_referral_rate", self.re_referral_rate)
        _check_range(
            "reporting.further_concerns_per_identified_child",
            self.further_concerns_per_identified_child,
            0.0,
            50.0,
        )
        _check_rate("reporting.victim_blaming_rate", self.victim_blaming_rate)


@dataclasses.dataclass(frozen=True)
class NoiseConfig:
    """How identifiers differ between records of one person (rates per person record)."""

    spelling_variant_rate: float = 0.10
    nickname_rate: float = 0.05
    typo_rate: float = 0.03
    dob_swapped_rate: float = 0.02
    dob_wrong_rate: float = 0.02
    dob_missing_rate: float = 0.04
    missing_field_rate: float = 0.08
    duplicate_record_rate: float = 0.02
    partial_registration_rate: float = 0.3
    alias_only_rate: float = 0.5
    offender_ethnicity_missing_rate: float = 0.66
    #: The chance that an agency's record of a person holds the person's NHS number, by the
    #: agency's sector: health always, children's services often, the others rarely.
    nhs_number_held: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: {
            "health": 1.0,
            "council": 0.7,
            "education": 0.1,
            "police": 0.1,
            "youth": 0.05,
            "voluntary": 0.05,
        }
    )
    #: The chance that a record holding an NHS number holds it with one digit typed wrong.
    nhs_number_typo_rate: float = 0.01

    def validate(self) -> None:
        for field in dataclasses.fields(self):
            if field.name == "nhs_number_held":
                continue
            _check_rate(f"noise.{field.name}", getattr(self, field.name))
        if set(self.nhs_number_held) != set(SECTORS):
            raise SimulationConfigError(
                f"noise.nhs_number_held must give a rate for each of {', '.join(SECTORS)}"
            )
        for sector, rate in self.nhs_number_held.items():
            _check_rate(f"noise.nhs_number_held.{sector}", rate)


@dataclasses.dataclass(frozen=True)
class FailureConfig:
    """Behaviour that goes wrong, injected so the clocks have something to catch."""

    downgrade_rate: float = 0.05
    no_decision_rate: float = 0.03
    not_acted_on_rate: float = 0.04
    crime_not_recorded_rate: float = 0.10

    def validate(self) -> None:
        for field in dataclasses.fields(self):
            _check_rate(f"failures.{field.name}", getattr(self, field.name))


_SECTIONS: dict[str, type[Any]] = {
    "partnership": PartnershipConfig,
    "population": PopulationConfig,
    "exploitation": ExploitationConfig,
    "identification": IdentificationConfig,
    "reporting": ReportingConfig,
    "noise": NoiseConfig,
    "failures": FailureConfig,
}


@dataclasses.dataclass(frozen=True)
class SimulationConfig:
    """Every parameter of a simulation, grouped by part of the generative model."""

    partnership: PartnershipConfig = dataclasses.field(default_factory=PartnershipConfig)
    population: PopulationConfig = dataclasses.field(default_factory=PopulationConfig)
    exploitation: ExploitationConfig = dataclasses.field(default_factory=ExploitationConfig)
    identification: IdentificationConfig = dataclasses.field(default_factory=IdentificationConfig)
    reporting: ReportingConfig = dataclasses.field(default_factory=ReportingConfig)
    noise: NoiseConfig = dataclasses.field(default_factory=NoiseConfig)
    failures: FailureConfig = dataclasses.field(default_factory=FailureConfig)

    def validate(self) -> Self:
        """Check every parameter; raise :class:`SimulationConfigError` naming the first bad one."""
        for name in _SECTIONS:
            getattr(self, name).validate()
        _check_positive_definite(self.identification.correlation())
        return self

    def with_overrides(self, overrides: Mapping[str, Any]) -> SimulationConfig:
        """A copy with ``{"section": {"parameter": value}}`` applied, validated."""
        sections: dict[str, Any] = {}
        for section, values in overrides.items():
            if section not in _SECTIONS:
                raise SimulationConfigError(
                    f"unknown configuration section {section!r}; expected one of "
                    f"{', '.join(_SECTIONS)}"
                )
            if not isinstance(values, Mapping):
                raise SimulationConfigError(f"configuration section {section!r} must be a table")
            sections[section] = _override_section(section, getattr(self, section), values)
        return dataclasses.replace(self, **sections).validate()

    def as_dict(self) -> dict[str, Any]:
        """Plain nested dictionaries (for the manifest), keys in declaration order."""
        return {
            name: {
                field.name: _plain(getattr(getattr(self, name), field.name))
                for field in dataclasses.fields(getattr(self, name))
            }
            for name in _SECTIONS
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): value[k] for k in sorted(value)}
    return value


def _override_section(section: str, current: Any, values: Mapping[str, Any]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(current)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise SimulationConfigError(
                f"unknown parameter {section}.{key}; expected one of {', '.join(fields)}"
            )
        default = getattr(current, key)
        changes[key] = _coerce(f"{section}.{key}", default, value)
    return dataclasses.replace(current, **changes)


def _coerce(name: str, default: Any, value: Any) -> Any:
    """Accept ``value`` only if it has the parameter's type (ints may stand for floats)."""
    if isinstance(default, bool) or isinstance(value, bool):
        raise SimulationConfigError(f"{name} must not be true/false")
    if isinstance(default, int):
        if not isinstance(value, int):
            raise SimulationConfigError(f"{name} must be a whole number, got {value!r}")
        return value
    if isinstance(default, float):
        if not isinstance(value, int | float):
            raise SimulationConfigError(f"{name} must be a number, got {value!r}")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise SimulationConfigError(f"{name} must be text, got {value!r}")
        return value
    if isinstance(default, Mapping):
        if not isinstance(value, Mapping):
            raise SimulationConfigError(f"{name} must be a table of name = number")
        out: dict[str, float] = {}
        for key, item in value.items():
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise SimulationConfigError(f"{name}.{key} must be a number, got {item!r}")
            out[str(key)] = float(item)
        return out
    raise SimulationConfigError(f"{name} cannot be overridden")  # pragma: no cover


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if isinstance(value, float) and math.isnan(value):
        raise SimulationConfigError(f"{name} must be a number, got NaN")
    if not low <= value <= high:
        raise SimulationConfigError(f"{name} must be between {low} and {high}, got {value}")


def _check_rate(name: str, value: float) -> None:
    _check_range(name, value, 0.0, 1.0)


def _check_positive_definite(matrix: list[list[float]]) -> None:
    # A plain Cholesky so the check needs no numpy and names the problem in words.
    n = len(matrix)
    lower = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            total = matrix[i][j] - sum(lower[i][k] * lower[j][k] for k in range(j))
            if i == j:
                if total <= 1e-9:
                    raise SimulationConfigError(
                        "identification.heterogeneity and identification.dependence together "
                        "give an impossible correlation between agencies; lower them"
                    )
                lower[i][i] = math.sqrt(total)
            else:
                lower[i][j] = total / lower[j][j]


_PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    # About a second: one council, a town of 8,000 residents over three years. Tests raise the
    # exploitation rates through overrides when they need more victims.
    "small": {
        "partnership": {
            "councils": 1,
            "health_trusts": 1,
            "voluntary_organisations": 1,
            "residents_per_children_team": 4000,
        },
        "population": {"residents": 8000, "years": 3, "start_year": 2022},
    },
    # Rotherham's size (about 260,000 residents, DOMAIN.md section 1) over ten years.
    "borough": {
        "partnership": {"councils": 1, "health_trusts": 2, "voluntary_organisations": 3},
        "population": {"residents": 260_000, "years": 10, "start_year": 2015},
    },
    # Three councils sharing a police force: over a million residents, so over a million
    # person records (every resident is registered with a health trust).
    "region": {
        "partnership": {"councils": 3, "health_trusts": 3, "voluntary_organisations": 6},
        "population": {"residents": 1_050_000, "years": 10, "start_year": 2015},
    },
}


def preset(scale: str) -> SimulationConfig:
    """The default configuration for ``scale`` (one of :data:`SCALES`)."""
    if scale not in _PRESETS:
        raise SimulationConfigError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    return SimulationConfig().with_overrides(_PRESETS[scale])


def load_config(path: str | Path, scale: str) -> SimulationConfig:
    """The preset for ``scale`` overridden by the TOML file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SimulationConfigError(
            f"cannot read configuration file {str(path)!r}: {exc.strerror}"
        ) from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SimulationConfigError(
            f"configuration file {str(path)!r} is not TOML: {exc}"
        ) from None
    return preset(scale).with_overrides(values)

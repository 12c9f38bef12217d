"""A synthetic safeguarding partnership with ground truth: agencies and staff, an invented town,
organised exploitation, the records agencies hold (noisy, as real records are) and the truth
behind them. Plain Python and numpy; imports nothing from Django.

    world = simulate(seed=7, scale="small")
    world["records/concerns"]            # what agencies recorded
    world["truth/capture_histories"]     # who really was exploited, and which lists knew
    write_world(world, "out/")           # JSON Lines, CSV, truth/ and manifest.json

The generative model, every parameter and the source of its default are described in
``docs/simulator.md``.

Errors raised here::

    ValueError
    └── SimulationConfigError   a bad seed, scale or configuration value
    OSError
    └── SimulationOutputError   the output folder cannot be written (nothing is left behind)
"""

from tocsin.simulate._config import (
    SCALES,
    SECTORS,
    ExploitationConfig,
    FailureConfig,
    IdentificationConfig,
    NoiseConfig,
    PartnershipConfig,
    PopulationConfig,
    ReportingConfig,
    SimulationConfig,
    SimulationConfigError,
    load_config,
    preset,
)
from tocsin.simulate._decisions import FAILURE_KINDS
from tocsin.simulate._identifiers import (
    PERSON_NUMBERS,
    SPARE_NUMBERS,
    nhs_number_of,
    valid_numbers,
)
from tocsin.simulate._names import (
    DRAMA_LANDLINE_PREFIXES,
    DRAMA_MOBILE_PREFIX,
    VictimBlamingPhrase,
    victim_blaming_phrases,
)
from tocsin.simulate._noise import NOISE_KINDS
from tocsin.simulate._output import (
    MANIFEST_FORMAT,
    SimulationOutputError,
    check_output_folder,
    write_world,
)
from tocsin.simulate._simulate import STAGES, Progress, simulate
from tocsin.simulate._world import Table, World

__all__ = [
    "DRAMA_LANDLINE_PREFIXES",
    "DRAMA_MOBILE_PREFIX",
    "FAILURE_KINDS",
    "MANIFEST_FORMAT",
    "NOISE_KINDS",
    "PERSON_NUMBERS",
    "SCALES",
    "SECTORS",
    "SPARE_NUMBERS",
    "STAGES",
    "ExploitationConfig",
    "FailureConfig",
    "IdentificationConfig",
    "NoiseConfig",
    "PartnershipConfig",
    "PopulationConfig",
    "Progress",
    "ReportingConfig",
    "SimulationConfig",
    "SimulationConfigError",
    "SimulationOutputError",
    "Table",
    "VictimBlamingPhrase",
    "World",
    "check_output_folder",
    "load_config",
    "nhs_number_of",
    "preset",
    "simulate",
    "valid_numbers",
    "victim_blaming_phrases",
    "write_world",
]

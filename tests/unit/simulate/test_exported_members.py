"""The public surface of tocsin.simulate is pinned: adding or removing a name is a decision."""

from __future__ import annotations

import inspect
import subprocess
import sys

import tocsin.simulate


def test_public_names_are_pinned() -> None:
    assert sorted(tocsin.simulate.__all__) == [
        "DRAMA_LANDLINE_PREFIXES",
        "DRAMA_MOBILE_PREFIX",
        "ExploitationConfig",
        "FAILURE_KINDS",
        "FailureConfig",
        "IdentificationConfig",
        "MANIFEST_FORMAT",
        "NOISE_KINDS",
        "NoiseConfig",
        "PERSON_NUMBERS",
        "PartnershipConfig",
        "PopulationConfig",
        "Progress",
        "ReportingConfig",
        "SCALES",
        "SECTORS",
        "SPARE_NUMBERS",
        "STAGES",
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
    for name in tocsin.simulate.__all__:
        assert getattr(tocsin.simulate, name) is not None


def test_public_functions_have_docstrings() -> None:
    for name in tocsin.simulate.__all__:
        value = getattr(tocsin.simulate, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert (value.__doc__ or "").strip(), name


def test_the_simulator_imports_no_django() -> None:
    code = (
        "import sys, tocsin.simulate as s; s.simulate(1, 'small', s.preset('small')"
        ".with_overrides({'population': {'residents': 1000}})); "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_sectors_match_the_domain_vocabulary() -> None:
    from tocsin.domain.directory import SECTORS

    assert set(tocsin.simulate.SECTORS) <= set(SECTORS)

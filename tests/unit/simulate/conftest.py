"""Worlds shared by the simulator's tests: built once per session, since each takes a second or
two. ``dense_world`` raises the exploitation rates so that statistical tests have power."""

from __future__ import annotations

import pytest

from tocsin.simulate import SimulationConfig, World, preset, simulate

DENSE_OVERRIDES = {
    "population": {"residents": 30_000},
    "exploitation": {
        "cse_victims_per_100k_per_year": 1000.0,
        "cce_victims_per_100k_per_year": 1000.0,
    },
    "reporting": {"victim_blaming_rate": 0.2, "referrals_per_1000_per_year": 130.0},
}


@pytest.fixture(scope="session")
def small_world() -> World:
    return simulate(7, "small")


@pytest.fixture(scope="session")
def dense_config() -> SimulationConfig:
    return preset("small").with_overrides(DENSE_OVERRIDES)


@pytest.fixture(scope="session")
def dense_world(dense_config: SimulationConfig) -> World:
    return simulate(11, "small", dense_config)

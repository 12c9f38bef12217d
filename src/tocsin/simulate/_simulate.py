"""The simulation, stage by stage: partnership, population, exploitation, registers,
identification, concerns, decisions, truth."""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from tocsin.simulate._concerns import identify, raise_concerns
from tocsin.simulate._config import SCALES, SimulationConfig, SimulationConfigError, preset
from tocsin.simulate._decisions import make_decisions
from tocsin.simulate._exploitation import build_exploitation
from tocsin.simulate._partnership import build_partnership
from tocsin.simulate._population import build_population
from tocsin.simulate._records import RecordBook, register_residents
from tocsin.simulate._truth import truth_tables
from tocsin.simulate._world import World

__all__ = ["STAGES", "Progress", "simulate"]

#: A progress callback: (stage description, stages done, stages in all).
Progress = Callable[[str, int, int], None]

#: The stages, in order, as reported to a progress callback.
STAGES: tuple[str, ...] = (
    "population",
    "partnership",
    "exploitation",
    "registers",
    "identification",
    "concerns",
    "decisions",
    "truth",
)

_MAX_SEED = 2**63 - 1


def _streams(seed: int) -> dict[str, tuple[np.random.Generator, random.Random]]:
    # One independent stream per stage, so changing one stage's draws leaves the others' alone.
    children = np.random.SeedSequence(seed).spawn(len(STAGES))
    streams = {}
    for stage, child in zip(STAGES, children, strict=True):
        state = child.generate_state(2, dtype=np.uint64)
        streams[stage] = (
            np.random.Generator(np.random.PCG64(child)),
            random.Random(int(state[0]) << 64 | int(state[1])),  # synthetic data, seeded  # nosec B311
        )
    return streams


def simulate(
    seed: int,
    scale: str = "small",
    config: SimulationConfig | None = None,
    progress: Progress | None = None,
) -> World:
    """Simulate a partnership from ``seed`` at ``scale`` (one of :data:`SCALES`).

    ``config`` defaults to the scale's preset. The same seed, scale and configuration always
    give the same world. Raises :class:`SimulationConfigError` for a bad seed, scale or
    configuration.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= _MAX_SEED:
        raise SimulationConfigError(f"the seed must be a whole number from 0 to {_MAX_SEED}")
    if scale not in SCALES:
        raise SimulationConfigError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    config = (config or preset(scale)).validate()
    streams = _streams(seed)

    def step(stage: str) -> tuple[np.random.Generator, random.Random]:
        if progress is not None:
            progress(stage, STAGES.index(stage), len(STAGES))
        return streams[stage]

    rng, pyrng = step("population")
    population = build_population(config, rng)
    _, pyrng = step("partnership")
    partnership = build_partnership(config, population, pyrng)
    rng, pyrng = step("exploitation")
    exploitation = build_exploitation(config, population, rng, pyrng)
    rng, pyrng = step("registers")
    book = RecordBook(config, population, rng, pyrng)
    for group in exploitation.groups:
        book.phones.update(group.member_phones)
    register_residents(book, partnership, population)
    rng, _ = step("identification")
    identification = identify(config, exploitation, rng)
    rng, pyrng = step("concerns")
    concerns, concern_tables = raise_concerns(
        config, population, partnership, exploitation, identification, book, rng, pyrng
    )
    _, pyrng = step("decisions")
    decision_tables = make_decisions(config, population, partnership, concerns, pyrng)
    step("truth")
    truth = truth_tables(population, partnership, exploitation, identification)
    records = book.tables()
    tables = {
        **partnership.tables,
        "records/persons": records["records/persons"],
        "records/concerns": concern_tables["records/concerns"],
        "records/decisions": decision_tables["records/decisions"],
        "records/agency_lists": concern_tables["records/agency_lists"],
        "truth/people": truth["truth/people"],
        "truth/record_identity": records["truth/record_identity"],
        "truth/groups": truth["truth/groups"],
        "truth/places": truth["truth/places"],
        "truth/victimisations": truth["truth/victimisations"],
        "truth/capture_histories": truth["truth/capture_histories"],
        "truth/hidden_population": truth["truth/hidden_population"],
        "truth/concerns": concern_tables["truth/concerns"],
        "truth/failures": decision_tables["truth/failures"],
    }
    if progress is not None:
        progress("done", len(STAGES), len(STAGES))
    return World(seed=seed, scale=scale, config=config, tables=tables)

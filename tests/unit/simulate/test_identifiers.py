"""NHS numbers in the simulator's person records: held by sector at the configured rates,
valid and from the never-issued range, now and then mistyped, and the same for the same seed."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from tocsin.domain.concerns import valid_nhs_number
from tocsin.simulate import (
    PERSON_NUMBERS,
    SPARE_NUMBERS,
    SimulationConfigError,
    World,
    nhs_number_of,
    preset,
    simulate,
    valid_numbers,
)
from tocsin.simulate._identifiers import mistyped_nhs_number


def _by_record(world: World) -> tuple[dict[str, str], dict[str, str]]:
    sector = {a["agency_id"]: a["sector"] for a in world["records/agencies"].dicts()}
    person = {r["record_id"]: r["person_id"] for r in world["truth/record_identity"].dicts()}
    return sector, person


def test_records_hold_numbers_at_each_sectors_rate(small_world: World) -> None:
    sector_of, _ = _by_record(small_world)
    held: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in small_world["records/persons"].dicts():
        sector = sector_of[row["agency_id"]]
        total[sector] += 1
        held[sector] += bool(row["nhs_number"])
    rates = small_world.config.noise.nhs_number_held
    assert held["health"] == total["health"] > 1000  # health always
    for sector, n in total.items():
        if n < 30:
            continue
        expected = rates[sector]
        spread = 4 * math.sqrt(expected * (1 - expected) / n) + 1e-9
        assert abs(held[sector] / n - expected) <= spread, (sector, held[sector], n)
    # Schools, police and charities rarely know the number; the council often does.
    assert held["council"] / total["council"] > 0.5
    assert held["education"] / total["education"] < 0.2


def test_numbers_are_the_persons_own_valid_synthetic_number_or_a_typed_slip(
    small_world: World,
) -> None:
    _, person_of = _by_record(small_world)
    noise = {r["record_id"]: r["noise"] for r in small_world["truth/record_identity"].dicts()}
    slips = right = 0
    for row in small_world["records/persons"].dicts():
        number = row["nhs_number"]
        if not number:
            continue
        assert number.startswith("999") and len(number) == 10
        own = nhs_number_of(int(person_of[row["record_id"]][1:]) - 1)
        if "nhs_number_typo" in noise[row["record_id"]]:
            slips += 1
            assert number != own and not valid_nhs_number(number)
            assert sum(a != b for a, b in zip(number, own, strict=True)) == 1
        else:
            right += 1
            assert number == own and valid_nhs_number(number)
    rate = small_world.config.noise.nhs_number_typo_rate
    assert 0 < slips < 4 * rate * (slips + right)


def test_same_seed_same_numbers_and_other_fields_untouched() -> None:
    config = preset("small").with_overrides({"population": {"residents": 3000}})
    first = simulate(3, "small", config)["records/persons"]
    again = simulate(3, "small", config)["records/persons"]
    assert first.rows == again.rows
    # Nobody holds a number when no sector does, and every other field is as it was.
    none = config.with_overrides(
        {"noise": {"nhs_number_held": dict.fromkeys(config.noise.nhs_number_held, 0.0)}}
    )
    bare = simulate(3, "small", none)["records/persons"]
    number = first.columns.index("nhs_number")
    assert all(row[number] is None for row in bare.rows)
    assert [r[:number] for r in bare.rows] == [r[:number] for r in first.rows]


def test_number_ranges() -> None:
    residents = valid_numbers(*PERSON_NUMBERS)
    spare = valid_numbers(*SPARE_NUMBERS)
    assert 800_000 < len(residents) < 900_000
    assert residents[-1] < spare[0]
    assert all(valid_nhs_number(str(int(n))) for n in (*residents[:500], *spare[-500:]))
    assert nhs_number_of(len(residents)) is None and nhs_number_of(0) == str(int(residents[0]))


@pytest.mark.parametrize("draw", [0.0, 0.13, 0.5, 0.77, 0.999])
def test_a_mistyped_number_fails_the_check_and_stays_synthetic(draw: float) -> None:
    number = nhs_number_of(12345)
    assert number is not None
    slip = mistyped_nhs_number(number, draw)
    assert slip[:3] == "999" and slip != number and not valid_nhs_number(slip)


def test_the_rates_are_checked() -> None:
    with pytest.raises(SimulationConfigError, match=r"noise\.nhs_number_held"):
        preset("small").with_overrides({"noise": {"nhs_number_held": {"health": 1.0}}}).validate()
    rates = dict(preset("small").noise.nhs_number_held, police=1.5)
    with pytest.raises(SimulationConfigError, match=r"noise\.nhs_number_held\.police"):
        preset("small").with_overrides({"noise": {"nhs_number_held": rates}}).validate()

"""Agency lists for multiple systems estimation: each list's rate as configured, overlaps as the
copula implies (heterogeneity and dependence), the hidden number known exactly."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from statistics import NormalDist

import pytest
from scipy.stats import multivariate_normal

from tocsin.simulate import SECTORS, SimulationConfig, World, preset, simulate

from .conftest import DENSE_OVERRIDES
from .stats import assert_rate

INDEPENDENT = {
    **DENSE_OVERRIDES,
    "identification": {"heterogeneity": 0.0, "dependence": {}},
}


@pytest.fixture(scope="module")
def independent_world() -> World:
    return simulate(12, "small", preset("small").with_overrides(INDEPENDENT))


def _histories(world: World) -> list[dict[str, object]]:
    return list(world["truth/capture_histories"].dicts())


def _expected_joint(config: SimulationConfig, a: str, b: str) -> float:
    ident = config.identification
    rho = ident.correlation()[SECTORS.index(a)][SECTORS.index(b)]
    x, y = (NormalDist().inv_cdf(ident.rates[s]) for s in (a, b))
    return float(multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([x, y]))


@pytest.mark.parametrize("which", ["dense", "independent"])
def test_list_rates_and_overlaps_match_the_configuration(
    which: str, request: pytest.FixtureRequest
) -> None:
    world: World = request.getfixturevalue(f"{which}_world")
    config = world.config
    rows = _histories(world)
    n = len(rows)
    assert n > 1000
    for sector in SECTORS:
        on = sum(int(str(r[sector])) for r in rows)
        assert_rate(on, n, config.identification.rates[sector], f"{sector} list")
    for a, b in itertools.combinations(SECTORS, 2):
        both = sum(1 for r in rows if r[a] == 1 and r[b] == 1)
        assert_rate(both, n, _expected_joint(config, a, b), f"{a} and {b} lists")


def _log_odds_ratio(rows: list[dict[str, object]], a: str, b: str) -> float:
    cells = Counter((r[a], r[b]) for r in rows)
    n11, n10, n01, n00 = (
        cells[(1, 1)] + 0.5,
        cells[(1, 0)] + 0.5,
        cells[(0, 1)] + 0.5,
        cells[(0, 0)] + 0.5,
    )
    return math.log(n11 * n00 / (n10 * n01))


def test_dependence_and_heterogeneity_raise_overlaps(
    dense_world: World, independent_world: World
) -> None:
    dependent = _histories(dense_world)
    independent = _histories(independent_world)
    # The configured dependent pair overlaps far more than chance; with neither heterogeneity
    # nor dependence, no pair does.
    assert _log_odds_ratio(dependent, "council", "police") > 1.0
    assert _log_odds_ratio(dependent, "health", "education") > 0.3
    for a, b in itertools.combinations(SECTORS, 2):
        assert abs(_log_odds_ratio(independent, a, b)) < 0.5, (a, b)


def test_the_hidden_number_is_known(dense_world: World) -> None:
    rows = _histories(dense_world)
    hidden = sum(1 for r in rows if all(r[s] == 0 for s in SECTORS))
    assert hidden > 0
    periods = {str(p["period"]): p for p in dense_world["truth/hidden_population"].dicts()}
    overall = periods.pop("all")
    assert overall["exploited"] == len(rows)
    assert overall["hidden"] == hidden
    assert overall["identified"] == len(rows) - hidden
    assert len(periods) == dense_world.config.population.years
    for row in periods.values():
        assert row["hidden"] == int(str(row["exploited"])) - int(str(row["identified"]))
        assert int(str(row["hidden"])) >= 0


def test_agency_lists_name_the_childs_record_at_the_identifying_agency(
    dense_world: World,
) -> None:
    identity = {r["record_id"]: r for r in dense_world["truth/record_identity"].dicts()}
    histories = {r["person_id"]: r for r in _histories(dense_world)}
    sectors = {a["agency_id"]: a["sector"] for a in dense_world["records/agencies"].dicts()}
    counts: Counter[str] = Counter()
    for entry in dense_world["records/agency_lists"].dicts():
        truth = identity[entry["record_id"]]
        assert truth["agency_id"] == entry["agency_id"]
        assert sectors[str(entry["agency_id"])] == entry["sector"]
        assert histories[truth["person_id"]][str(entry["sector"])] == 1
        counts[str(entry["sector"])] += 1
    for sector in SECTORS:
        assert counts[sector] == sum(int(str(r[sector])) for r in histories.values())

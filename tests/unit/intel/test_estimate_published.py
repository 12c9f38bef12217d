"""Validation against published figures (tests/data/mse/PROVENANCE.md names the package, version
and paper behind each table and figure). Point estimates within 0.1%, interval limits within 5%,
as issue 6 requires. The count tables ship with the tests, so these run on every clone."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

import pytest

from tocsin.intel.estimate import ModelStatus, check_model, estimate, read_capture_csv

DATA = Path(__file__).resolve().parents[2] / "data" / "mse"
#: Where the project's copies came from: present on the maintainers' machines only.
SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "mse"
TABLES = sorted(path.name for path in DATA.glob("*.csv"))


def test_every_shipped_table_has_its_provenance() -> None:
    provenance = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    assert len(TABLES) == 7
    for name in TABLES:
        assert f"| `{name}` |" in provenance, name


@pytest.mark.parametrize("name", TABLES)
def test_the_shipped_tables_are_the_published_ones(name: str) -> None:
    shipped = (DATA / name).read_bytes()
    provenance = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    assert f"{hashlib.sha256(shipped).hexdigest()}  {name}" in provenance
    if (SHARED / name).is_file():  # the maintainers' copy, where there is one
        assert shipped == (SHARED / name).read_bytes()


def table(name: str):  # type: ignore[no-untyped-def]
    return read_capture_csv(DATA / f"{name}.csv")


def within(value: float, published: float, tolerance: float) -> bool:
    return abs(value - published) <= tolerance * published


@pytest.mark.parametrize(
    ("dataset", "method", "published", "terms"),
    [
        # Chan, Silverman & Vincent (2021) and Bales, Hesketh & Silverman (2015): 11,418.
        (
            "uk2013_6lists",
            "stepwise",
            11418,
            {"LA:NG", "LA:PF", "NG:GO", "NG:GP", "PF:GP", "GO:GP", "PF:NCA"},
        ),
        (
            "uk2013_6lists",
            "aic",
            11418,
            {"LA:NG", "LA:PF", "NG:GO", "NG:GP", "PF:GP", "GO:GP", "PF:NCA"},
        ),
        ("uk2013_6lists", "main", 12214, set()),
        # CSV21: stepwise adds D:E only, 1,184; main effects 997.
        ("neworleans_8lists_v2021", "stepwise", 1184, {"D:E"}),
        ("neworleans_8lists_v2021", "main", 997, set()),
        # Silverman, Chan & Vincent (2024): BIC over all hierarchical models, 157.
        ("korea_palembang_3lists", "bic", 157, {"b:c", "c:d"}),
    ],
)
def test_point_estimate_matches_published(
    dataset: str, method: str, published: int, terms: set[str]
) -> None:
    result = estimate(table(dataset), method=method)
    # Published figures are rounded to whole children, so allow that rounding on top of 0.1%.
    assert abs(result.estimate - published) <= 0.001 * published + 0.5
    assert set(result.model) == terms
    assert result.observed == {"uk": 2744, "ne": 185, "ko": 123}[dataset[:2]]


def test_uk_profile_interval_matches_home_office_method() -> None:
    # BHS (2015) via Rcapture's multinomial profile likelihood: 9,982 to 13,182.
    result = estimate(table("uk2013_6lists"), method="aic")
    assert result.ci_method == "profile"
    assert within(result.ci[0], 9982, 0.001)
    assert within(result.ci[1], 13182, 0.001)


@pytest.mark.parametrize(
    ("method", "published", "interval"),
    [
        # Silverman (2020), the authors' R code: stepwise p <= 0.02, 121,521.6.
        ("stepwise", 121521.6, None),
        # Rcapture's AIC stepwise: 146,032, profile interval 119,369 to 181,009.
        ("aic", 146032, (119369, 181009)),
    ],
)
def test_netherlands_estimate_and_profile_interval(
    method: str, published: float, interval: tuple[int, int] | None
) -> None:
    # The profile search fits the model with nobody unseen, a degenerate fit; it once ended in
    # "LinAlgError: Singular matrix" when the next fit started from it.
    result = estimate(table("netherlands_5lists"), method=method)
    assert result.observed == 8234
    assert abs(result.estimate - published) <= 0.001 * published + 0.5
    assert result.ci_method == "profile"
    assert result.observed < result.ci[0] < result.estimate < result.ci[1]
    if interval is not None:
        assert within(result.ci[0], interval[0], 0.001)
        assert within(result.ci[1], interval[1], 0.001)


@pytest.mark.slow
def test_netherlands_bca_bootstrap_runs_through() -> None:
    result = estimate(table("netherlands_5lists"), method="stepwise", bootstrap=100, seed=1234)
    assert result.ci_method == "bca"
    assert result.ci[0] < result.estimate < result.ci[1]


def test_artificial_identifiability_and_existence() -> None:
    # CSV21 Tables 2-3: [12,13,23] not identifiable; [12,3] no MLE; [13,23] fine.
    data = table("artificial_3lists")
    assert check_model(data, ["A:B", "A:C", "B:C"]) == ModelStatus.NOT_IDENTIFIABLE
    assert check_model(data, ["A:B"]) == ModelStatus.NO_MLE
    assert check_model(data, ["A:C", "B:C"]) == ModelStatus.OK
    # R writes the main effects it keeps: [12,3] is [12] with list 3's main effect.
    assert check_model(data, ["A:B", "C"]) == ModelStatus.NO_MLE
    assert check_model(data, ["A:C", "B:C", "A", "B"]) == ModelStatus.OK


# BCa limits, 1,000 resamples as published. Published figures: CSV21 for New Orleans (v2021) and
# the UK (SparseMSE 2.0.1 estimatepopulation); SCV24 Table 3 for Korea (ntop = all six models).
PUBLISHED_BCA = {
    ("neworleans_8lists_v2021", "main"): (644, 1618),
    ("neworleans_8lists_v2021", "stepwise"): (717, 1657),
    ("uk2013_6lists", "stepwise"): (9267, 14307),
    ("korea_palembang_3lists", "bic"): (128, 349),
}
SLOW = pytest.mark.slow  # a stepwise bootstrap of 1,000 on these data takes 5-10 s

# Limits our seed-1234 run does not bring within 5%. Each of these is an extreme quantile of the
# bootstrap distribution and moves by more than 5% from seed to seed; the published value lies
# inside the spread of our seeds (test below). Our engine matches a transliteration of the R
# code resample by resample; R's random numbers are not numpy's (docs/estimation.md, Validation).
MONTE_CARLO = {
    ("neworleans_8lists_v2021", "stepwise", 0): "our seed-1234 lower limit is 484 against the "
    "published 717 (-33%): with z0 about -1.1 the BCa lower limit is the smallest of the 1,000 "
    "resampled estimates, 452-766 over seeds 1-8",
    ("uk2013_6lists", "stepwise", 0): "our seed-1234 lower limit is 8,742 against the published "
    "9,267 (-5.7%); 8,262-9,492 over seeds 1-8",
    ("korea_palembang_3lists", "bic", 1): "our seed-1234 upper limit is 369 against the "
    "published 349 (+5.8%); 347-377 over seeds 1-8",
}


@functools.cache
def bca(dataset: str, method: str, seed: int) -> tuple[float, float]:
    """The BCa limits of one bootstrap of 1,000, run once per test session."""
    result = estimate(table(dataset), method=method, bootstrap=1000, seed=seed)
    assert result.ci_method == "bca"
    assert not any("bootstrap" in warning for warning in result.warnings)
    return result.ci


def _limit_cases() -> list[Any]:
    cases = []
    for (dataset, method), published in PUBLISHED_BCA.items():
        for side in (0, 1):
            marks: list[pytest.MarkDecorator] = [SLOW] if method == "stepwise" else []
            reason = MONTE_CARLO.get((dataset, method, side))
            if reason is not None:
                marks.append(pytest.mark.xfail(reason=reason, strict=True))
            case_id = f"{dataset}-{method}-{('lower', 'upper')[side]}"
            cases.append(
                pytest.param(dataset, method, side, published[side], marks=marks, id=case_id)
            )
    return cases


@pytest.mark.parametrize(("dataset", "method", "side", "published"), _limit_cases())
def test_bca_limit_within_five_percent_of_published(
    dataset: str, method: str, side: int, published: int
) -> None:
    assert within(bca(dataset, method, 1234)[side], published, 0.05)


@SLOW
@pytest.mark.parametrize(("dataset", "method"), list(PUBLISHED_BCA))
def test_published_bca_limits_lie_within_our_seed_spread(dataset: str, method: str) -> None:
    # Monte-Carlo error, not a difference of method: over seeds 1-4 our limits bracket the
    # published ones (allowing the 5%), including those the seed-1234 run misses.
    runs = [bca(dataset, method, seed) for seed in (1, 2, 3, 4)]
    for side, published in enumerate(PUBLISHED_BCA[dataset, method]):
        ours = [run[side] for run in runs]
        assert 0.95 * min(ours) <= published <= 1.05 * max(ours), (side, ours)


def test_the_bootstrap_gives_the_same_result_for_any_number_of_workers() -> None:
    data = table("neworleans_8lists_v2021")
    one = estimate(data, method="stepwise", bootstrap=60, seed=7, workers=1)
    two = estimate(data, method="stepwise", bootstrap=60, seed=7, workers=2)
    three = estimate(data, method="stepwise", bootstrap=60, seed=7, workers=3)
    assert one.as_json() == two.as_json() == three.as_json()
    assert one.ci_method == "bca"

"""The engine on synthetic tables with known answers, its public surface and its purity."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import tocsin.intel.estimate as mse
from tocsin.intel.estimate import (
    CaptureTable,
    ModelStatus,
    check_model,
    estimate,
    fit_model,
    hierarchical_models,
)


def expected_table(total: float, probabilities: list[float]) -> CaptureTable:
    """Exact expected counts (as whole numbers times 1) for independent lists: no noise, so
    the main-effects model must recover ``total`` exactly."""
    names = [chr(ord("A") + i) for i in range(len(probabilities))]
    histories, counts = [], []
    for history in itertools.product((0, 1), repeat=len(probabilities)):
        if not any(history):
            continue
        p = math.prod(q if h else 1 - q for h, q in zip(history, probabilities, strict=True))
        histories.append(history)
        counts.append(round(total * p))
    return CaptureTable.from_histories(names, histories, counts)


def test_public_surface_is_pinned() -> None:
    assert sorted(mse.__all__) == sorted(
        [
            "METHODS",
            "CaptureTable",
            "Estimate",
            "EstimationInputError",
            "Fit",
            "ModelStatus",
            "check_model",
            "default_settings",
            "estimate",
            "fit_model",
            "hierarchical_models",
            "read_capture_csv",
            "tidy_lists",
        ]
    )


def test_core_imports_no_django() -> None:
    code = (
        "import sys, tocsin.intel.estimate; "
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_main_effects_recovers_the_total_of_independent_lists() -> None:
    # 10,000 children, lists capturing 20%, 30% and 50% independently; expected counts are
    # whole numbers, so the fit is exact.
    table = expected_table(10_000, [0.2, 0.3, 0.5])
    result = estimate(table, method="main")
    assert result.estimate == pytest.approx(10_000, rel=1e-9)
    assert result.dark_figure == pytest.approx(2_800, rel=1e-9)
    assert result.ci[0] < 10_000 < result.ci[1]
    # No dependence in the data: stepwise and bic add nothing.
    assert estimate(table, method="stepwise").model == ()
    assert estimate(table, method="bic").model == ()


def test_non_overlapping_pair_is_fixed_at_minus_infinity() -> None:
    # Lists A and C share no child: a model with A:C drops every history containing both.
    table = CaptureTable.from_histories(
        ["A", "B", "C"],
        [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (0, 1, 1)],
        [40, 30, 20, 6, 5],
    )
    fitted = fit_model(table, ["A:C"])
    assert fitted is not None
    assert fitted.minus_infinity == (0b101,)
    # Cells {A,C} and {A,B,C} are fitted exactly zero, and the fit keeps the sufficient
    # statistics: the total and each list's size are matched exactly.
    assert fitted.fitted[0b101 - 1] == 0
    assert fitted.fitted[0b111 - 1] == 0
    cells = np.arange(1, 8)
    assert fitted.fitted.sum() == pytest.approx(101)
    for bit, size in [(1, 46), (2, 41), (4, 25)]:
        assert fitted.fitted[(cells & bit) > 0].sum() == pytest.approx(size)
    # The -inf term counts as a parameter in AIC and BIC (as in SparseMSE and SCV24).
    assert fitted.parameters == 5


def test_identifiability_and_existence_codes() -> None:
    table = CaptureTable.from_histories(
        ["A", "B", "C"], [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0)], [40, 30, 20, 6]
    )
    assert check_model(table, ["A:B", "A:C", "B:C"]) == ModelStatus.NOT_IDENTIFIABLE
    assert check_model(table, ["A:B"]) == ModelStatus.NO_MLE
    assert check_model(table, ["A:C", "B:C"]) == ModelStatus.OK
    assert fit_model(table, ["A:B"]) is None


@pytest.mark.parametrize(("lists", "maxorder", "count"), [(3, 2, 8), (4, 3, 113), (6, 2, 32768)])
def test_hierarchical_model_counts(lists: int, maxorder: int, count: int) -> None:
    models = hierarchical_models(lists, maxorder)
    assert len(models) == count
    assert len(set(models)) == count
    assert frozenset() in models


def test_dependence_is_found_by_stepwise_and_raises_the_estimate() -> None:
    # Positive dependence between A and B (children on A are three times as likely to be on
    # B) makes main effects underestimate; stepwise finds A:B and corrects it.
    total, pa, pb, pc = 20_000, 0.1, 0.05, 0.2
    names = ["A", "B", "C"]
    histories, counts = [], []
    for a, b, c in itertools.product((0, 1), repeat=3):
        if not (a or b or c):
            continue
        qb = min(3 * pb, 1) if a else (pb - pa * min(3 * pb, 1)) / (1 - pa)
        p = (pa if a else 1 - pa) * (qb if b else 1 - qb) * (pc if c else 1 - pc)
        histories.append((a, b, c))
        counts.append(round(total * p))
    table = CaptureTable.from_histories(names, histories, counts)
    main = estimate(table, method="main")
    stepwise = estimate(table, method="stepwise")
    assert stepwise.model == ("A:B",)
    assert main.estimate < 0.9 * total
    assert stepwise.estimate == pytest.approx(total, rel=0.002)


def test_stepwise_adds_a_term_only_below_the_threshold() -> None:
    # SparseMSE stepwisefit stops when the smallest p-value is at least the threshold
    # (`if (pvmin >= pthresh)`): a p-value exactly at the threshold is not added.
    table = CaptureTable.from_histories(
        ["A", "B", "C"],
        [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (1, 0, 1), (0, 1, 1)],
        [40, 35, 30, 16, 3, 2],
    )
    main = fit_model(table, [])
    assert main is not None
    cells = np.arange(1, 8)
    pvalues = {}
    for name, mask in [("A:B", 3), ("A:C", 5), ("B:C", 6)]:
        inside = (cells & mask) == mask
        observed = int(np.asarray(table.counts)[inside].sum())
        expected = float(main.fitted[inside].sum())
        pvalues[name] = min(
            float(stats.poisson.cdf(observed, expected)),
            float(stats.poisson.sf(observed - 1, expected)),
        )
    best = min(pvalues, key=lambda name: pvalues[name])
    assert best == "A:B" and 0 < pvalues[best] < 0.05
    at_threshold = estimate(table, method="stepwise", pthresh=pvalues[best])
    assert at_threshold.model == ()
    just_above = estimate(table, method="stepwise", pthresh=math.nextafter(pvalues[best], 1))
    assert "A:B" in just_above.model


def test_bootstrap_is_reproducible_and_brackets_the_estimate() -> None:
    table = expected_table(2_000, [0.3, 0.25, 0.2])
    first = estimate(table, method="stepwise", bootstrap=60, seed=7)
    second = estimate(table, method="stepwise", bootstrap=60, seed=7)
    other = estimate(table, method="stepwise", bootstrap=60, seed=8)
    assert first.ci == second.ci
    assert first.ci != other.ci
    assert first.ci_method == "bca"
    assert first.settings["bootstrap"] == 60
    assert first.settings["seed"] == 7
    assert first.ci[0] < first.estimate < first.ci[1]


def test_progress_reports_every_resample_and_deletion() -> None:
    table = expected_table(1_000, [0.3, 0.3, 0.3])
    calls: list[tuple[int, int]] = []
    estimate(table, method="main", bootstrap=20, seed=1, progress=lambda d, t: calls.append((d, t)))
    observed_histories = int(np.count_nonzero(table.counts))
    assert calls[-1] == (20 + observed_histories, 20 + observed_histories)


def test_json_shape_is_the_cli_contract() -> None:
    result = estimate(expected_table(1_000, [0.3, 0.3, 0.3]), method="aic")
    assert list(result.as_json()) == [
        "observed",
        "estimate",
        "dark_figure",
        "ci",
        "ci_level",
        "ci_method",
        "method",
        "settings",
        "model",
        "warnings",
    ]
    assert result.settings == {"pthresh": 0.05, "maxorder": 2, "lists": ["A", "B", "C"]}

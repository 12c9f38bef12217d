"""The fast paths of the estimator (issue 18) give the answers of the plain ones: batched fits
against one-table fits, the batched bootstrap against the per-resample one, and the existence
check's direct HiGHS programme against ``linprog`` on every shipped dataset and on random zero
patterns."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.intel.estimate import _intervals, _loglinear, estimate, read_capture_csv
from tocsin.intel.estimate._selection import (
    hierarchical_models,
    select_best_bic,
    select_best_bic_many,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "mse"
TABLES = sorted(path.stem for path in DATA.glob("*.csv"))
RELATIVE = 1e-9


def counts_of(name: str) -> tuple[int, np.ndarray]:
    table = read_capture_csv(DATA / f"{name}.csv")
    return table.lists, np.asarray(table.counts, dtype=np.int64)


def resamples(counts: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Bootstrap resamples as the estimator draws them, plus the data itself and the
    delete-one tables (zero cells appear in both, so the checks and designs vary)."""
    rng = np.random.default_rng(seed)
    drawn = rng.multinomial(int(counts.sum()), counts / counts.sum(), size=size)
    cells = np.flatnonzero(counts)
    deletions = np.repeat(counts[None, :], len(cells), axis=0)
    deletions[np.arange(len(cells)), cells] -= 1
    return np.vstack([counts[None, :], drawn, deletions])


def models_for(lists: int) -> list[frozenset[int]]:
    if lists > 5:  # six and eight lists: main effects, each pair alone, and all pairs
        pairs = [sum(1 << i for i in c) for c in itertools.combinations(range(lists), 2)]
        return [frozenset(), *(frozenset({p}) for p in pairs[:6]), frozenset(pairs)]
    every = hierarchical_models(lists, min(2, lists - 1))
    return every[:: max(1, len(every) // 12)]


@pytest.mark.parametrize("name", TABLES)
def test_batched_fits_equal_one_table_fits(name: str) -> None:
    lists, counts = counts_of(name)
    tables = resamples(counts, 30, seed=3)
    for model in models_for(lists):
        many = _loglinear.fit_many(lists, model, tables)
        for k, table in enumerate(tables):
            single = _loglinear.fit(lists, model, table)
            assert many.ok[k] == (single is not None), (model, k)
            if single is None:
                assert np.isnan(many.total[k]) and np.isnan(many.bic[k])
                continue
            assert many.total[k] == pytest.approx(single.total, rel=RELATIVE), (model, k)
            assert many.bic[k] == pytest.approx(single.bic, rel=RELATIVE, abs=1e-9), (model, k)


@pytest.mark.parametrize("name", ["korea_palembang_3lists", "kosovo_4lists", "westernus_5lists"])
def test_batched_bic_choice_equals_the_one_table_choice(name: str) -> None:
    lists, counts = counts_of(name)
    models = hierarchical_models(lists, min(2, lists - 1))[:40]
    tables = resamples(counts, 40, seed=5)
    batched = select_best_bic_many(lists, tables, models)
    for k, table in enumerate(tables):
        chosen = select_best_bic(lists, table, models)
        if chosen is None:
            assert np.isnan(batched[k])
        else:
            assert batched[k] == pytest.approx(chosen.total, rel=RELATIVE), k


def test_a_table_in_no_batch_gets_nan_and_the_first_passing_model_wins_ties() -> None:
    lists, counts = counts_of("korea_palembang_3lists")
    # Two copies of one model: equal BIC, so the choice must be the first (same total anyway),
    # and an all-zero-but-one table passes no model with interactions.
    lonely = np.zeros_like(counts)
    lonely[0] = 5
    models = [frozenset({0b011}), frozenset({0b011})]
    found = select_best_bic_many(lists, np.vstack([counts, lonely]), models)
    alone = _loglinear.fit(lists, models[0], counts)
    assert alone is not None
    assert found[0] == pytest.approx(alone.total, rel=1e-12)
    assert np.isnan(found[1])


@pytest.mark.parametrize(
    ("name", "method"),
    [("korea_palembang_3lists", "bic"), ("kosovo_4lists", "bic"), ("uk2013_6lists", "main")],
)
def test_the_batched_bootstrap_equals_the_per_resample_one(
    name: str, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = read_capture_csv(DATA / f"{name}.csv")
    batched = estimate(table, method=method, bootstrap=150, seed=11)
    calls: list[int] = []

    def per_resample(batch, tables, workers, progress):  # type: ignore[no-untyped-def]
        calls.append(len(tables))
        raise AssertionError("not reached")

    # Without the batch estimator, bca_bootstrap runs the one-table selector on each resample.
    original = _intervals.bca_bootstrap

    def without_batch(*args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["batch"] = None
        return original(*args, **kwargs)

    monkeypatch.setattr("tocsin.intel.estimate._estimate.bca_bootstrap", without_batch)
    monkeypatch.setattr(_intervals, "_estimate_batches", per_resample)
    one_by_one = estimate(table, method=method, bootstrap=150, seed=11)
    assert calls == []
    assert batched.estimate == one_by_one.estimate
    for ours, theirs in zip(batched.ci, one_by_one.ci, strict=True):
        assert ours == pytest.approx(theirs, rel=RELATIVE)


def test_the_batched_bootstrap_is_the_same_for_any_number_of_workers() -> None:
    table = read_capture_csv(DATA / "kosovo_4lists.csv")
    runs = [estimate(table, method="bic", bootstrap=300, seed=2, workers=w) for w in (1, 2, 3)]
    assert runs[0].as_json() == runs[1].as_json() == runs[2].as_json()
    assert runs[0].ci == runs[1].ci == runs[2].ci  # exactly, not only as rounded


def lp_cases(name: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every (design, zero pattern) of the dataset's models that needs the programme."""
    lists, counts = counts_of(name)
    positive = counts > 0
    nstar = positive.astype(np.int64) @ _loglinear.layout(lists)
    found = []
    for model in models_for(lists) if lists > 5 else hierarchical_models(lists, lists - 1):
        design = _loglinear._design(lists, model, nstar)
        if not positive[design.kept].all():
            found.append((design.matrix, positive[design.kept]))
    return found[:400]


@pytest.mark.parametrize("name", TABLES)
def test_the_direct_programme_equals_linprog_on_every_shipped_dataset(name: str) -> None:
    for matrix, positive in lp_cases(name):
        direct = _loglinear._smallest_cell(matrix, positive)
        reference = _loglinear._smallest_cell_linprog(matrix, positive)
        assert (direct is None) == (reference is None)
        if direct is not None and reference is not None:
            assert direct == pytest.approx(reference, abs=1e-9)
            assert (direct > _loglinear._LP_ZERO) == (reference > _loglinear._LP_ZERO)


def test_the_westernus_data_need_the_programme_and_it_refuses_some_models() -> None:
    cases = lp_cases("westernus_5lists")
    verdicts = {(_loglinear._smallest_cell(m, p) or 0.0) > _loglinear._LP_ZERO for m, p in cases}
    assert len(cases) > 50 and verdicts == {True, False}


@settings(max_examples=150, deadline=None)
@given(
    lists=st.integers(min_value=3, max_value=5),
    zeros=st.integers(min_value=0, max_value=2**31 - 1),
    model_index=st.integers(min_value=0, max_value=10_000),
)
def test_the_existence_check_equals_the_linprog_one_on_random_zero_patterns(
    lists: int, zeros: int, model_index: int
) -> None:
    cells = 2**lists - 1
    positive = np.array([not zeros >> i & 1 for i in range(cells)])
    models = hierarchical_models(lists, lists - 1)
    model = models[model_index % len(models)]
    nstar = positive.astype(np.int64) @ _loglinear.layout(lists)
    design = _loglinear._design(lists, model, nstar)
    kept = positive[design.kept]
    direct = _loglinear._smallest_cell(design.matrix, kept)
    reference = _loglinear._smallest_cell_linprog(design.matrix, kept)
    assert (direct is None) == (reference is None)
    if direct is not None and reference is not None:
        assert (direct > _loglinear._LP_ZERO) == (reference > _loglinear._LP_ZERO)
        assert direct == pytest.approx(reference, abs=1e-9)

"""Model choice: main effects only; the stepwise Poisson-tail rule of Chan, Silverman & Vincent
(2021); BIC over every hierarchical model up to a maximum order (Silverman, Chan & Vincent
2024); and AIC with a Wald p-value stop (Bales, Hesketh & Silverman 2015, the Home Office
method). Each returns a :class:`~._loglinear.Fit`, or ``None`` when not even the main-effects
model has a finite, identifiable estimate. Every candidate is checked before it is fitted."""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt
from scipy.special import pdtr, pdtrc

from ._loglinear import Fit, Model, ModelStatus, check, fit, fit_many, layout, order

__all__ = [
    "candidates",
    "hierarchical_models",
    "rank_by_bic",
    "select_aic",
    "select_best_bic",
    "select_best_bic_many",
    "select_main",
    "select_stepwise",
]

Counts = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Selector = Callable[[Counts], Fit | None]


def select_main(lists: int, counts: Counts) -> Fit | None:
    """Main effects only: the lists are taken to be independent."""
    return fit(lists, frozenset(), counts)


def candidates(lists: int, model: Model, maxorder: int) -> list[int]:
    """Terms that can be added keeping the model hierarchical: every term of one list fewer is
    already in it. Ordered by size, then by list position (pairs AB, AC, ..., BC, ...)."""
    present = set(model) | {1 << i for i in range(lists)}
    found = []
    for size in range(2, maxorder + 1):
        for combination in itertools.combinations(range(lists), size):
            term = sum(1 << i for i in combination)
            if term in present:
                continue
            if all(term & ~(1 << i) in present for i in combination):
                found.append(term)
    return found


def select_stepwise(lists: int, counts: Counts, *, pthresh: float, maxorder: int) -> Fit | None:
    """Forward stepwise selection by the Poisson tail probability of each candidate's overlap.

    Under the current model the number of children on all of a candidate's lists, N*, is Poisson
    with mean μ* (the fitted overlap). Its p-value is the smaller tail, min(P(X ≤ N*), P(X ≥ N*)).
    The candidate with the smallest p-value that passes the existence and identifiability
    checks is added while that p-value is below ``pthresh``; ties go to the first term.

    Follows SparseMSE 2.0.1 ``stepwisefit`` (R/routines.R) and MultipleSystemsEstimation
    ``.stepwise_estimate`` (R/stepwise-helper.R): both stop when the smallest p-value is at
    least the threshold (``if (pvmin >= pthresh)``), so a p-value equal to it is not added;
    and with ``pthresh`` 1 both take the model with every two-list term at once when it
    passes the checks, before falling back to the stepwise search.
    """
    current = fit(lists, frozenset(), counts)
    if current is None:
        return None
    if pthresh >= 1:
        pairs = frozenset(sum(1 << i for i in c) for c in itertools.combinations(range(lists), 2))
        if check(lists, pairs, counts) == ModelStatus.OK:
            everything = fit(lists, pairs, counts, checked=False)
            assert everything is not None
            return everything
    nstar = counts @ layout(lists)
    while True:
        terms = candidates(lists, current.model, maxorder)
        if not terms:
            return current
        expected = current.fitted @ layout(lists)[:, terms]
        observed = nstar[terms].astype(np.float64)
        lower = pdtr(observed, expected)
        upper = np.where(observed > 0, pdtrc(observed - 1, expected), 1.0)
        pvalues = np.minimum(lower, upper)
        chosen = None
        for index in np.argsort(pvalues, kind="stable"):
            # SparseMSE stepwisefit: `if (pvmin >= pthresh) return(zfit)`.
            if pvalues[index] >= pthresh:
                break
            model = current.model | {terms[index]}
            if check(lists, model, counts) == ModelStatus.OK:
                chosen = model
                break
        if chosen is None:
            return current
        refit = fit(lists, chosen, counts, checked=False)
        assert refit is not None
        current = refit


def select_aic(lists: int, counts: Counts, *, pthresh: float, maxorder: int) -> Fit | None:
    """Bales, Hesketh & Silverman (2015): from main effects, add the term that lowers AIC most;
    stop when no term lowers it or when the new term's Wald p-value exceeds ``pthresh``.

    A term fixed at -∞ has no finite Wald statistic; R's glm reports p ≈ 1 for the diverging
    coefficient it fits instead, so it stops the search here too.
    """
    current = fit(lists, frozenset(), counts)
    if current is None:
        return None
    while True:
        best: Fit | None = None
        added = 0
        for term in candidates(lists, current.model, maxorder):
            trial = fit(lists, current.model | {term}, counts)
            if trial is not None and (best is None or trial.aic < best.aic):
                best, added = trial, term
        if best is None or best.aic >= current.aic:
            return current
        if added in best.minus_infinity:
            return current
        z = best.coefficients[added] / best.standard_error(added)
        if math.erfc(abs(z) / math.sqrt(2)) > pthresh:
            return current
        current = best


def hierarchical_models(lists: int, maxorder: int) -> list[Model]:
    """Every hierarchical model with interactions of at most ``maxorder`` lists (main effects
    always included), from the main-effects model up."""
    return list(_hierarchical(lists, min(maxorder, lists - 1)))


@functools.lru_cache(maxsize=32)
def _hierarchical(lists: int, maxorder: int) -> tuple[Model, ...]:
    by_size: dict[int, list[int]] = {
        size: [sum(1 << i for i in c) for c in itertools.combinations(range(lists), size)]
        for size in range(2, maxorder + 1)
    }

    def extend(model: frozenset[int], size: int) -> Iterator[Model]:
        if size > maxorder:
            yield model
            return
        allowed = [
            term
            for term in by_size[size]
            if size == 2 or all(term & ~(1 << i) in model for i in range(lists) if term >> i & 1)
        ]
        for choice in range(2 ** len(allowed)):
            chosen = frozenset(t for k, t in enumerate(allowed) if choice >> k & 1)
            if not chosen:
                yield model
            else:
                yield from extend(model | chosen, size + 1)

    return tuple(extend(frozenset(), 2))


def rank_by_bic(lists: int, counts: Counts, models: list[Model]) -> list[Fit]:
    """Fit every model that passes the checks and order the fits by BIC (stable, so ties keep
    the enumeration order)."""
    fits = [f for f in (fit(lists, model, counts) for model in models) if f is not None]
    return sorted(fits, key=lambda f: f.bic)


def select_best_bic(lists: int, counts: Counts, models: list[Model]) -> Fit | None:
    """The model with the smallest BIC among ``models`` that pass the checks."""
    best: Fit | None = None
    for model in models:
        trial = fit(lists, model, counts)
        if trial is not None and (best is None or trial.bic < best.bic):
            best = trial
    return best


def select_best_bic_many(
    lists: int, tables: npt.NDArray[np.int64], models: list[Model]
) -> FloatArray:
    """The total of :func:`select_best_bic` for every row of ``tables`` (``nan`` where no
    model passes the checks), each model fitted to all the tables at once.

    The first model to pass on a table is taken, then any later one with a strictly smaller
    BIC, exactly as the one-table search takes them.
    """
    tables = np.asarray(tables, dtype=np.int64)
    found = np.zeros(len(tables), dtype=bool)
    best_bic = np.full(len(tables), np.nan)
    best_total = np.full(len(tables), np.nan)
    for model in models:
        fits = fit_many(lists, model, tables)
        better = fits.ok & (~found | (fits.bic < best_bic))
        best_bic[better] = fits.bic[better]
        best_total[better] = fits.total[better]
        found |= fits.ok
    return best_total


def model_order(model: Model) -> int:
    """The largest interaction in a model (1 for main effects only)."""
    return max((order(t) for t in model), default=1)

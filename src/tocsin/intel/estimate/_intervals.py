"""Intervals for the total: the profile likelihood given the chosen model (Rcapture's
multinomial profile), and the BCa bootstrap that re-runs the whole model choice on every
resample (Chan, Silverman & Vincent 2021, §3.3; DiCiccio & Efron 1996)."""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammaincinv, ndtr, ndtri

from ._loglinear import Fit, multinomial_profile

__all__ = ["BootstrapResult", "bca_bootstrap", "profile_interval"]

Counts = npt.NDArray[np.int64]
Estimator = Callable[[Counts], float]
#: An estimator of many tables at once (one value per row), giving what ``Estimator`` gives.
BatchEstimator = Callable[[Counts], npt.NDArray[np.float64]]
Progress = Callable[[int, int], None]

# Search for the upper profile limit up to this multiple of the estimate before giving up.
_UPPER_SEARCH = 1000.0


def profile_interval(
    lists: int, fitted: Fit, counts: Counts, level: float
) -> tuple[float, float, list[str]]:
    """The profile-likelihood interval for the total, conditional on ``fitted``'s model.

    The limits are where the multinomial profile log-likelihood falls χ²₁(level)/2 below its
    maximum. The lower limit is never below the number observed; an upper limit beyond any
    reasonable size is reported as infinity with a warning.
    """
    warnings: list[str] = []
    loglik = multinomial_profile(lists, fitted.model, counts)
    observed = fitted.observed
    estimate = fitted.total
    span = max(estimate - observed, 1.0)
    best = minimize_scalar(
        lambda total: -loglik(total),
        bounds=(observed, observed + 3 * span),
        method="bounded",
        options={"xatol": 1e-6 * estimate},
    )
    peak_total, peak = float(best.x), -float(best.fun)
    drop = float(2 * gammaincinv(0.5, level)) / 2  # chi2.ppf(level, 1), as SciPy computes it

    def excess(total: float) -> float:
        return loglik(total) - (peak - drop)

    if excess(observed) > 0:
        lower = float(observed)
        warnings.append("the lower profile limit reaches the number observed")
    else:
        lower = float(brentq(excess, observed, peak_total, xtol=1e-6 * estimate))
    upper_bracket = peak_total + span
    while excess(upper_bracket) > 0:
        upper_bracket = peak_total + 2 * (upper_bracket - peak_total)
        if upper_bracket > _UPPER_SEARCH * estimate:
            warnings.append(
                "the upper profile limit is unbounded: the data cannot rule out a very large "
                "number of children on no list"
            )
            return lower, math.inf, warnings
    upper = float(brentq(excess, peak_total, upper_bracket, xtol=1e-6 * estimate))
    return lower, upper, warnings


@dataclass(frozen=True)
class BootstrapResult:
    """A BCa bootstrap: the limits, the resampled estimates and the BCa constants."""

    lower: float
    upper: float
    replicates: npt.NDArray[np.float64]
    bias_correction: float
    acceleration: float
    failed: int
    warnings: tuple[str, ...]


def bca_bootstrap(
    estimator: Estimator,
    counts: Counts,
    estimate: float,
    *,
    resamples: int,
    seed: int,
    level: float,
    progress: Progress | None = None,
    workers: int = 1,
    batch: BatchEstimator | None = None,
) -> BootstrapResult:
    """BCa interval for ``estimator`` (which re-runs the model choice) from multinomial
    resamples of the children seen, with the acceleration from a delete-one-child jackknife.

    Follows SparseMSE ``estimatepopulation`` and ``bcaconfvalues`` (R/routines.R) and
    MultipleSystemsEstimation ``bootstrapcal``/``jackknifecal`` (R/bootstrap-calibration.R):
    multinomial resamples of every cell, z0 = qnorm(mean(bootreps < popest)), the
    count-weighted jackknife acceleration, ``quantile(type = 8)`` of the resampled totals.
    Resamples where no model can be fitted are left out and counted in ``failed`` (as
    MultipleSystemsEstimation's ``na.rm = TRUE``).

    Every resample is drawn here, from ``seed``, before any is estimated, and each estimate
    depends only on its own table; so ``workers`` processes give exactly the result one does.
    ``batch``, when given, estimates many tables at once (in chunks of a fixed size, the same
    whatever the number of workers) and is used instead of ``estimator``.
    """
    rng = np.random.default_rng(seed)
    observed = int(counts.sum())
    resampled = rng.multinomial(observed, counts / observed, size=resamples)
    cells = np.flatnonzero(counts)
    deletions = np.repeat(counts[None, :], len(cells), axis=0)
    deletions[np.arange(len(cells)), cells] -= 1
    tables = np.vstack([resampled, deletions])
    if batch is not None:
        values = _estimate_batches(batch, tables, workers, progress)
    else:
        values = _estimate_each(estimator, tables, workers, progress)
    replicates, jackknife = values[:resamples], values[resamples:]
    warnings: list[str] = []
    usable = replicates[np.isfinite(replicates)]
    failed = resamples - len(usable)
    if failed:
        warnings.append(
            f"{failed} of {resamples} bootstrap resamples had no model with a finite estimate "
            "and were left out"
        )
    weights = counts[cells].astype(np.float64)
    finite = np.isfinite(jackknife)
    if not finite.all():
        warnings.append("some jackknife deletions had no finite estimate; acceleration set to 0")
        acceleration = 0.0
    else:
        acceleration = _acceleration(jackknife, weights)
    if len(usable) == 0:
        return BootstrapResult(
            math.nan, math.nan, replicates, math.nan, acceleration, failed, tuple(warnings)
        )
    below = float(np.mean(usable < estimate))
    # All resamples on one side of the estimate would make the bias correction infinite;
    # clamping at half a resample keeps the limits at the extreme resamples instead.
    clamp = 0.5 / len(usable)
    if not clamp <= below <= 1 - clamp:
        warnings.append("every bootstrap estimate fell on one side of the estimate")
    z0 = float(ndtri(min(max(below, clamp), 1 - clamp)))  # the normal quantile
    tail = (1 - level) / 2
    limits = []
    for alpha in (tail, 1 - tail):
        za = float(ndtri(alpha))
        adjusted = float(ndtr(z0 + (z0 + za) / (1 - acceleration * (z0 + za))))
        limits.append(float(np.quantile(usable, adjusted, method="median_unbiased")))
    return BootstrapResult(
        limits[0], limits[1], replicates, z0, acceleration, failed, tuple(warnings)
    )


#: The estimator the worker processes run (set in the parent before they are forked).
_ESTIMATOR: Estimator | None = None


def _estimate_chunk(tables: Counts) -> list[float]:
    assert _ESTIMATOR is not None
    return [_ESTIMATOR(table) for table in tables]


def _estimate_each(
    estimator: Estimator, tables: Counts, workers: int, progress: Progress | None
) -> npt.NDArray[np.float64]:
    """``estimator`` of every row of ``tables``, in order; across ``workers`` forked processes
    when there are more than one (each keeps its own caches of model checks)."""
    global _ESTIMATOR
    values = np.empty(len(tables))
    if workers <= 1 or len(tables) < 4 * workers:
        for k, table in enumerate(tables):
            values[k] = estimator(table)
            if progress is not None:
                progress(k + 1, len(tables))
        return values
    size = max(1, min(20, len(tables) // (8 * workers)))
    starts = range(0, len(tables), size)
    _ESTIMATOR = estimator
    try:
        # fork: the estimator is a closure over the chosen settings, which cannot be pickled.
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunks = pool.imap(_estimate_chunk, (tables[s : s + size] for s in starts))
            for start, chunk in zip(starts, chunks, strict=True):
                values[start : start + len(chunk)] = chunk
                if progress is not None:
                    progress(start + len(chunk), len(tables))
    finally:
        _ESTIMATOR = None
    return values


#: The batch estimator the worker processes run (set in the parent before they are forked).
_BATCH: BatchEstimator | None = None
#: Tables per batch. Fixed, so that a table's batch (and so its arithmetic) does not depend on
#: the number of workers.
_BATCH_SIZE = 128


def _estimate_batch(tables: Counts) -> npt.NDArray[np.float64]:
    assert _BATCH is not None
    return _BATCH(tables)


def _estimate_batches(
    batch: BatchEstimator, tables: Counts, workers: int, progress: Progress | None
) -> npt.NDArray[np.float64]:
    """``batch`` of every row of ``tables`` in chunks of ``_BATCH_SIZE``, in order; across
    ``workers`` forked processes when there are more than one."""
    global _BATCH
    values = np.empty(len(tables))
    starts = range(0, len(tables), _BATCH_SIZE)
    chunks = (tables[s : s + _BATCH_SIZE] for s in starts)
    if workers <= 1 or len(starts) < 2:
        for start, chunk in zip(starts, chunks, strict=True):
            values[start : start + len(chunk)] = batch(chunk)
            if progress is not None:
                progress(start + len(chunk), len(tables))
        return values
    _BATCH = batch
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(starts))) as pool:
            for start, found in zip(starts, pool.imap(_estimate_batch, chunks), strict=True):
                values[start : start + len(found)] = found
                if progress is not None:
                    progress(start + len(found), len(tables))
    finally:
        _BATCH = None
    return values


def _acceleration(jackknife: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]) -> float:
    """Efron's acceleration from delete-one values, each weighted by how many children share
    that capture history (deleting any one of them gives the same value)."""
    mean = float(np.sum(weights * jackknife) / weights.sum())
    residuals = mean - jackknife
    spread = float(np.sum(weights * residuals**2))
    if spread <= 0:
        return 0.0
    return float(np.sum(weights * residuals**3) / (6 * spread**1.5))

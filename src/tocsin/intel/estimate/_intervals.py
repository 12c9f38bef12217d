"""Intervals for the total: the profile likelihood given the chosen model (Rcapture's
multinomial profile), and the BCa bootstrap that re-runs the whole model choice on every
resample (Chan, Silverman & Vincent 2021, §3.3; DiCiccio & Efron 1996)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import chi2, norm

from ._loglinear import Fit, multinomial_profile

__all__ = ["BootstrapResult", "bca_bootstrap", "profile_interval"]

Counts = npt.NDArray[np.int64]
Estimator = Callable[[Counts], float]
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
    drop = float(chi2.ppf(level, 1)) / 2

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
) -> BootstrapResult:
    """BCa interval for ``estimator`` (which re-runs the model choice) from multinomial
    resamples of the children seen, with the acceleration from a delete-one-child jackknife.

    Follows SparseMSE ``estimatepopulation`` and ``bcaconfvalues`` (R/routines.R) and
    MultipleSystemsEstimation ``bootstrapcal``/``jackknifecal`` (R/bootstrap-calibration.R):
    multinomial resamples of every cell, z0 = qnorm(mean(bootreps < popest)), the
    count-weighted jackknife acceleration, ``quantile(type = 8)`` of the resampled totals.
    Resamples where no model can be fitted are left out and counted in ``failed`` (as
    MultipleSystemsEstimation's ``na.rm = TRUE``).
    """
    rng = np.random.default_rng(seed)
    observed = int(counts.sum())
    resampled = rng.multinomial(observed, counts / observed, size=resamples)
    cells = np.flatnonzero(counts)
    total_work = resamples + len(cells)
    replicates = np.empty(resamples)
    for k in range(resamples):
        replicates[k] = estimator(resampled[k])
        if progress is not None:
            progress(k + 1, total_work)
    jackknife = np.empty(len(cells))
    for k, cell in enumerate(cells):
        deleted = counts.copy()
        deleted[cell] -= 1
        jackknife[k] = estimator(deleted)
        if progress is not None:
            progress(resamples + k + 1, total_work)
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
    z0 = float(norm.ppf(min(max(below, clamp), 1 - clamp)))
    tail = (1 - level) / 2
    limits = []
    for alpha in (tail, 1 - tail):
        za = float(norm.ppf(alpha))
        adjusted = float(norm.cdf(z0 + (z0 + za) / (1 - acceleration * (z0 + za))))
        limits.append(float(np.quantile(usable, adjusted, method="median_unbiased")))
    return BootstrapResult(
        limits[0], limits[1], replicates, z0, acceleration, failed, tuple(warnings)
    )


def _acceleration(jackknife: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]) -> float:
    """Efron's acceleration from delete-one values, each weighted by how many children share
    that capture history (deleting any one of them gives the same value)."""
    mean = float(np.sum(weights * jackknife) / weights.sum())
    residuals = mean - jackknife
    spread = float(np.sum(weights * residuals**2))
    if spread <= 0:
        return 0.0
    return float(np.sum(weights * residuals**3) / (6 * spread**1.5))

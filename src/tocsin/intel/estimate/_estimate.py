"""The one entry point: tidy the lists, choose a model by the named method, and give the total
with an interval, the settings used and every warning — never a bare number."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ._intervals import bca_bootstrap, profile_interval
from ._loglinear import Fit, order, term_name
from ._selection import (
    hierarchical_models,
    rank_by_bic,
    select_aic,
    select_best_bic,
    select_best_bic_many,
    select_main,
    select_stepwise,
)
from ._table import CaptureTable, EstimationInputError, tidy_lists

__all__ = ["METHODS", "Estimate", "default_settings", "estimate"]

METHODS = ("main", "stepwise", "bic", "aic")

# Published defaults. Stepwise threshold: Chan, Silverman & Vincent (2021), chosen to minimise
# the mean log-MSE of the dark figure over 28 simulated scenarios. AIC stop: Bales, Hesketh &
# Silverman (2015). BIC maximum order and bootstrap model counts: Silverman, Chan & Vincent
# (2024) and their MultipleSystemsEstimation package, by number of lists.
STEPWISE_PTHRESH = 0.02
AIC_PTHRESH = 0.05
DEFAULT_SEED = 1234
_BIC_MAXORDER = {2: 1, 3: 2, 4: 3, 5: 3, 6: 2}
_BIC_NTOP: dict[int, int | str] = {2: "all", 3: "all", 4: 20, 5: 100, 6: 100}
# Six lists with three-list terms would be 3.7 million models; the published method stops at 2.
_BIC_MAX_LISTS = 6

Counts = npt.NDArray[np.int64]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Estimate:
    """An estimate of the total number of children, with everything needed to judge it."""

    observed: int
    estimate: float
    dark_figure: float
    ci: tuple[float, float]
    ci_level: float
    ci_method: str
    method: str
    settings: dict[str, Any]
    model: tuple[str, ...]
    warnings: tuple[str, ...]
    lists: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        """The ``tocsin estimate --json`` document (infinite limits become ``null``)."""
        return {
            "observed": self.observed,
            "estimate": round(self.estimate, 2),
            "dark_figure": round(self.dark_figure, 2),
            "ci": [_finite_or_none(limit) for limit in self.ci],
            "ci_level": self.ci_level,
            "ci_method": self.ci_method,
            "method": self.method,
            "settings": self.settings,
            "model": list(self.model),
            "warnings": list(self.warnings),
        }


def _finite_or_none(value: float) -> float | None:
    return round(value, 2) if math.isfinite(value) else None


def default_settings(method: str, lists: int) -> dict[str, Any]:
    """The published defaults for a method and number of lists."""
    if method == "stepwise":
        return {"pthresh": STEPWISE_PTHRESH, "maxorder": 2}
    if method == "aic":
        return {"pthresh": AIC_PTHRESH, "maxorder": 2}
    if method == "bic":
        return {"maxorder": _BIC_MAXORDER.get(lists, 2), "ntop": _BIC_NTOP.get(lists, 100)}
    return {}


def estimate(
    table: CaptureTable,
    *,
    method: str = "stepwise",
    maxorder: int | None = None,
    pthresh: float | None = None,
    bootstrap: int = 0,
    seed: int | None = None,
    ci_level: float = 0.95,
    merge_below: int = 0,
    ntop: int | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> Estimate:
    """Estimate the total number of children, seen and unseen, from overlapping lists.

    ``method`` is ``main`` (independent lists), ``stepwise`` (Chan, Silverman & Vincent 2021),
    ``bic`` (Silverman, Chan & Vincent 2024) or ``aic`` (Bales, Hesketh & Silverman 2015).
    With ``bootstrap`` resamples the interval is BCa and re-runs the model choice on every
    resample; without, it is the profile-likelihood interval given the chosen model. The
    bootstrap runs in ``workers`` processes; the result does not depend on how many. Raises
    :class:`EstimationInputError` with a message for people when no estimate can be made,
    including when the numbers cannot be computed (a singular or overflowing fit).
    """
    try:
        return _estimate(
            table,
            method=method,
            maxorder=maxorder,
            pthresh=pthresh,
            bootstrap=bootstrap,
            seed=seed,
            ci_level=ci_level,
            merge_below=merge_below,
            ntop=ntop,
            progress=progress,
            workers=workers,
        )
    except (np.linalg.LinAlgError, FloatingPointError, OverflowError, ZeroDivisionError) as exc:
        raise EstimationInputError(
            f"the {method} estimate cannot be computed from these lists ({exc}): try another "
            "method, a lower maxorder, or merging the smallest lists"
        ) from exc


def _estimate(
    table: CaptureTable,
    *,
    method: str,
    maxorder: int | None,
    pthresh: float | None,
    bootstrap: int,
    seed: int | None,
    ci_level: float,
    merge_below: int,
    ntop: int | None,
    progress: Progress | None,
    workers: int,
) -> Estimate:
    _check_arguments(method, maxorder, pthresh, bootstrap, ci_level, merge_below, ntop)
    table, warnings = tidy_lists(table, merge_below=merge_below)
    _require_overlap(table)
    lists = table.lists
    settings = default_settings(method, lists)
    if maxorder is not None:
        if maxorder > lists - 1:
            raise EstimationInputError(
                f"--maxorder {maxorder} is too high for {lists} lists (at most {lists - 1})"
            )
        settings["maxorder"] = maxorder
    if pthresh is not None:
        settings["pthresh"] = pthresh
    if ntop is not None:
        settings["ntop"] = ntop
    selector, bootstrap_selector, bootstrap_batch = _selectors(method, table, settings, warnings)
    counts = np.asarray(table.counts)
    fitted = selector(counts)
    if fitted is None:
        raise EstimationInputError(
            "no model gives a finite, identifiable estimate from these lists: they overlap too "
            "little (check the linkage and the lists' coverage)"
        )
    for term in sorted(fitted.minus_infinity, key=lambda t: (order(t), t)):
        warnings.append(
            f"lists {term_name(term, table.names).replace(':', ' and ')} share no child; "
            "their interaction is fixed at minus infinity and those overlaps are taken to be "
            "empty"
        )
    if bootstrap > 0:
        seed = DEFAULT_SEED if seed is None else seed
        settings.update({"bootstrap": bootstrap, "seed": seed})

        def total_of(resampled: Counts) -> float:
            chosen = bootstrap_selector(resampled)
            return chosen.total if chosen is not None else math.nan

        result = bca_bootstrap(
            total_of,
            counts,
            fitted.total,
            resamples=bootstrap,
            seed=seed,
            level=ci_level,
            progress=progress,
            workers=workers,
            batch=bootstrap_batch,
        )
        warnings.extend(result.warnings)
        ci = (result.lower, result.upper)
        ci_method = "bca"
    else:
        lower, upper, profile_warnings = profile_interval(lists, fitted, counts, ci_level)
        warnings.extend(profile_warnings)
        if method != "main":
            warnings.append(
                "the profile-likelihood interval takes the chosen model as given and is too "
                "narrow; use a bootstrap for an interval that allows for the model choice"
            )
        ci = (lower, upper)
        ci_method = "profile"
    settings["lists"] = list(table.names)
    if merge_below:
        settings["merge_below"] = merge_below
    return Estimate(
        observed=fitted.observed,
        estimate=fitted.total,
        dark_figure=fitted.dark_figure,
        ci=ci,
        ci_level=ci_level,
        ci_method=ci_method,
        method=method,
        settings=settings,
        model=_model_names(fitted, table.names),
        warnings=tuple(warnings),
        lists=table.names,
    )


def _check_arguments(
    method: str,
    maxorder: int | None,
    pthresh: float | None,
    bootstrap: int,
    ci_level: float,
    merge_below: int,
    ntop: int | None,
) -> None:
    if method not in METHODS:
        raise EstimationInputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if pthresh is not None:
        if method not in ("stepwise", "aic"):
            raise EstimationInputError("--pthresh applies only to the stepwise and aic methods")
        if not 0 < pthresh <= 1:
            raise EstimationInputError(f"--pthresh {pthresh} must be above 0 and at most 1")
    if maxorder is not None:
        if method == "main":
            raise EstimationInputError("--maxorder does not apply to the main-effects method")
        if maxorder < 1:
            raise EstimationInputError(f"--maxorder {maxorder} must be at least 1")
    if ntop is not None and (method != "bic" or ntop < 1):
        raise EstimationInputError("ntop applies only to the bic method and must be at least 1")
    if bootstrap < 0:
        raise EstimationInputError(f"--bootstrap {bootstrap} must be 0 or more")
    if not 0 < ci_level < 1:
        raise EstimationInputError(f"confidence level {ci_level} must be between 0 and 1")
    if merge_below < 0:
        raise EstimationInputError(f"merge_below {merge_below} must be 0 or more")


def _require_overlap(table: CaptureTable) -> None:
    cells = np.arange(1, 2**table.lists)
    on_several = np.array([int(c).bit_count() > 1 for c in cells])
    if table.counts[on_several].sum() == 0:
        raise EstimationInputError(
            f"no child is on more than one of the lists ({', '.join(table.names)}); without "
            "overlaps nothing can be said about the children on no list (check the linkage)"
        )


def _selectors(
    method: str, table: CaptureTable, settings: dict[str, Any], warnings: list[str]
) -> tuple[
    Callable[[Counts], Fit | None],
    Callable[[Counts], Fit | None],
    Callable[[Counts], npt.NDArray[np.float64]] | None,
]:
    """The model choice for the data, the one re-run on each bootstrap resample, and (where
    there is one) the same choice made for many resamples at once, giving their totals."""
    lists = table.lists
    if method == "main":

        def main_of_many(tables: Counts) -> npt.NDArray[np.float64]:
            return select_best_bic_many(lists, tables, [frozenset()])

        return (lambda c: select_main(lists, c), lambda c: select_main(lists, c), main_of_many)
    if method == "stepwise":
        p, k = settings["pthresh"], settings["maxorder"]

        def stepwise(c: Counts) -> Fit | None:
            return select_stepwise(lists, c, pthresh=p, maxorder=k)

        return stepwise, stepwise, None
    if method == "aic":
        p, k = settings["pthresh"], settings["maxorder"]

        def aic(c: Counts) -> Fit | None:
            return select_aic(lists, c, pthresh=p, maxorder=k)

        return aic, aic, None
    if lists > _BIC_MAX_LISTS:
        raise EstimationInputError(
            f"the bic method enumerates every model and supports at most {_BIC_MAX_LISTS} "
            f"lists; these data have {lists} (use --method stepwise)"
        )
    if lists == _BIC_MAX_LISTS and settings["maxorder"] > 2:
        warnings.append("for six lists the bic method is limited to two-list terms (maxorder 2)")
        settings["maxorder"] = 2
    models = hierarchical_models(lists, settings["maxorder"])
    ranked = rank_by_bic(lists, np.asarray(table.counts), models)
    ntop = settings.get("ntop")
    # The bootstrap searches only the models ranked best on the original data (SCV24 §4).
    top = [f.model for f in ranked[: ntop if isinstance(ntop, int) else len(ranked)]]

    def best_of_top(c: Counts) -> Fit | None:
        return select_best_bic(lists, c, top)

    def best_of_top_many(tables: Counts) -> npt.NDArray[np.float64]:
        return select_best_bic_many(lists, tables, top)

    def best_on_data(c: Counts) -> Fit | None:
        return ranked[0] if ranked else None

    return best_on_data, best_of_top, best_of_top_many


def _model_names(fitted: Fit, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(term_name(t, names) for t in sorted(fitted.model, key=lambda t: (order(t), t)))

"""Poisson log-linear models over all 2^t - 1 observable capture histories.

A model is the set of its interaction terms; the intercept (the log of the dark figure) and every
main effect are always in it. A term and a capture history are both bit masks over the lists;
history ω has log mean Σ alpha_θ over the model's terms θ ⊆ ω. A term whose lists share no child
(its overlap N*_θ is 0) has extended MLE -∞ (Chan, Silverman & Vincent 2021): it is fixed
there, its column is removed and every history containing it is dropped, because those cells
then have mean exactly 0.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog
from scipy.special import gammaln

try:  # SciPy's own binding of HiGHS (private; present since SciPy 1.15)
    from scipy.optimize._highspy import _core as _HIGHS
except ImportError:  # pragma: no cover - older or repackaged SciPy
    _HIGHS = None

__all__ = [
    "Fit",
    "ModelStatus",
    "check",
    "fit",
    "layout",
    "multinomial_profile",
    "order",
    "term_name",
]

FloatArray = npt.NDArray[np.float64]
Model = frozenset[int]

# IRLS stops when the deviance changes by less than this, relative (R's glm uses 1e-8).
_TOLERANCE = 1e-10
_MAX_ITERATIONS = 100
# The LP's optimum s* is the smallest cell of a strictly positive table with the observed
# margins; below this it is taken as 0 (no MLE), allowing for the solver's own tolerance.
_LP_ZERO = 1e-7


class ModelStatus(enum.IntFlag):
    """The existence/identifiability code of Chan, Silverman & Vincent (2021): 0 fine, 1 no
    maximum likelihood estimate, 2 not identifiable, 3 both."""

    OK = 0
    NO_MLE = 1
    NOT_IDENTIFIABLE = 2


def order(term: int) -> int:
    """The number of lists in a term."""
    return term.bit_count()


def term_name(term: int, names: tuple[str, ...]) -> str:
    """``"A:B"`` for the term over lists A and B."""
    return ":".join(name for i, name in enumerate(names) if term >> i & 1)


@functools.lru_cache(maxsize=16)
def layout(lists: int) -> npt.NDArray[np.bool_]:
    """``superset[ω - 1, θ]``: whether history ω contains term θ, for every θ in 0..2^t - 1.

    Column θ is that term's design column; ``counts @ superset`` gives every overlap N*_θ.
    """
    cells = np.arange(1, 2**lists)[:, None]
    terms = np.arange(2**lists)[None, :]
    superset: npt.NDArray[np.bool_] = (cells & terms) == terms
    superset.setflags(write=False)
    return superset


def _parameters(lists: int, model: Model) -> list[int]:
    """Intercept (term 0), main effects, then interactions in a fixed order."""
    return [0, *(1 << i for i in range(lists)), *sorted(model, key=lambda t: (order(t), t))]


@dataclass(frozen=True)
class _Design:
    """A model's design on one data set's face: the cells kept and the finite parameters."""

    kept: npt.NDArray[np.bool_]
    columns: tuple[int, ...]
    minus_infinity: tuple[int, ...]
    matrix: FloatArray
    parameters: int


def _design(lists: int, model: Model, nstar: npt.NDArray[np.int64]) -> _Design:
    superset = layout(lists)
    parameters = _parameters(lists, model)
    minus_infinity = tuple(t for t in parameters if nstar[t] == 0)
    kept = np.ones(2**lists - 1, dtype=bool)
    for term in minus_infinity:
        kept &= ~superset[:, term]
    columns = tuple(t for t in parameters if nstar[t] > 0)
    matrix = superset[np.ix_(kept, np.array(columns, dtype=np.int64))].astype(np.float64)
    return _Design(kept, columns, minus_infinity, matrix, len(parameters))


@functools.lru_cache(maxsize=65536)
def _status(lists: int, model: Model, support: bytes) -> int:
    """Status for a model given only which cells are positive (all the checks depend on)."""
    positive = np.frombuffer(support, dtype=bool)
    design = _design_on(lists, model, support)
    matrix = design.matrix
    code = 0
    full_rank = np.linalg.matrix_rank(matrix) == matrix.shape[1]
    if not full_rank:
        code |= ModelStatus.NOT_IDENTIFIABLE
    if not _exists(matrix, positive[design.kept], full_rank):
        code |= ModelStatus.NO_MLE
    return code


def _exists(matrix: FloatArray, positive: npt.NDArray[np.bool_], full_rank: bool) -> bool:
    """Whether the MLE exists (Fienberg & Rinaldo 2012), by linear programme when needed.

    Two shortcuts, both exact: with no zero cell the data themselves are a strictly positive
    table with the right margins; and if the positive cells' rows alone have full column rank,
    no direction of the parameters can push only zero cells towards 0, so the likelihood has a
    maximum. Only otherwise is the LP solved: maximise s subject to Aᵀx = Aᵀy, x ≥ s, x ≥ 0.
    The LP depends only on which cells are positive, so a 0/1 table stands in for the counts.
    """
    if positive.all():
        return True
    if full_rank and np.linalg.matrix_rank(matrix[positive]) == matrix.shape[1]:
        return True
    smallest = _smallest_cell(matrix, positive)
    return smallest is not None and smallest > _LP_ZERO


def _smallest_cell(matrix: FloatArray, positive: npt.NDArray[np.bool_]) -> float | None:
    """The LP's optimum s*: the largest smallest cell of a table with the margins of the 0/1
    table ``positive`` (``None`` when the solver finds no optimum).

    Written as x = w + s with w ≥ 0, s ≥ 0, so the only rows are the margins Aᵀ(w + s·1) =
    Aᵀy, and solved by HiGHS directly (the solver behind ``linprog(method="highs")``, without
    its per-call checks of options and inputs, which cost four times the solve on these
    small programmes). Falls back to :func:`_smallest_cell_linprog` where SciPy's HiGHS
    binding is not there.
    """
    if _HIGHS is None:
        return _smallest_cell_linprog(matrix, positive)
    cells, _ = matrix.shape
    y = positive.astype(np.float64)
    margins = matrix.T @ y
    constraint = np.hstack([matrix.T, matrix.T.sum(axis=1, keepdims=True)])
    columns, rows = np.nonzero(constraint.T)
    lp = _HIGHS.HighsLp()
    lp.num_col_ = cells + 1
    lp.num_row_ = len(margins)
    lp.a_matrix_.num_col_ = cells + 1
    lp.a_matrix_.num_row_ = len(margins)
    lp.a_matrix_.format_ = _HIGHS.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate(
        [[0], np.cumsum(np.bincount(columns, minlength=cells + 1))]
    ).astype(np.int32)
    lp.a_matrix_.index_ = rows.astype(np.int32)
    lp.a_matrix_.value_ = constraint.T[columns, rows]
    cost = np.zeros(cells + 1)
    cost[-1] = -1.0
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(cells + 1)
    lp.col_upper_ = np.full(cells + 1, np.inf)
    lp.row_lower_ = margins
    lp.row_upper_ = margins
    highs = _HIGHS._Highs()
    options = _HIGHS.HighsOptions()
    options.output_flag = False
    options.log_to_console = False
    highs.passOptions(options)
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != _HIGHS.HighsModelStatus.kOptimal:
        return None
    return float(-highs.getInfo().objective_function_value)


def _smallest_cell_linprog(matrix: FloatArray, positive: npt.NDArray[np.bool_]) -> float | None:
    """:func:`_smallest_cell` through ``scipy.optimize.linprog``, as first written: maximise s
    subject to Aᵀx = Aᵀy, x ≥ s, x ≥ 0."""
    cells, params = matrix.shape
    y = positive.astype(np.float64)
    objective = np.zeros(cells + 1)
    objective[-1] = -1.0
    equality = np.hstack([matrix.T, np.zeros((params, 1))])
    inequality = np.hstack([-np.eye(cells), np.ones((cells, 1))])
    result = linprog(
        objective,
        A_ub=inequality,
        b_ub=np.zeros(cells),
        A_eq=equality,
        b_eq=matrix.T @ y,
        bounds=[(0, None)] * (cells + 1),
        method="highs",
    )
    if result.status != 0:
        return None
    return float(-result.fun)


def check(lists: int, model: Iterable[int], counts: npt.NDArray[np.int64]) -> ModelStatus:
    """The existence (LP) and identifiability (rank) code for a model on these counts."""
    positive = np.asarray(counts) > 0
    return ModelStatus(_status(lists, frozenset(model), positive.tobytes()))


@dataclass(frozen=True)
class Fit:
    """A fitted model: the dark figure and total, the likelihood and its criteria."""

    model: Model
    observed: int
    dark_figure: float
    loglik: float
    parameters: int
    minus_infinity: tuple[int, ...]
    coefficients: dict[int, float]
    covariance: FloatArray
    fitted: FloatArray

    @property
    def total(self) -> float:
        """Observed children plus the estimated dark figure."""
        return self.observed + self.dark_figure

    @property
    def aic(self) -> float:
        """Akaike's criterion, counting terms fixed at -∞ as parameters (as SparseMSE does)."""
        return 2 * self.parameters - 2 * self.loglik

    @property
    def bic(self) -> float:
        """Schwarz's criterion with the number of observed children as the sample size and
        terms fixed at -∞ counted (as MultipleSystemsEstimation does)."""
        return self.parameters * float(np.log(self.observed)) - 2 * self.loglik

    def standard_error(self, term: int) -> float:
        """The Wald standard error of a finite coefficient."""
        index = list(self.coefficients).index(term)
        return float(np.sqrt(self.covariance[index, index]))


def fit(
    lists: int, model: Iterable[int], counts: npt.NDArray[np.int64], *, checked: bool = True
) -> Fit | None:
    """Fit a model by IRLS; ``None`` when the checks fail (never fit a failing model)."""
    model = frozenset(model)
    counts = np.asarray(counts, dtype=np.int64)
    if checked and check(lists, model, counts) != ModelStatus.OK:
        return None
    design = _design_on(lists, model, (counts > 0).tobytes())
    y = counts[design.kept].astype(np.float64)
    beta, covariance, mu = _irls(design.matrix, y)
    fitted = np.zeros(2**lists - 1)
    fitted[design.kept] = mu
    with np.errstate(divide="ignore", invalid="ignore"):
        loglik = float(np.sum(np.where(y > 0, y * np.log(mu), 0.0) - mu - gammaln(y + 1)))
    return Fit(
        model=model,
        observed=int(counts.sum()),
        dark_figure=float(np.exp(beta[0])),
        loglik=loglik,
        parameters=design.parameters,
        minus_infinity=tuple(t for t in design.minus_infinity),
        coefficients=dict(zip(design.columns, (float(b) for b in beta), strict=True)),
        covariance=covariance,
        fitted=fitted,
    )


def _irls(
    matrix: FloatArray, y: FloatArray, start: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Poisson regression with log link by iteratively reweighted least squares (Newton's
    method, since the link is canonical). Starts like R's glm (μ = y + 0.1) unless given
    coefficients; halves the step if the deviance ever rises."""
    if start is None:
        eta = np.log(y + 0.1)
        mu = y + 0.1
    else:
        eta = matrix @ start
        mu = np.exp(eta)
    beta = np.zeros(matrix.shape[1]) if start is None else start
    deviance = np.inf
    hessian = np.eye(matrix.shape[1])
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(_MAX_ITERATIONS):
            weighted = matrix * mu[:, None]
            hessian = matrix.T @ weighted
            z = eta + (y - mu) / mu
            proposal = np.asarray(np.linalg.solve(hessian, weighted.T @ z), dtype=np.float64)
            for _halving in range(30):
                new_eta = matrix @ proposal
                new_mu = np.exp(new_eta)
                new_deviance = _deviance(y, new_mu)
                if np.isfinite(new_deviance) and new_deviance <= deviance * (1 + 1e-12) + 1e-9:
                    break
                proposal = (proposal + beta) / 2
            converged = abs(deviance - new_deviance) <= _TOLERANCE * (abs(new_deviance) + 0.1)
            beta, eta, mu, deviance = proposal, new_eta, new_mu, new_deviance
            if converged:
                break
        weighted = matrix * mu[:, None]
        hessian = matrix.T @ weighted
    covariance: FloatArray = np.asarray(np.linalg.inv(hessian), dtype=np.float64)
    return beta, covariance, mu


def _deviance(y: FloatArray, mu: FloatArray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)
    return float(2 * terms.sum())


def multinomial_profile(
    lists: int, model: Iterable[int], counts: npt.NDArray[np.int64]
) -> functools.partial[float]:
    """The multinomial profile log-likelihood of the total N (Cormack 1992, as in Rcapture):
    for a given N the unobserved cell gets N - n children, the log-linear model is fitted to
    the complete table, and the multinomial likelihood of the observed table is evaluated."""
    model = frozenset(model)
    counts = np.asarray(counts, dtype=np.int64)
    nstar = counts @ layout(lists)
    design = _design(lists, model, nstar)
    zero_row = np.zeros((1, design.matrix.shape[1]))
    zero_row[0, 0] = 1.0
    matrix = np.vstack([design.matrix, zero_row])
    y = np.append(counts[design.kept].astype(np.float64), 0.0)
    return functools.partial(_profile_at, matrix, y, int(counts.sum()), {})


def _profile_at(
    matrix: FloatArray, y: FloatArray, observed: int, memo: dict[str, FloatArray], total: float
) -> float:
    unseen = max(total - observed, 0.0)
    if unseen <= 0:
        # Nobody unseen: the unseen cell's fitted count is 0 at the limit (its coefficient
        # goes to minus infinity and the Newton system is singular), so the profile is the
        # fit of the observed cells alone. Its coefficients are no start for the next fit.
        y, matrix = y[:-1], matrix[:-1, 1:]
        _, _, mu = _irls(matrix, y)
    else:
        y = y.copy()
        y[-1] = unseen
        try:
            beta, _, mu = _irls(matrix, y, memo.get("beta"))
        except np.linalg.LinAlgError:
            if "beta" not in memo:
                raise
            beta, _, mu = _irls(matrix, y)  # the last fit was no start for this one
        memo["beta"] = beta
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(y > 0, y * np.log(mu / total), 0.0)
    return float(cells.sum() + gammaln(total + 1) - gammaln(y + 1).sum())


@functools.lru_cache(maxsize=65536)
def _design_on(lists: int, model: Model, support: bytes) -> _Design:
    """The design for a model given which cells are positive (all it depends on)."""
    positive = np.frombuffer(support, dtype=bool)
    return _design(lists, model, positive.astype(np.int64) @ layout(lists))


@dataclass(frozen=True)
class Fits:
    """One model fitted to many count tables at once: per table, whether the model passed
    the checks, and (where it did) its total and BIC; ``nan`` where it did not."""

    ok: npt.NDArray[np.bool_]
    total: FloatArray
    bic: FloatArray


def fit_many(lists: int, model: Iterable[int], tables: npt.NDArray[np.int64]) -> Fits:
    """:func:`fit` of one model to every row of ``tables``, the rows fitted together.

    The tables that share a zero pattern share the checks and the design matrix, so each
    group is one batched Newton iteration over a (tables × cells) count matrix; every table
    still follows its own iterations, step halvings and stopping rule, as :func:`fit` does,
    so the results agree with it to rounding.
    """
    model = frozenset(model)
    tables = np.asarray(tables, dtype=np.int64)
    count = len(tables)
    ok = np.zeros(count, dtype=bool)
    total = np.full(count, np.nan)
    bic = np.full(count, np.nan)
    if count == 0:
        return Fits(ok, total, bic)
    supports, inverse = np.unique(tables > 0, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    groups: dict[tuple[int, ...], tuple[_Design, list[int]]] = {}
    for index, support in enumerate(supports):
        key = support.tobytes()
        if _status(lists, model, key) != ModelStatus.OK:
            continue
        design = _design_on(lists, model, key)
        groups.setdefault(design.minus_infinity, (design, []))[1].append(index)
    observed = tables.sum(axis=1)
    for design, members in groups.values():
        rows = np.flatnonzero(np.isin(inverse, members))
        y = tables[np.ix_(rows, np.flatnonzero(design.kept))].astype(np.float64)
        beta, mu = _irls_many(design.matrix, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            loglik = np.sum(np.where(y > 0, y * np.log(mu), 0.0) - mu - gammaln(y + 1), axis=1)
        ok[rows] = True
        total[rows] = observed[rows] + np.exp(beta[:, 0])
        bic[rows] = design.parameters * np.log(observed[rows]) - 2 * loglik
    return Fits(ok, total, bic)


def _irls_many(matrix: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """:func:`_irls` (from R's start) of every row of ``y`` on one design matrix, batched.

    Each row keeps its own deviance, halves its own steps and stops when it converges; the
    rows still running are carried on together. Raises ``LinAlgError`` as :func:`_irls`
    would when a row's Newton system or final information matrix is singular.
    """
    eta = np.log(y + 0.1)
    mu = y + 0.1
    beta = np.zeros((len(y), matrix.shape[1]))
    deviance = np.full(len(y), np.inf)
    running = np.arange(len(y))
    transposed = matrix.T
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(_MAX_ITERATIONS):
            if len(running) == 0:
                break
            ys, mus, etas = y[running], mu[running], eta[running]
            old_beta, old_deviance = beta[running], deviance[running]
            hessian = (transposed[None, :, :] * mus[:, None, :]) @ matrix
            z = etas + (ys - mus) / mus
            proposal = np.linalg.solve(hessian, ((mus * z) @ matrix)[:, :, None])[:, :, 0]
            new_eta = proposal @ transposed
            new_mu = np.exp(new_eta)
            new_deviance = _deviances(ys, new_mu)
            pending = ~(
                np.isfinite(new_deviance) & (new_deviance <= old_deviance * (1 + 1e-12) + 1e-9)
            )
            for halving in range(30):
                if not pending.any():
                    break
                proposal[pending] = (proposal[pending] + old_beta[pending]) / 2
                if halving == 29:
                    break
                new_eta[pending] = proposal[pending] @ transposed
                new_mu[pending] = np.exp(new_eta[pending])
                new_deviance[pending] = _deviances(ys[pending], new_mu[pending])
                pending &= ~(
                    np.isfinite(new_deviance) & (new_deviance <= old_deviance * (1 + 1e-12) + 1e-9)
                )
            converged = np.abs(old_deviance - new_deviance) <= _TOLERANCE * (
                np.abs(new_deviance) + 0.1
            )
            beta[running], eta[running], mu[running] = proposal, new_eta, new_mu
            deviance[running] = new_deviance
            running = running[~converged]
        information = (transposed[None, :, :] * mu[:, None, :]) @ matrix
    np.linalg.inv(information)  # singular at the end raises, as _irls's covariance does
    return beta, mu


def _deviances(y: FloatArray, mu: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)
    return np.asarray(2 * terms.sum(axis=1), dtype=np.float64)

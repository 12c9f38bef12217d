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
    nstar = positive.astype(np.int64) @ layout(lists)
    design = _design(lists, model, nstar)
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
        return False
    return bool(-result.fun > _LP_ZERO)


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
    nstar = counts @ layout(lists)
    design = _design(lists, model, nstar)
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
    y = y.copy()
    y[-1] = unseen
    beta, _, mu = _irls(matrix, y, memo.get("beta"))
    memo["beta"] = beta
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(y > 0, y * np.log(mu / total), 0.0)
    return float(cells.sum() + gammaln(total + 1) - gammaln(y + 1).sum())

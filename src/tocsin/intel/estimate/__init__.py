"""Multiple systems estimation: how many children none of the agencies' lists has found.

Pure core (no Django). Typical use::

    table = read_capture_csv("lists.csv")
    result = estimate(table, method="stepwise", bootstrap=1000, seed=1234)
    result.as_json()

Poisson log-linear models are fitted over all 2^t - 1 observable capture histories; terms for
lists that share no child are fixed at minus infinity (Chan, Silverman & Vincent 2021); every
model is checked for existence (linear programme) and identifiability (rank) before it can be
chosen. See ``docs/estimation.md`` for the methods, defaults, caveats and validation.

Errors: :class:`EstimationInputError` (a ``ValueError``) for data or settings that cannot give an
estimate; its message names the row, column or option at fault.
"""

from ._estimate import METHODS, Estimate, default_settings, estimate
from ._loglinear import Fit, ModelStatus
from ._selection import hierarchical_models
from ._table import CaptureTable, EstimationInputError, read_capture_csv, tidy_lists
from ._terms import check_model, fit_model

__all__ = [
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

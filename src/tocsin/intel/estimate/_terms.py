"""Models named the way people write them (``["A:B", "B:C"]``), for checking and fitting one
model by hand rather than choosing it."""

from __future__ import annotations

from collections.abc import Iterable

from ._loglinear import Fit, ModelStatus, check, fit
from ._table import CaptureTable, EstimationInputError

__all__ = ["check_model", "fit_model", "parse_terms"]


def parse_terms(table: CaptureTable, terms: Iterable[str]) -> frozenset[int]:
    """Turn ``"A:B"`` style names into term masks, checking the model is hierarchical. A
    single list (``"C"`` in ``["A:B", "C"]``, as R's ``[12,3]`` writes it) is a main effect,
    which every model has, so it adds nothing."""
    masks = set()
    for text in terms:
        parts = text.split(":")
        unknown = [p for p in parts if p not in table.names]
        if unknown:
            raise EstimationInputError(f"term {text!r}: no list named {unknown[0]!r}")
        mask = sum(1 << table.names.index(p) for p in parts)
        if mask.bit_count() != len(parts):
            raise EstimationInputError(f"term {text!r} names a list twice")
        if len(parts) == 1:
            continue
        if len(parts) == table.lists:
            raise EstimationInputError(
                f"term {text!r} joins every list; it cannot be estimated (it is set to 0)"
            )
        masks.add(mask)
    for mask in masks:
        for i in range(table.lists):
            lower = mask & ~(1 << i)
            if mask >> i & 1 and lower.bit_count() >= 2 and lower not in masks:
                raise EstimationInputError(
                    "the model is not hierarchical: a term needs all its smaller terms"
                )
    return frozenset(masks)


def check_model(table: CaptureTable, terms: Iterable[str]) -> ModelStatus:
    """The existence and identifiability code for one model on this table (0 fine, 1 no
    maximum likelihood estimate, 2 not identifiable, 3 both)."""
    return check(table.lists, parse_terms(table, terms), table.counts)


def fit_model(table: CaptureTable, terms: Iterable[str]) -> Fit | None:
    """Fit one named model; ``None`` when it fails the existence or identifiability check."""
    return fit(table.lists, parse_terms(table, terms), table.counts)

"""Which Children in Need factors the screening indicators suggest, so that the form can ask
about the ones that put a child on an agency's list for the hidden-number estimate (11A child
sexual exploitation, 24A child criminal exploitation: ``EXPLOITATION_CIN_FACTORS``).

The mapping is the screening scheme's (``cin`` on each indicator in ``seraf.toml``); this
only reads it. A suggestion is a prompt, never a tick: the practitioner decides whether the
factor applies.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from tocsin.domain import screening
from tocsin.domain.concerns._codes import CIN_FACTORS
from tocsin.domain.estimates import EXPLOITATION_CIN_FACTORS

__all__ = ["CinSuggestion", "suggested_cin_factors"]


@dataclass(frozen=True)
class CinSuggestion:
    """A factor the indicators seen suggest and that is not ticked, with the indicators
    (their labels, in the scheme's order) that suggest it."""

    code: str
    label: str
    indicators: tuple[str, ...]


def suggested_cin_factors(
    indicator_ids: Iterable[str],
    ticked: Collection[str],
    *,
    scheme: screening.ScreeningScheme | None = None,
    factors: Collection[str] = EXPLOITATION_CIN_FACTORS,
) -> list[CinSuggestion]:
    """The ``factors`` (by default 11A and 24A) that the indicators seen relate to under the
    scheme (by default the one in force) and that are not among ``ticked``, in code order.
    Unknown indicator ids are ignored (validation names them)."""
    current = scheme or screening.scheme()
    seen = set(indicator_ids)
    suggestions = []
    for code in factors:
        if code in ticked:
            continue
        behind = tuple(i.label for i in current.indicators if i.id in seen and code in i.cin)
        if behind:
            suggestions.append(CinSuggestion(code, CIN_FACTORS.get(code, code), behind))
    return suggestions

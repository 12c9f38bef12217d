"""The screening scheme in force: one place decides which scheme Tocsin screens with, so that
the form, the API, import and the demo screen identically.

Today that is the SERAF-style default (``seraf.toml``), versioned with the code; a partnership
that adopts another scheme changes it here, and every recorded screening names the scheme and
version it was scored under.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache

from tocsin.domain.screening._scheme import ScreeningScheme, load_scheme
from tocsin.domain.screening._score import Observation, ObservationError, ScreeningResult, score

__all__ = ["bands", "indicator_ids", "recorded_result", "scheme", "screen"]


@cache
def scheme() -> ScreeningScheme:
    """The screening scheme in force (the SERAF-style default, versioned)."""
    return load_scheme()


def indicator_ids() -> set[str]:
    """The ids of the scheme's indicators (what a draft's indicators are checked against)."""
    return {indicator.id for indicator in scheme().indicators}


def bands() -> list[str]:
    """Band ids, lowest first."""
    return [band.id for band in scheme().bands]


def screen(observations: Sequence[Observation], as_of: date) -> ScreeningResult:
    """Score ``observations`` under the scheme in force, as of ``as_of``."""
    return score(scheme(), list(observations), as_of=as_of)


def recorded_result(
    scheme_name: str, scheme_version: str | int, observations: Iterable[Observation], as_of: date
) -> ScreeningResult | None:
    """A recorded screening's result with every explanation, scored again under the scheme in
    force: scoring is deterministic, so under the same scheme and version this is the result
    it was given. None if it was recorded under another scheme or version (show what was
    recorded then)."""
    current = scheme()
    if (scheme_name, str(scheme_version)) != (current.scheme, str(current.version)):
        return None
    try:
        return score(current, list(observations), as_of)
    except ObservationError:
        return None

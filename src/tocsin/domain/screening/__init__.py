"""Risk screening: indicators, points and score bands from a versioned TOML scheme (default:
the SERAF-style scheme of DOMAIN.md section 3). Plain Python; imports nothing from Django.

:func:`scheme` is the scheme in force (the policy: one place decides it), with its
:func:`indicator_ids` and :func:`bands`; :func:`screen` scores observations under it.

:func:`score` turns observations into a :class:`ScreeningResult` that always carries the band
together with every indicator behind it and what each contributed. :func:`override` records a
practitioner's professional judgement of the band, which needs a reason; the server appends it
as a regrading event.

Errors raised here::

    ValueError
    ├── ScreeningSchemeError       a scheme file is malformed (TOML, ids, groups, bands)
    ├── ObservationError           observations cannot be scored as given
    │   ├── UnknownIndicatorError      an indicator id the scheme does not have
    │   └── FutureObservationError     an observation dated after the screening date
    └── OverrideError              an override without a reason or person, or to no such band
"""

from tocsin.domain.screening._policy import bands, indicator_ids, scheme, screen
from tocsin.domain.screening._scheme import (
    Band,
    Indicator,
    IndicatorGroup,
    PointsWindow,
    ScreeningScheme,
    ScreeningSchemeError,
    default_scheme,
    load_scheme,
    months_before,
    parse_scheme,
)
from tocsin.domain.screening._score import (
    Contribution,
    FutureObservationError,
    Observation,
    ObservationError,
    Override,
    OverrideError,
    ScreeningResult,
    UnknownIndicatorError,
    override,
    score,
)

__all__ = [
    "Band",
    "Contribution",
    "FutureObservationError",
    "Indicator",
    "IndicatorGroup",
    "Observation",
    "ObservationError",
    "Override",
    "OverrideError",
    "PointsWindow",
    "ScreeningResult",
    "ScreeningScheme",
    "ScreeningSchemeError",
    "UnknownIndicatorError",
    "bands",
    "default_scheme",
    "indicator_ids",
    "load_scheme",
    "months_before",
    "override",
    "parse_scheme",
    "scheme",
    "score",
    "screen",
]

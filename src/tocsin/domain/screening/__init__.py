"""Risk screening: indicators, points and score bands from a versioned TOML scheme (default:
the SERAF-style scheme of DOMAIN.md section 3). Plain Python; imports nothing from Django.

:func:`scheme` is the scheme in force (the policy: one place decides it), with its
:func:`indicator_ids` and :func:`bands`; :func:`screen` scores observations under it.

:func:`score` turns observations into a :class:`ScreeningResult` that always carries the band
together with every indicator behind it and what each contributed, in words; indicators seen too
long ago to count are listed with 0 points, and :meth:`ScreeningResult.stale_notice` says so
(:func:`stale_notice`, the same words on every page and in the API). :func:`combined_band` is a
child's one band across all their screenings (fragments from several agencies add up; a newer
low screening never masks a higher one still in date). :func:`override` records a
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

from tocsin.domain.screening._child import (
    ChildBand,
    ChildScreening,
    child_band_rule,
    combined_band,
)
from tocsin.domain.screening._policy import bands, indicator_ids, recorded_result, scheme, screen
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
from tocsin.domain.screening._wording import StaleNotice, interval_before, stale_notice, when_seen

__all__ = [
    "Band",
    "ChildBand",
    "ChildScreening",
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
    "StaleNotice",
    "UnknownIndicatorError",
    "bands",
    "child_band_rule",
    "combined_band",
    "default_scheme",
    "indicator_ids",
    "interval_before",
    "load_scheme",
    "months_before",
    "override",
    "parse_scheme",
    "recorded_result",
    "scheme",
    "score",
    "screen",
    "stale_notice",
    "when_seen",
]

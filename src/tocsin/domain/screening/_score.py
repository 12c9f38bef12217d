"""Scoring observations against a scheme, and professional overrides of the band.

A result always carries every indicator behind its band, with what each contributed and why;
DOMAIN.md section 3 records that bare High/Medium/Low labels are disputed, so there is no way
to get a band from this module without its indicators.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tocsin.domain.screening._scheme import Band, ScreeningScheme, months_before
from tocsin.domain.screening._wording import StaleNotice, stale_notice, when_seen

__all__ = [
    "Contribution",
    "FutureObservationError",
    "Observation",
    "ObservationError",
    "Override",
    "OverrideError",
    "ScreeningResult",
    "UnknownIndicatorError",
    "override",
    "score",
]


class ObservationError(ValueError):
    """Observations cannot be scored as given."""


class UnknownIndicatorError(ObservationError):
    """An observation names an indicator the scheme does not have."""


class FutureObservationError(ObservationError):
    """An observation is dated after the day the screening is for."""


class OverrideError(ValueError):
    """A professional override is incomplete: no reason, no person, or no such band."""


@dataclass(frozen=True)
class Observation:
    """An indicator a practitioner saw, and the day they saw it."""

    indicator_id: str
    seen_on: date


@dataclass(frozen=True)
class Contribution:
    """What one observed indicator adds to the score, and why."""

    indicator_id: str
    label: str
    group: str
    critical: bool
    #: the most recent day it was seen on or before the screening date.
    seen_on: date
    points: int
    #: the window that applied: a number of months, None for "any time" or for no window.
    within_months: int | None
    #: why it scored what it did, in words ("Seen 13 months before the screening, outside the
    #: 12-month window: scored 0").
    explanation: str
    #: seen too long ago for any of its group's windows, so it scored 0 (it is still listed).
    aged_out: bool = False


@dataclass(frozen=True)
class Override:
    """A practitioner's professional judgement replacing the band the score gave."""

    band: Band
    from_band: Band
    reason: str
    by: str

    @property
    def is_downgrade(self) -> bool:
        """Whether the new band is lower than the one it replaces (these may need a second
        person: DESIGN.md)."""
        return self.band.min < self.from_band.min


@dataclass(frozen=True)
class ScreeningResult:
    """A score, its band and every indicator behind them; possibly overridden."""

    scheme: str
    scheme_version: int
    as_of: date
    score: int
    #: the band the score falls in, whatever any override says.
    scored_band: Band
    contributions: tuple[Contribution, ...]
    #: every band of the scheme, lowest first, so an override can be checked without it.
    bands: tuple[Band, ...]
    reassess_by: date
    override: Override | None = None

    @property
    def band(self) -> Band:
        """The band to act on: the override's if there is one, otherwise the scored band."""
        return self.override.band if self.override else self.scored_band

    @property
    def stale(self) -> tuple[Contribution, ...]:
        """The indicators seen too long ago to count towards the band (each scored 0)."""
        return tuple(c for c in self.contributions if c.aged_out)

    def stale_notice(self, *, before_recording: bool = False) -> StaleNotice | None:
        """What to tell people about :attr:`stale` indicators (None if there are none), in
        the words every page and the API use."""
        return stale_notice(self.contributions, before_recording=before_recording)

    def as_payload(self) -> dict[str, Any]:
        """The result as JSON-ready values (ISO dates), for an event payload or the API."""
        return {
            "scheme": self.scheme,
            "scheme_version": self.scheme_version,
            "as_of": self.as_of.isoformat(),
            "score": self.score,
            "scored_band": self.scored_band.id,
            "band": self.band.id,
            "reassess_by": self.reassess_by.isoformat(),
            "contributions": [
                {
                    "indicator_id": c.indicator_id,
                    "group": c.group,
                    "seen_on": c.seen_on.isoformat(),
                    "points": c.points,
                    "explanation": c.explanation,
                    "aged_out": c.aged_out,
                }
                for c in self.contributions
            ],
            "override": None
            if self.override is None
            else {
                "band": self.override.band.id,
                "from_band": self.override.from_band.id,
                "reason": self.override.reason,
                "by": self.override.by,
            },
        }


def score(
    scheme: ScreeningScheme, observations: Iterable[Observation], as_of: date
) -> ScreeningResult:
    """Score ``observations`` as of the day ``as_of`` against ``scheme``.

    Each indicator counts once, by its most recent sighting on or before ``as_of``. Indicators
    seen too long ago to score are still listed, with 0 points and the reason.
    """
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        raise ObservationError(f"screen as of a day (a date), not {as_of!r}")
    observations = list(observations)
    known = {indicator.id for indicator in scheme.indicators}
    unknown = sorted({o.indicator_id for o in observations} - known)
    if unknown:
        raise UnknownIndicatorError(
            f"the {scheme.scheme} scheme (version {scheme.version}) has no indicator "
            f"{', '.join(repr(u) for u in unknown)}; see the scheme file for the indicator ids"
        )
    for observation in observations:
        if not isinstance(observation.seen_on, date) or isinstance(observation.seen_on, datetime):
            raise ObservationError(
                f"{observation.indicator_id!r} needs the day it was seen (a date), "
                f"not {observation.seen_on!r}"
            )
    future = sorted({o.indicator_id for o in observations if o.seen_on > as_of})
    if future:
        raise FutureObservationError(
            f"{', '.join(repr(f) for f in future)} dated after the screening date "
            f"{as_of.isoformat()}; correct the date or screen as of a later day"
        )
    latest: dict[str, date] = {}
    for observation in observations:
        previous = latest.get(observation.indicator_id)
        if previous is None or observation.seen_on > previous:
            latest[observation.indicator_id] = observation.seen_on
    contributions = tuple(
        _contribution(scheme, indicator_id, latest[indicator_id], as_of)
        for indicator_id in (i.id for i in scheme.indicators)
        if indicator_id in latest
    )
    total = sum(c.points for c in contributions)
    return ScreeningResult(
        scheme=scheme.scheme,
        scheme_version=scheme.version,
        as_of=as_of,
        score=total,
        scored_band=scheme.band_for(total),
        contributions=contributions,
        bands=scheme.bands,
        reassess_by=_months_after(as_of, scheme.reassess_within_months),
    )


def override(result: ScreeningResult, band: str, reason: str, by: str) -> ScreeningResult:
    """``result`` with its band replaced by ``band`` on ``by``'s professional judgement.

    The reason is required and kept with the result; the score and the indicators stay as they
    were, so anyone can see both the scored band and the judgement.
    """
    chosen = next((b for b in result.bands if b.id == band), None)
    if chosen is None:
        options = ", ".join(b.id for b in result.bands)
        raise OverrideError(f"there is no band {band!r}; choose one of {options}")
    if not isinstance(reason, str) or not any(ch.isalpha() for ch in reason):
        raise OverrideError("give the reason for overriding the screening band, in words")
    if not isinstance(by, str) or not by.strip():
        raise OverrideError("say who is overriding the screening band")
    if chosen == result.band:
        raise OverrideError(f"the screening band is already {chosen.label!r}; nothing to override")
    return dataclasses.replace(
        result,
        override=Override(band=chosen, from_band=result.band, reason=reason.strip(), by=by.strip()),
    )


def _contribution(
    scheme: ScreeningScheme, indicator_id: str, seen_on: date, as_of: date
) -> Contribution:
    indicator = scheme.indicator(indicator_id)
    group = scheme.group(indicator.group)
    window = group.window_for(seen_on, as_of)
    seen = f"Seen {when_seen(seen_on, as_of)}"
    if window is None:
        oldest = max(w.within_months or 0 for w in group.points)
        points, months = 0, None
        explanation = f"{seen}, outside the {oldest}-month window: scored 0"
    else:
        points, months = window.points, window.within_months
        when = (
            ", which counts at any age" if months is None else f", within the {months}-month window"
        )
        explanation = f"{seen}{when}: {points} point{'s' if points != 1 else ''}"
    return Contribution(
        indicator_id=indicator.id,
        label=indicator.label,
        group=indicator.group,
        critical=indicator.critical,
        seen_on=seen_on,
        points=points,
        within_months=months,
        explanation=explanation,
        aged_out=window is None,
    )


def _months_after(day: date, months: int) -> date:
    return months_before(day, -months)

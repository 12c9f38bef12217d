"""A child's one current band across every concern about them.

Each concern's screening scores what one agency saw. A child exploited in one place and seen
by several agencies may have only fragments in each: a school's missing lessons, the police's
car, the health service's injury. :func:`combined_band` puts them together:

1. **Everything together.** Every observation from all the child's screenings is scored as
   one screening (each indicator by its most recent sighting), as of the newest screening's
   day, so fragments from different agencies add up.
2. **Nothing in date is masked.** The child's band is never lower than the current band
   (after any regrading) of a screening within the scheme's reassessment period before the
   newest one: a newer low screening from one agency cannot hide a higher one still in date.
3. **Judgement stands on its own evidence.** Where a professional changed a screening's band
   (a regrading, lowered only with a second person's sign-off) and that screening, still in
   date, already holds every sighting the combined score counts, the judgement replaces the
   combined score: scoring the same evidence again must not undo it. New evidence (another
   indicator, or a newer sighting) makes the combined score count again.

Time is the screenings' own (the newest screening's day), never the clock, so the same events
always give the same band.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tocsin.domain.screening._scheme import Band, ScreeningScheme, months_before
from tocsin.domain.screening._score import Observation, ScreeningResult, score

__all__ = ["ChildBand", "ChildScreening", "child_band_rule", "combined_band"]


@dataclass(frozen=True)
class ChildScreening:
    """One screening of the child, as the combined band needs it."""

    screening_id: str
    concern_id: str
    as_of: date
    #: the band the screening's score gave.
    scored_band: str
    #: the band now, after any regrading.
    current_band: str
    observations: tuple[Observation, ...]

    @property
    def regraded(self) -> bool:
        """Whether a professional's judgement changed the band the score gave."""
        return self.current_band != self.scored_band

    def as_json(self) -> dict[str, Any]:
        """JSON-ready values (ISO dates), as a projection keeps them (without the id)."""
        return {
            "concern_id": self.concern_id,
            "as_of": self.as_of.isoformat(),
            "scored_band": self.scored_band,
            "current_band": self.current_band,
            "observations": [
                {"indicator_id": o.indicator_id, "seen_on": o.seen_on.isoformat()}
                for o in self.observations
            ],
        }

    @classmethod
    def from_json(cls, screening_id: str, values: Mapping[str, Any]) -> ChildScreening:
        """The screening :meth:`as_json` gave ``values`` for."""
        return cls(
            screening_id=screening_id,
            concern_id=str(values["concern_id"]),
            as_of=date.fromisoformat(values["as_of"]),
            scored_band=values["scored_band"],
            current_band=values["current_band"],
            observations=tuple(
                Observation(o["indicator_id"], date.fromisoformat(o["seen_on"]))
                for o in values["observations"]
            ),
        )


@dataclass(frozen=True)
class ChildBand:
    """The child's band across all their concerns, and what set it."""

    band: Band
    #: the newest screening's day: the band is as of then.
    as_of: date
    #: every observation of every screening, scored together as of :attr:`as_of`.
    combined: ScreeningResult
    #: "combined" (the indicators together), "screening" (one screening's band in date was
    #: higher) or "judgement" (a regrading of the same evidence replaced the combined score).
    basis: str
    #: the screening whose band set the child's band ("" when the combined score did).
    set_by: str
    #: how many screenings there are, and how many of them are in date.
    screenings: int
    in_date: int

    @property
    def explanation(self) -> str:
        """What set the band, in one sentence."""
        if self.basis == "screening":
            return (
                f"One screening's band ({self.band.label}) is higher than the indicators scored "
                "together give, and it is recent enough to count."
            )
        if self.basis == "judgement":
            return (
                f"A professional set this screening's band ({self.band.label}) on the same "
                "indicators, so their judgement stands."
            )
        points = f"{self.combined.score} point{'' if self.combined.score == 1 else 's'}"
        if self.screenings == 1:
            return f"The screening's indicators give {points}."
        return (
            f"The indicators of all {self.screenings} screenings, scored together, give {points}."
        )


def child_band_rule(scheme: ScreeningScheme | None = None) -> str:
    """How the child's band is worked out, in one sentence for the page (under ``scheme``,
    default the scheme in force)."""
    if scheme is None:
        from tocsin.domain.screening._policy import scheme as scheme_in_force

        scheme = scheme_in_force()
    months = scheme.reassess_within_months
    return (
        "Every indicator from all this child's screenings is scored together as of the newest "
        f"screening; the band is never lower than that of any screening in the {months} months "
        "before it."
    )


def combined_band(
    screenings: Iterable[ChildScreening], scheme: ScreeningScheme | None = None
) -> ChildBand | None:
    """The child's band across ``screenings`` (in the order they were recorded, which breaks
    ties between screenings on the same day) under ``scheme`` (default: the scheme in force);
    None if there are none.

    Observations of indicators the scheme no longer has, and bands it no longer has, are left
    out rather than refused: a screening recorded under an older scheme still counts for what
    the scheme in force can read of it.
    """
    if scheme is None:
        from tocsin.domain.screening._policy import scheme as scheme_in_force

        scheme = scheme_in_force()
    ordered = sorted(enumerate(screenings), key=lambda pair: (pair[1].as_of, pair[0]))
    every: list[ChildScreening] = [s for _, s in ordered]
    if not every:
        return None
    newest = every[-1].as_of
    known = {indicator.id for indicator in scheme.indicators}
    pool = [o for s in every for o in s.observations if o.indicator_id in known]
    combined = score(scheme, pool, newest)
    since = months_before(newest, scheme.reassess_within_months)
    in_date = [s for s in every if s.as_of >= since]
    rank = {band.id: position for position, band in enumerate(scheme.bands)}

    band, basis, set_by = combined.scored_band, "combined", ""
    # The sightings that score: a judgement made on all of them stands for the combined score.
    counted = {(c.indicator_id, c.seen_on) for c in combined.contributions if c.points}
    for judged in reversed(in_date):
        seen = {(o.indicator_id, o.seen_on) for o in judged.observations}
        if judged.regraded and judged.current_band in rank and counted <= seen:
            band, basis, set_by = scheme.band(judged.current_band), "judgement", judged.screening_id
            break
    for screening in _highest_first(in_date, rank):
        if rank[screening.current_band] > rank[band.id]:
            band, basis = scheme.band(screening.current_band), "screening"
            set_by = screening.screening_id
        break
    return ChildBand(
        band=band,
        as_of=newest,
        combined=combined,
        basis=basis,
        set_by=set_by,
        screenings=len(every),
        in_date=len(in_date),
    )


def _highest_first(
    screenings: Sequence[ChildScreening], rank: dict[str, int]
) -> list[ChildScreening]:
    """Screenings with a band the scheme has, highest band first, the newest first among
    equals."""
    known = [(position, s) for position, s in enumerate(screenings) if s.current_band in rank]
    known.sort(key=lambda pair: (rank[pair[1].current_band], pair[0]), reverse=True)
    return [s for _, s in known]

"""What recording a concern appends, built from its draft: pure, so that every route in
(the form, the public page, the API, import, the demo) records the same events, and a test
can check them without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tocsin.domain import screening
from tocsin.domain.concerns._draft import ConcernDraft, IndicatorSeen
from tocsin.domain.concerns._events import ChildScreened
from tocsin.domain.language import check_text

__all__ = ["child_screened", "language_warning_count"]


def child_screened(
    *,
    screening_id: str,
    concern_id: str,
    child_id: str,
    indicators: Sequence[IndicatorSeen],
    as_of: date,
) -> ChildScreened:
    """A child's screening at a concern, scored under the scheme in force, as an event."""
    current = screening.scheme()
    result = screening.screen(
        [screening.Observation(i.indicator_id, i.seen_on) for i in indicators], as_of
    )
    return ChildScreened(
        screening_id=screening_id,
        concern_id=concern_id,
        child_id=child_id,
        scheme=current.scheme,
        scheme_version=str(current.version),
        as_of=as_of.isoformat(),
        observations=[
            {"indicator_id": i.indicator_id, "seen_on": i.seen_on.isoformat()} for i in indicators
        ],
        contributions=[
            {
                "indicator_id": c.indicator_id,
                "label": c.label,
                "group": c.group,
                "seen_on": c.seen_on.isoformat(),
                "points": c.points,
                "explanation": c.explanation,
            }
            for c in result.contributions
        ],
        score=result.score,
        band=result.band.id,
    )


def language_warning_count(draft: ConcernDraft) -> int:
    """The language check's warnings over every free-text field of a concern, counted for the
    statistics (they never block)."""
    texts = [draft.narrative, draft.occurred_where]
    texts += [person.description for person in draft.persons]
    return sum(len(check_text(text)) for text in texts if text)

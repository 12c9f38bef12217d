"""The screening scheme and the language check, as the concern actions use them.

One place decides which scheme file and phrase table are in force, so that the form, the API,
import and the demo screen and check identically.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from functools import cache

from tocsin.domain.concerns import ChildScreened, ConcernDraft, IndicatorSeen
from tocsin.domain.language import LanguageWarning, check_text
from tocsin.domain.screening import Observation, ScreeningScheme, load_scheme, score

__all__ = [
    "bands",
    "indicator_ids",
    "language_warning_count",
    "language_warning_count_text",
    "language_warnings",
    "scheme",
    "screen",
]


@cache
def scheme() -> ScreeningScheme:
    """The screening scheme in force (the SERAF-style default, versioned)."""
    return load_scheme()


def indicator_ids() -> set[str]:
    return {indicator.id for indicator in scheme().indicators}


def bands() -> list[str]:
    """Band ids, lowest first."""
    return [band.id for band in scheme().bands]


def screen(
    concern_id: str, child_id: str, indicators: Sequence[IndicatorSeen], as_of: date
) -> ChildScreened:
    """Score a child's indicators under the scheme in force, as an event to append."""
    current = scheme()
    result = score(
        current, [Observation(i.indicator_id, i.seen_on) for i in indicators], as_of=as_of
    )
    return ChildScreened(
        screening_id=str(uuid.uuid4()),
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


def language_warnings(text: str) -> list[LanguageWarning]:
    """The language check's warnings for one piece of free text (they never block)."""
    return list(check_text(text))


def language_warning_count_text(text: str) -> int:
    return len(language_warnings(text))


def language_warning_count(draft: ConcernDraft) -> int:
    """Warnings over every free-text field of a concern, counted for the statistics."""
    texts = [draft.narrative, draft.occurred_where]
    texts += [person.description for person in draft.persons]
    return sum(language_warning_count_text(text) for text in texts if text)

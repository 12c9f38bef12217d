"""The screening scheme and the language check, as the concern actions use them.

One place decides which scheme file and phrase table are in force, so that the form, the API,
import and the demo screen and check identically.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from tocsin.domain.concerns import ChildScreened, ConcernDraft, IndicatorSeen

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
def scheme() -> Any:
    """The screening scheme in force (the SERAF-style default, versioned)."""
    from tocsin.domain.screening import load_scheme

    return load_scheme()


def indicator_ids() -> set[str]:
    return {indicator.id for indicator in scheme().indicators}


def bands() -> list[str]:
    return [band.name for band in scheme().bands]


def screen(
    concern_id: str, child_id: str, indicators: Sequence[IndicatorSeen], as_of: date
) -> ChildScreened:
    """Score a child's indicators under the scheme in force, as an event to append."""
    from tocsin.domain.screening import Observation, score

    current = scheme()
    result = score(
        current, [Observation(i.indicator_id, i.seen_on) for i in indicators], as_of=as_of
    )
    return ChildScreened(
        screening_id=str(uuid.uuid4()),
        concern_id=concern_id,
        child_id=child_id,
        scheme=current.name,
        scheme_version=str(current.version),
        as_of=as_of.isoformat(),
        observations=[
            {"indicator_id": i.indicator_id, "seen_on": i.seen_on.isoformat()} for i in indicators
        ],
        contributions=[
            {"indicator_id": c.indicator_id, "points": c.points} for c in result.contributions
        ],
        score=result.score,
        band=result.band.name,
    )


def language_warnings(text: str) -> list[Any]:
    """The language check's warnings for one piece of free text (they never block)."""
    from tocsin.domain.language import check_text

    return list(check_text(text))


def language_warning_count_text(text: str) -> int:
    return len(language_warnings(text))


def language_warning_count(draft: ConcernDraft) -> int:
    """Warnings over every free-text field of a concern, counted for the statistics."""
    texts = [draft.narrative, draft.occurred_where]
    texts += [person.description for person in draft.persons]
    return sum(language_warning_count_text(text) for text in texts if text)

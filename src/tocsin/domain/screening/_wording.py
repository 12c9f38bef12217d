"""How screening explains itself to people: how long before the screening an indicator was
seen ("13 months before the screening"), and the notice for indicators seen too long ago to
count. Every route (the form's check page, the screening page, the concern page, the API) uses
these, so they all say the same thing in the same words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tocsin.domain.screening._scheme import months_before

if TYPE_CHECKING:
    from tocsin.domain.screening._score import Contribution

__all__ = ["StaleNotice", "interval_before", "stale_notice", "when_seen"]


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _whole_months(earlier: date, later: date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    while months > 0 and months_before(later, months) < earlier:
        months -= 1
    return max(months, 0)


def interval_before(earlier: date, later: date) -> str:
    """How long before ``later`` the day ``earlier`` was, as people say it: "4 days",
    "2 weeks and 3 days", "13 months", "13 months and 5 days", "over 3 years". Calendar
    months, as the scheme's windows count them; "" for the same day."""
    if earlier >= later:
        return ""
    months = _whole_months(earlier, later)
    left = (months_before(later, months) - earlier).days
    if months == 0:
        weeks, days = divmod(left, 7)
        if weeks == 0:
            return _plural(days, "day")
        return _plural(weeks, "week") + (f" and {_plural(days, 'day')}" if days else "")
    if months < 24:
        return _plural(months, "month") + (f" and {_plural(left, 'day')}" if left else "")
    years, months = divmod(months, 12)
    text = _plural(years, "year") + (f" and {_plural(months, 'month')}" if months else "")
    return f"over {text}" if left else text


def when_seen(seen_on: date, as_of: date) -> str:
    """ "on the day of the screening" or "13 months before the screening"."""
    interval = interval_before(seen_on, as_of)
    return f"{interval} before the screening" if interval else "on the day of the screening"


@dataclass(frozen=True)
class StaleNotice:
    """What to tell people when indicators were seen too long ago to count towards the band:
    ``summary`` (how many, and that they scored 0), the indicators themselves, and
    ``advice`` (what to do if they are still happening)."""

    indicators: tuple[Contribution, ...]
    summary: str
    advice: str

    @property
    def message(self) -> str:
        """The notice in one paragraph (for the API and plain text)."""
        labels = "; ".join(c.label for c in self.indicators)
        return f"{self.summary}: {labels}. {self.advice}"


def stale_notice(
    contributions: Iterable[Contribution], *, before_recording: bool = False
) -> StaleNotice | None:
    """The notice for the indicators among ``contributions`` seen too long ago to count
    (``aged_out``); None if there are none. ``before_recording``: the screening is not
    recorded yet, so the advice is to correct the date rather than to screen again."""
    aged = tuple(c for c in contributions if c.aged_out)
    if not aged:
        return None
    one = len(aged) == 1
    summary = (
        f"{'1 indicator was' if one else f'{len(aged)} indicators were'} seen too long ago to "
        f"count towards the band, so {'it' if one else 'they'} scored 0"
    )
    if before_recording:
        advice = (
            "If it is still happening, change its date to the day it was last seen."
            if one
            else "If any are still happening, change their dates to the day each was last seen."
        )
    else:
        advice = (
            "If it is still happening, screen again with the date it was last seen."
            if one
            else "If any are still happening, screen again with the date they were last seen."
        )
    return StaleNotice(indicators=aged, summary=summary, advice=advice)

"""Dates as people read them: event times, and deadlines ("by the end of ...")."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tocsin.server.web._dates import deadline, for_people


def test_an_event_time_in_local_time() -> None:
    assert for_people("2026-07-01T13:05:00.000000Z") == "1 July 2026 at 14:05"  # summer time
    assert for_people(date(2026, 12, 6)) == "6 December 2026"
    assert for_people("2026-03-27") == "27 March 2026"  # a day, not midnight at a time
    assert for_people("") == ""


@pytest.mark.parametrize(
    ("due", "shown"),
    [
        # Working-day deadlines fall due at the start of the next day, local time.
        (datetime(2026, 12, 8, 0, 0, tzinfo=UTC), "by the end of Monday 7 December 2026"),
        (datetime(2026, 6, 30, 23, 0, tzinfo=UTC), "by the end of Tuesday 30 June 2026"),
        # An hours deadline (crime recording within 24 hours) at its hour.
        (datetime(2026, 12, 8, 14, 5, tzinfo=UTC), "by 14:05 on 8 December 2026"),
        (date(2026, 12, 4), "by the end of Friday 4 December 2026"),
    ],
)
def test_a_deadline_says_by_when(due: object, shown: str) -> None:
    assert deadline(due) == shown  # type: ignore[arg-type]

"""Bounds on what anyone may type in, shared by every route (forms, the public page, the API
and import), so that input the rest of Tocsin cannot handle is refused as a field problem
with a message, never reaches the database or the clocks, and never becomes a server error.

- **Days** lie between :data:`EARLIEST_DAY` and :data:`LATEST_DAY`. A year such as 99999 or
  a day such as 99999999999 is not a date at all; a date in year 9999 is one, but adding a
  working day or a deadline to it overflows Python's calendar.
- **Text** holds no control characters: NUL (which PostgreSQL cannot store), escape codes,
  bell and the like are never part of what a person meant to write. Free text (a narrative,
  a note) may hold tabs and line breaks; a one-line field (a name, a postcode) may hold tabs
  only (a line break there would split the name on every page and in every export).

Plain Python; imports nothing from Django.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

__all__ = [
    "CONTROL_CHARACTERS",
    "EARLIEST_DAY",
    "LATEST_DAY",
    "control_characters_problem",
    "day_from_parts",
    "day_problem",
    "whole_number",
]

#: The earliest day any date in Tocsin may be (a date of birth, when something happened).
EARLIEST_DAY = date(1900, 1, 1)
#: The latest day any date may be (a meeting action's due date is the furthest ahead anyone
#: writes); far enough from year 9999 that a deadline computed from it cannot overflow.
LATEST_DAY = date(2199, 12, 31)

#: The message when a date is outside the bounds.
_OUT_OF_RANGE = (
    f"Enter a date between {EARLIEST_DAY.year} and {LATEST_DAY.year}, with day, month and year"
)
CONTROL_CHARACTERS = (
    "Remove the control characters (such as NUL or escape codes) from this answer; they are "
    "usually pasted in by mistake from another system"
)
_ONE_LINE_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_FREE_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def day_problem(day: date | None) -> str | None:
    """Why ``day`` cannot be a date in Tocsin (outside :data:`EARLIEST_DAY` to
    :data:`LATEST_DAY`), or None if it can; None is no date, which is for the caller to judge."""
    if day is None or EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return _OUT_OF_RANGE


def whole_number(text: str) -> int | None:
    """``text`` as a whole number written in the digits 0-9 (at most 18 of them), or None.

    ``str.isdigit`` is true of "²" and of other scripts' digits, which ``int`` then refuses
    or reads in ways nobody checking the page would expect; this reads only what it shows."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 18 or not cleaned.isascii() or not cleaned.isdigit():
        return None
    return int(cleaned)


def day_from_parts(day: str, month: str, year: str) -> tuple[date | None, str | None]:
    """A GOV.UK date input's three answers as a date, or the message saying what is wrong.

    Each part must be a whole number in 0-9 digits; the date must exist and lie within the
    bounds. Nothing here raises, however long or strange the answers are."""
    parts = [whole_number(part) for part in (day, month, year)]
    if any(part is None for part in parts):
        return None, "Enter a real date, with day, month and year as numbers"
    d, m, y = (int(part) for part in parts if part is not None)
    if not EARLIEST_DAY.year <= y <= LATEST_DAY.year:
        return None, _OUT_OF_RANGE
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None, "Enter a real date, with day, month and year"
    try:
        found = date(y, m, d)
    except (ValueError, OverflowError):
        return None, "Enter a real date, with day, month and year"
    return found, day_problem(found)


def control_characters_problem(text: str, *, free_text: bool = False) -> str | None:
    """The message if ``text`` holds control characters (tab is always allowed; line breaks
    only in ``free_text``), or None if it holds none. Lone surrogates count too: no keyboard
    types them and they cannot be stored as UTF-8."""
    if text.isprintable():
        # Every character the patterns below look for (controls, line and paragraph
        # separators, surrogates) is unprintable: most texts are done with in one C call.
        return None
    pattern = _FREE_TEXT_CONTROLS if free_text else _ONE_LINE_CONTROLS
    if pattern.search(text):
        return CONTROL_CHARACTERS
    if not text.isascii() and any(unicodedata.category(ch) == "Cs" for ch in text):
        return CONTROL_CHARACTERS
    return None

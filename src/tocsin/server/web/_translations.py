"""How far each public language's catalogue has been reviewed by a fluent speaker.

Each entry of ``locale/<lang>/LC_MESSAGES/django.po`` carries a translator comment: either the
draft's ("needs review by a fluent speaker") or the reviewer's ("reviewed by <role>, <date>"),
as docs/web.md describes. Staff see the languages with entries still to review on the public
pages; the public never do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Review", "catalogue_review", "unreviewed_languages"]

LOCALE = Path(__file__).resolve().parent / "locale"
#: Catalogue code → the language's name in English (the notice is for staff, in English).
CATALOGUES = {"ur": "Urdu", "pl": "Polish"}
NEEDS_REVIEW = "needs review by a fluent speaker"
REVIEWED = re.compile(r"^# reviewed by [^,\n]+, \d{4}-\d{2}(?:-\d{2})?\b")


@dataclass(frozen=True)
class Review:
    """One catalogue: its language, how many entries it has and how many still need review."""

    code: str
    language: str
    entries: int
    to_review: int
    unmarked: tuple[str, ...]


def _entries(text: str) -> list[tuple[list[str], str]]:
    """Each entry's comment lines and msgid (the header, with the empty msgid, left out)."""
    found = []
    for block in text.split("\n\n"):
        lines = block.strip("\n").splitlines()
        msgid = next((line for line in lines if line.startswith("msgid ")), None)
        if msgid is None or msgid == 'msgid ""':
            continue
        found.append(([line for line in lines if line.startswith("# ")], msgid[7:-1]))
    return found


def catalogue_review(code: str) -> Review:
    """Read one catalogue's marks; an entry marked neither way is listed in ``unmarked``."""
    text = (LOCALE / code / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    to_review = 0
    unmarked = []
    entries = _entries(text)
    for comments, msgid in entries:
        if any(NEEDS_REVIEW in line for line in comments):
            to_review += 1
        elif not any(REVIEWED.match(line) for line in comments):
            unmarked.append(msgid)
    return Review(code, CATALOGUES[code], len(entries), to_review, tuple(unmarked))


@cache
def unreviewed_languages() -> tuple[Review, ...]:
    """The public languages with entries not yet reviewed (read once per process)."""
    reviews = (catalogue_review(code) for code in CATALOGUES)
    return tuple(review for review in reviews if review.to_review or review.unmarked)

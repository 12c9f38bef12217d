"""Checking free text against the phrase table: warnings with offsets, never a refusal."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tocsin.domain.language._table import PhraseTable, default_phrase_table

__all__ = ["LanguageWarning", "check_fields", "check_text"]


@dataclass(frozen=True)
class LanguageWarning:
    """Wording in a text that the phrase table suggests changing.

    ``start`` and ``end`` are offsets into the checked text (Python string indices, so
    ``text[start:end] == matched``); a page highlights that span and shows the alternatives.
    ``use_instead`` holds the phrase's suggestions for this wording, with an age it states
    filled in (:meth:`Phrase.suggestions`).
    """

    phrase_id: str
    start: int
    end: int
    matched: str
    avoid: str
    use_instead: tuple[str, ...]
    why: str
    table_version: int

    @property
    def message(self) -> str:
        """One sentence for a person: what was found, what to write instead, and why."""
        options = " or ".join(f"“{option}”" for option in self.use_instead)
        return f"“{self.matched}”: consider {options}. {self.why}"

    def as_dict(self) -> dict[str, Any]:
        """The warning as JSON-ready values, for the API and for counting in events."""
        return {
            "phrase_id": self.phrase_id,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "avoid": self.avoid,
            "use_instead": list(self.use_instead),
            "why": self.why,
            "table_version": self.table_version,
        }


def check_text(text: str, table: PhraseTable | None = None) -> list[LanguageWarning]:
    """Every wording in ``text`` that ``table`` (default: Tocsin's) suggests changing.

    Warnings come in order of position. The check only advises: callers show the warnings
    and save the text as written.
    """
    if table is None:
        return list(_default_warnings(text))
    return _warnings(text, table)


@functools.lru_cache(maxsize=4096)
def _default_warnings(text: str) -> tuple[LanguageWarning, ...]:
    """The default table's warnings for ``text``, remembered: the same few texts come back
    time and again in bulk work (a rationale, a note the demo's case work repeats), and the
    search is most of the check's cost. The warnings are frozen, so sharing them is safe."""
    return tuple(_warnings(text, default_phrase_table()))


def _warnings(text: str, table: PhraseTable) -> list[LanguageWarning]:
    if not table.might_match(text):
        return []
    warnings = [
        LanguageWarning(
            phrase_id=phrase.id,
            start=start,
            end=end,
            matched=text[start:end],
            avoid=phrase.avoid,
            use_instead=phrase.suggestions(text[start:end]),
            why=phrase.why,
            table_version=table.version,
        )
        for phrase in table.phrases
        for start, end in table.spans(phrase, text)
    ]
    warnings.sort(key=lambda w: (w.start, w.end, w.phrase_id))
    return warnings


def check_fields(
    fields: Mapping[str, str | None], table: PhraseTable | None = None
) -> dict[str, list[LanguageWarning]]:
    """Check several free-text fields at once (a concern's narrative, a minute's sections).

    Returns only the fields that have warnings, in the order given; empty fields (``None`` or
    blank) are skipped, so ``sum(len(w) for w in result.values())`` is the number to count.
    """
    table = table or default_phrase_table()
    found: dict[str, list[LanguageWarning]] = {}
    for name, text in fields.items():
        if not text:
            continue
        warnings = check_text(text, table)
        if warnings:
            found[name] = warnings
    return found

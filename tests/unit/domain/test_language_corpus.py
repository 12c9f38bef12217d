"""The language check against its corpora (tests/data/language/): every flagged sentence is
flagged by the phrase it is filed under, at the wording it names; no neutral sentence is
flagged by anything; and the corpora grow with the table, so that a phrase without enough
sentences, or a pattern that no sentence exercises, fails here.

To see the corpora with the pattern each sentence tests::

    PYTHONPATH=src python tests/unit/domain/test_language_corpus.py
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import NamedTuple

import pytest

from tocsin.domain.language import LanguageWarning, check_text, default_phrase_table

TABLE = default_phrase_table()
CORPORA = Path(__file__).resolve().parents[2] / "data" / "language"

#: Every phrase needs at least this many sentences it must flag …
MIN_FLAGGED = 5
#: … and at least this many near misses it must leave alone.
MIN_NEUTRAL = 3


class Flagged(NamedTuple):
    phrase_id: str
    text: str
    matched: str


class Neutral(NamedTuple):
    phrase_id: str
    text: str


def _sections(name: str) -> dict[str, list[object]]:
    with (CORPORA / name).open("rb") as file:
        raw = tomllib.load(file)
    return {phrase_id: section["sentences"] for phrase_id, section in raw.items()}


FLAGGED_SECTIONS = _sections("flagged.toml")
NEUTRAL_SECTIONS = _sections("neutral.toml")
FLAGGED = [
    Flagged(phrase_id, entry["text"], entry["matched"])  # type: ignore[index]
    for phrase_id, entries in FLAGGED_SECTIONS.items()
    for entry in entries
]
NEUTRAL = [
    Neutral(phrase_id, str(text)) for phrase_id, texts in NEUTRAL_SECTIONS.items() for text in texts
]
PHRASE_IDS = [phrase.id for phrase in TABLE.phrases]


def warnings_for(phrase_id: str, text: str) -> list[LanguageWarning]:
    return [w for w in check_text(text) if w.phrase_id == phrase_id]


def _id(sentence: Flagged | Neutral) -> str:
    return f"{sentence.phrase_id}: {sentence.text}"


# --- the corpora themselves -------------------------------------------------------------------


def test_the_corpora_name_only_phrases_of_the_table() -> None:
    assert set(FLAGGED_SECTIONS) <= set(PHRASE_IDS), set(FLAGGED_SECTIONS) - set(PHRASE_IDS)
    assert set(NEUTRAL_SECTIONS) <= set(PHRASE_IDS), set(NEUTRAL_SECTIONS) - set(PHRASE_IDS)


def test_no_sentence_is_listed_twice_or_on_both_sides() -> None:
    flagged = [s.text for s in FLAGGED]
    neutral = [s.text for s in NEUTRAL]
    assert len(set(flagged)) == len(flagged)
    assert len(set(neutral)) == len(neutral)
    assert set(flagged).isdisjoint(neutral)


@pytest.mark.parametrize("phrase_id", PHRASE_IDS)
def test_every_phrase_has_enough_flagged_sentences_and_near_misses(phrase_id: str) -> None:
    flagged = [s for s in FLAGGED if s.phrase_id == phrase_id]
    neutral = [s for s in NEUTRAL if s.phrase_id == phrase_id]
    assert len(flagged) >= MIN_FLAGGED, (
        f"{phrase_id} has {len(flagged)} flagged sentences in flagged.toml; add at least "
        f"{MIN_FLAGGED}"
    )
    assert len(neutral) >= MIN_NEUTRAL, (
        f"{phrase_id} has {len(neutral)} near misses in neutral.toml; add at least {MIN_NEUTRAL}"
    )


@pytest.mark.parametrize(
    ("phrase_id", "pattern"),
    [(p.id, pattern) for p in TABLE.phrases for pattern in p.patterns],
)
def test_every_pattern_catches_a_flagged_sentence(phrase_id: str, pattern: str) -> None:
    phrase = TABLE.phrase(phrase_id)
    exercised = [
        s.text
        for s in FLAGGED
        if s.phrase_id == phrase_id and pattern in TABLE.matching_patterns(phrase, s.text)
    ]
    assert exercised, f"no sentence in flagged.toml under [{phrase_id}] exercises {pattern!r}"


# --- flagged sentences ------------------------------------------------------------------------


@pytest.mark.parametrize("sentence", FLAGGED, ids=_id)
def test_a_flagged_sentence_is_flagged_by_its_phrase_at_the_named_wording(
    sentence: Flagged,
) -> None:
    found = warnings_for(sentence.phrase_id, sentence.text)
    assert [w.matched for w in found] == [sentence.matched]
    [warning] = found
    assert sentence.text[warning.start : warning.end] == warning.matched
    assert warning.use_instead, "a warning always suggests something"
    assert all("{" not in option for option in warning.use_instead)


@pytest.mark.parametrize("sentence", FLAGGED, ids=_id)
def test_a_flagged_sentence_is_flagged_inside_a_longer_note(sentence: Flagged) -> None:
    prefix = "Visit on 3 May, aged 15.\nSeen at home with mum — café visit earlier. 🙂 "
    note = f"{prefix}{sentence.text}\nNext visit booked for 22 June."
    [warning] = warnings_for(sentence.phrase_id, note)
    assert (warning.start - len(prefix), warning.matched) == (
        sentence.text.index(sentence.matched),
        sentence.matched,
    )


# --- neutral sentences ------------------------------------------------------------------------


@pytest.mark.parametrize("sentence", NEUTRAL, ids=_id)
def test_a_neutral_sentence_draws_no_warning(sentence: Neutral) -> None:
    found = check_text(sentence.text)
    assert found == [], [(w.phrase_id, w.matched) for w in found]


def test_all_neutral_sentences_as_one_note_draw_no_warning() -> None:
    assert check_text(" ".join(s.text for s in NEUTRAL)) == []
    assert check_text("\n".join(s.text for s in NEUTRAL)) == []


def test_the_corpora_hold_enough_sentences_overall() -> None:
    assert len(FLAGGED) >= MIN_FLAGGED * len(PHRASE_IDS)
    assert len(NEUTRAL) >= 100


def show() -> str:
    """The corpora as text: each sentence, its phrase, and the patterns it exercises."""
    lines = ["FLAGGED (phrase | sentence | matched | pattern)"]
    for sentence in FLAGGED:
        phrase = TABLE.phrase(sentence.phrase_id)
        patterns = " / ".join(TABLE.matching_patterns(phrase, sentence.text))
        found = [w.matched for w in warnings_for(sentence.phrase_id, sentence.text)]
        mark = "ok " if found == [sentence.matched] else "MISSED"
        lines.append(
            f"{mark} {sentence.phrase_id} | {sentence.text} | {sentence.matched} | {patterns}"
        )
    lines.append("")
    lines.append("NEUTRAL (phrase it is a near miss for | sentence | warnings)")
    for neutral in NEUTRAL:
        warnings = [f"{w.phrase_id}: {w.matched}" for w in check_text(neutral.text)]
        mark = "ok " if not warnings else "FLAGGED"
        lines.append(f"{mark} {neutral.phrase_id} | {neutral.text} | {warnings or 'none'}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(show())


def test_the_one_search_finds_a_match_wherever_some_pattern_matches() -> None:
    """``might_match`` (every pattern in one expression, grouped by first character) says yes
    exactly where one of the patterns, searched alone, matches: at every word of every
    corpus sentence, alone and in the middle of a note, in any case."""
    expressions = [
        compiled.expression for patterns in TABLE._compiled.values() for compiled in patterns
    ]
    texts = [s.text for s in FLAGGED] + [s.text for s in NEUTRAL]
    starts = {m.start() for text in texts for m in re.finditer(r"\b\w", text)}
    assert starts
    checked = matched = 0
    for text in texts:
        for variant in (text, text.upper(), f"Seen today. {text} Nothing else."):
            for start in [0, *(m.start() for m in re.finditer(r"\b\w", variant))][:40]:
                tail = variant[start:]
                expected = any(e.search(tail) for e in expressions)
                assert TABLE.might_match(tail) is expected, tail
                checked += 1
                matched += expected
    assert matched and checked - matched  # both answers were exercised

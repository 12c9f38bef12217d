"""The small pattern language of the phrase table, compiled to regular expressions.

Table authors are practitioners, not programmers, so a pattern is written as words with a few
additions, and never as a raw regular expression:

* ``[a|b|c]`` — one of several alternatives; an empty alternative (``[older |]``) makes the
  group optional. Alternatives may hold several words and ``{name}`` references.
* ``{name}`` — any entry of the table's ``[words]`` list called ``name`` (pronouns, for example).
  An entry may itself refer to another list (``"{family}'s"``), but never, even indirectly, to
  its own list.
* ``{adult_age}`` — built in: an age of 18 to 99, in figures (``22``) or words
  (``twenty-two``), but not a decade (``20s``) or part of a longer number. A suggestion of the
  phrase can repeat the age found with ``{age}`` (see :func:`adult_age_in`).
* ``![a|b]`` at the very start — the match does not count when preceded by one of these words;
  at the very end — when followed by one of them. Guards may use ``{name}`` but not ``[...]``.

Matching is case-insensitive and whole-word: a space matches any run of spaces, line breaks or
hyphens, a hyphen matches an optional space or hyphen, both kinds of apostrophe match, and the
punctuation ``/ . & , ( )`` stands for itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ADULT_AGE", "CompiledPattern", "PatternError", "adult_age_in", "compile_pattern"]

_GAP = r"[\s\-]+"
_HYPHEN = r"[\s\-]?"
_APOSTROPHE = "['’]"
_LITERAL_PUNCTUATION = "/.&,()"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

#: The built-in word list: an adult's age, 18 to 99, in figures or in words.
ADULT_AGE = "adult_age"
_TENS = "twenty|thirty|forty|fourty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_ADULT_AGE_PATTERN = (
    # Figures: not inside a longer number (2022, 22.5, £220), not a decade (20s, 30's) and
    # not a day of the month (22nd).
    r"(?<![\w£$€.,])(?:1[89]|[2-9][0-9])(?![.,]?[0-9])(?!(?:['’]?s|st|nd|rd|th)(?!\w))"
    rf"|(?<!\w)(?:eighteen|nineteen|(?:{_TENS})(?:[\s\-]?(?:{_UNITS}))?)(?!\w)"
)
_ADULT_AGE = re.compile(_ADULT_AGE_PATTERN, re.IGNORECASE)


class PatternError(ValueError):
    """A pattern is not written in the phrase table's pattern language."""


@dataclass(frozen=True)
class CompiledPattern:
    """One pattern ready to search: the expression and its optional guards."""

    source: str
    expression: re.Pattern[str]
    #: the match does not count when these words come just before it.
    not_after: re.Pattern[str] | None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Every (start, end) in ``text`` where this pattern matches and no guard objects."""
        found = []
        for match in self.expression.finditer(text):
            start = match.start()
            # Look back a bounded distance: guards are a few words, never a paragraph.
            if self.not_after is not None and self.not_after.search(
                text, max(0, start - 200), start
            ):
                continue
            found.append((start, match.end()))
        return found


def adult_age_in(text: str) -> str | None:
    """The first adult's age (18 to 99) written in ``text``, as written; None if there is none.

    A phrase's suggestion can repeat it (``"an adult aged {age}"``) when its match states one.
    """
    found = _ADULT_AGE.search(text)
    return found.group(0) if found else None


def compile_pattern(source: str, words: Mapping[str, tuple[str, ...]]) -> CompiledPattern:
    """Compile one table pattern, or raise :class:`PatternError` saying what to change."""
    text = source.strip()
    if not text:
        raise PatternError("a pattern is empty; write the words to look for")
    not_after = None
    if text.startswith("!["):
        close = text.find("]")
        if close < 0:
            raise PatternError(f"{source!r}: '![' at the start has no closing ']'")
        guard = _alternatives(text[2:close], words, source)
        not_after = re.compile(rf"(?<!\w)(?:{guard}){_GAP}\Z", re.IGNORECASE)
        text = text[close + 1 :].strip()
    not_before = ""
    guard_at = text.rfind("![")
    if guard_at >= 0:
        if not text.endswith("]"):
            raise PatternError(f"{source!r}: '![...]' may only come at the very start or end")
        guard = _alternatives(text[guard_at + 2 : -1], words, source)
        not_before = rf"(?!{_GAP}(?:{guard})(?!\w))"
        text = text[:guard_at].strip()
    if not text:
        raise PatternError(f"{source!r} has guards but no words to look for")
    body = _sequence(text, words, source)
    expression = re.compile(rf"(?<!\w)(?:{body})(?!\w){not_before}", re.IGNORECASE)
    if expression.fullmatch(""):
        raise PatternError(f"{source!r} can match nothing at all; make some word required")
    return CompiledPattern(source=source, expression=expression, not_after=not_after)


def _alternatives(
    inside: str, words: Mapping[str, tuple[str, ...]], source: str, seen: tuple[str, ...] = ()
) -> str:
    # Longest first: a regular expression takes the first alternative that fits, and
    # "decision-making" must win over "decision" (the empty alternative always comes last).
    options = sorted(inside.split("|"), key=len, reverse=True)
    return "|".join(_sequence(option, words, source, seen) for option in options)


def _sequence(
    text: str, words: Mapping[str, tuple[str, ...]], source: str, seen: tuple[str, ...] = ()
) -> str:
    """Translate words, spaces, ``[...]`` groups and ``{name}`` references."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            while i < len(text) and text[i].isspace():
                i += 1
            out.append(_GAP)
            continue
        if char == "[":
            close = text.find("]", i)
            if close < 0 or "[" in text[i + 1 : close]:
                raise PatternError(f"{source!r}: '[' at position {i} has no matching ']'")
            out.append(f"(?:{_alternatives(text[i + 1 : close], words, source, seen)})")
            i = close + 1
        elif char == "{":
            close = text.find("}", i)
            if close < 0:
                raise PatternError(f"{source!r}: '{{' at position {i} has no matching '}}'")
            out.append(f"(?:{_word_list(text[i + 1 : close], words, source, seen)})")
            i = close + 1
        elif char == "-":
            out.append(_HYPHEN)
            i += 1
        elif char in "'’":
            out.append(_APOSTROPHE)
            i += 1
        elif char.isalnum() or char in _LITERAL_PUNCTUATION:
            out.append(re.escape(char))
            i += 1
        else:
            raise PatternError(
                f"{source!r}: the character {char!r} is not allowed; write words, "
                "[a|b] for alternatives and {name} for a word list"
            )
    return "".join(out)


def _word_list(
    name: str, words: Mapping[str, tuple[str, ...]], source: str, seen: tuple[str, ...]
) -> str:
    if not _NAME.match(name):
        raise PatternError(f"{source!r}: {{{name}}} is not a word-list name")
    if name == ADULT_AGE:
        return _ADULT_AGE_PATTERN
    if name in seen:
        chain = " -> ".join((*seen, name))
        raise PatternError(f"{source!r}: the word list {{{name}}} refers to itself ({chain})")
    if name not in words:
        known = ", ".join(sorted(words)) or "none"
        raise PatternError(
            f"{source!r} uses {{{name}}}, but the table has no such word list "
            f"(it has: {known}); add it under [words]"
        )
    # Longest first, so that "older men" is preferred to "men" where both would fit.
    entries = sorted(words[name], key=len, reverse=True)
    return "|".join(_sequence(entry, words, source, (*seen, name)) for entry in entries)

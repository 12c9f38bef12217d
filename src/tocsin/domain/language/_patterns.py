"""The small pattern language of the phrase table, compiled to regular expressions.

Table authors are practitioners, not programmers, so a pattern is written as words with two
additions, and never as a raw regular expression:

* ``[a|b|c]`` — one of several alternatives; an empty alternative (``[older |]``) makes the
  group optional. Alternatives may hold several words and ``{name}`` references.
* ``{name}`` — any entry of the table's ``[words]`` list called ``name`` (pronouns, for example).
* ``![a|b]`` at the very start — the match does not count when preceded by one of these words;
  at the very end — when followed by one of them.

Matching is case-insensitive and whole-word: a space matches any run of spaces, line breaks or
hyphens, a hyphen matches an optional space or hyphen, and both kinds of apostrophe match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["CompiledPattern", "PatternError", "compile_pattern"]

_GAP = r"[\s\-]+"
_HYPHEN = r"[\s\-]?"
_APOSTROPHE = "['’]"
_LITERAL_PUNCTUATION = "/.&,"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


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


def _alternatives(inside: str, words: Mapping[str, tuple[str, ...]], source: str) -> str:
    # Longest first: a regular expression takes the first alternative that fits, and
    # "decision-making" must win over "decision" (the empty alternative always comes last).
    options = sorted(inside.split("|"), key=len, reverse=True)
    return "|".join(_sequence(option, words, source) for option in options)


def _sequence(text: str, words: Mapping[str, tuple[str, ...]], source: str) -> str:
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
            out.append(f"(?:{_alternatives(text[i + 1 : close], words, source)})")
            i = close + 1
        elif char == "{":
            close = text.find("}", i)
            if close < 0:
                raise PatternError(f"{source!r}: '{{' at position {i} has no matching '}}'")
            out.append(f"(?:{_word_list(text[i + 1 : close], words, source)})")
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


def _word_list(name: str, words: Mapping[str, tuple[str, ...]], source: str) -> str:
    if not _NAME.match(name):
        raise PatternError(f"{source!r}: {{{name}}} is not a word-list name")
    if name not in words:
        known = ", ".join(sorted(words)) or "none"
        raise PatternError(
            f"{source!r} uses {{{name}}}, but the table has no such word list "
            f"(it has: {known}); add it under [words]"
        )
    # Longest first, so that "older men" is preferred to "men" where both would fit.
    entries = sorted(words[name], key=len, reverse=True)
    return "|".join(_sequence(entry, {}, source) for entry in entries)

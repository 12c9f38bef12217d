"""The phrase table: wording to avoid, what to write instead and why, read from TOML.

The default table (``phrases.toml`` beside this module) follows DOMAIN.md section 4 and the
appropriate language guide it cites. A partnership can load its own table with
:func:`load_phrase_table`; every table is checked when loaded, including that each phrase's own
example sentences are caught and its counter-examples are not, so a table that loads is a table
that works.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from re import _constants as re_constants  # type: ignore[attr-defined]
from re import _parser as re_parser  # type: ignore[attr-defined]
from typing import Any

from tocsin.domain.language._patterns import (
    ADULT_AGE,
    CompiledPattern,
    PatternError,
    adult_age_in,
    compile_pattern,
)

__all__ = [
    "Phrase",
    "PhraseTable",
    "PhraseTableError",
    "default_phrase_table",
    "load_phrase_table",
    "parse_phrase_table",
]

_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_TOP_KEYS = {"version", "title", "source", "source_url", "words", "phrase"}
_PHRASE_KEYS = {
    "id",
    "row",
    "avoid",
    "use_instead",
    "why",
    "patterns",
    "examples",
    "not_examples",
}
_OPTIONAL_PHRASE_KEYS = {"not_examples"}
MIN_EXAMPLES = 2
#: The one placeholder a suggestion may hold: the adult's age stated in the matched wording.
AGE_PLACEHOLDER = "{age}"


class PhraseTableError(ValueError):
    """A phrase table cannot be used; the message names the file, the phrase and the fix."""


@dataclass(frozen=True)
class Phrase:
    """One kind of wording to avoid, with the alternatives the guide suggests."""

    id: str
    #: the row of the guide's table (DOMAIN.md section 4) this phrase comes from.
    row: str
    avoid: str
    use_instead: tuple[str, ...]
    why: str
    patterns: tuple[str, ...]
    examples: tuple[str, ...]
    not_examples: tuple[str, ...] = ()

    def suggestions(self, matched: str) -> tuple[str, ...]:
        """What to write instead of ``matched``.

        A suggestion holding ``{age}`` is offered only when ``matched`` states an adult's age,
        with that age filled in as written ("an adult aged 22 …"); the others always are.
        """
        age = adult_age_in(matched)
        return tuple(
            option.replace(AGE_PLACEHOLDER, age) if age else option
            for option in self.use_instead
            if age or AGE_PLACEHOLDER not in option
        )


#: What every compiled pattern begins with: a match starts a word.
_WORD_START = r"(?<!\w)"


@dataclass(frozen=True)
class PhraseTable:
    """A versioned, cited set of phrases, with their patterns compiled."""

    version: int
    title: str
    source: str
    source_url: str
    phrases: tuple[Phrase, ...]
    words: Mapping[str, tuple[str, ...]]
    #: where the table was read from, for messages.
    origin: str
    _compiled: Mapping[str, tuple[CompiledPattern, ...]] = field(
        repr=False, compare=False, default_factory=dict
    )

    def phrase(self, phrase_id: str) -> Phrase:
        """The phrase with ``phrase_id``; LookupError naming the known ids if there is none."""
        for phrase in self.phrases:
            if phrase.id == phrase_id:
                return phrase
        known = ", ".join(p.id for p in self.phrases)
        raise LookupError(f"the phrase table has no phrase {phrase_id!r} (it has: {known})")

    def matching_patterns(self, phrase: Phrase, text: str) -> tuple[str, ...]:
        """The patterns of ``phrase`` that match somewhere in ``text``, as written in the table.

        For corpus tests and for explaining a warning: which pattern a sentence exercises.
        """
        return tuple(pattern.source for pattern in self._compiled[phrase.id] if pattern.spans(text))

    def might_match(self, text: str) -> bool:
        """Whether any pattern matches somewhere in ``text``, guards aside: False means no
        phrase has a span in it. Most texts have none, and one search of every pattern at
        once costs a fraction of finding every span of every phrase (imports check thousands
        of narratives)."""
        return self._any_pattern.search(text) is not None

    @functools.cached_property
    def _any_pattern(self) -> re.Pattern[str]:
        """Every pattern as one alternation, the word-start check they all begin with taken
        out in front, so it is tried once per position rather than once per pattern; and the
        patterns grouped by the characters they can begin with, each group behind a lookahead
        for its character, so that at each word only the patterns that can start there are
        tried (a regular expression otherwise tries every alternative at every word)."""
        expressions = [p.expression for patterns in self._compiled.values() for p in patterns]
        flags = {expression.flags for expression in expressions}
        bodies = [expression.pattern.removeprefix(_WORD_START) for expression in expressions]
        if (
            len(flags) == 1
            and all(e.pattern.startswith(_WORD_START) for e in expressions)
            and not any(e.groups for e in expressions)
        ):
            flag = flags.pop()
            return re.compile(_WORD_START + "(?:" + _by_first_character(bodies, flag) + ")", flag)
        # Patterns that cannot be joined (a table written otherwise): match everywhere, so
        # every phrase is searched as before.
        return re.compile("")

    def spans(self, phrase: Phrase, text: str) -> list[tuple[int, int]]:
        """Non-overlapping (start, end) spans of ``phrase`` in ``text``, leftmost-longest first."""
        candidates = sorted(
            (span for pattern in self._compiled[phrase.id] for span in pattern.spans(text)),
            key=lambda span: (span[0], -span[1]),
        )
        chosen: list[tuple[int, int]] = []
        for start, end in candidates:
            if chosen and start < chosen[-1][1]:
                continue
            chosen.append((start, end))
        return chosen


def _by_first_character(bodies: list[str], flags: int) -> str:
    """An alternation matching where any of ``bodies`` matches, the bodies grouped by the
    characters they can begin with (each group behind a lookahead; compiled with ``flags``,
    so a lookahead folds case as the body's first letter does). A body whose first
    characters cannot be worked out goes in unguarded."""
    groups: dict[str, list[str]] = {}
    unguarded: list[str] = []
    for body in bodies:
        try:
            starts, empty = _first_characters(re_parser.parse(body, flags))
        except (re.error, TypeError, ValueError):  # an expression the walk does not know
            starts, empty = None, True
        if starts is None or empty or not starts:
            unguarded.append(body)
            continue
        for char in sorted(starts):
            groups.setdefault(char, []).append(body)
    guarded = [
        f"(?={re.escape(char)})(?:{'|'.join(members)})" for char, members in sorted(groups.items())
    ]
    return "|".join(guarded + unguarded)


def _first_characters(items: Any) -> tuple[set[str] | None, bool]:
    """The characters a parsed expression can begin with (None: any, or not known), and
    whether it can match the empty string. Zero-width assertions are passed over: a
    lookahead guard only narrows what the body already requires."""
    found: set[str] = set()
    for op, argument in items:
        if op is re_constants.LITERAL:
            found.add(chr(argument))
            return found, False
        if op is re_constants.IN:
            for item, value in argument:
                if item is re_constants.LITERAL:
                    found.add(chr(value))
                elif item is re_constants.RANGE and value[1] - value[0] <= 64:
                    found.update(chr(code) for code in range(value[0], value[1] + 1))
                else:  # a negated set, a category, a wide range
                    return None, False
            return found, False
        if op is re_constants.BRANCH:
            empty = False
            for branch in argument[1]:
                starts, branch_empty = _first_characters(branch)
                if starts is None:
                    return None, False
                found |= starts
                empty = empty or branch_empty
            if not empty:
                return found, False
        elif op is re_constants.SUBPATTERN:
            starts, empty = _first_characters(argument[3])
            if starts is None:
                return None, False
            found |= starts
            if not empty:
                return found, False
        elif op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT):
            starts, empty = _first_characters(argument[2])
            if starts is None:
                return None, False
            found |= starts
            if argument[0] > 0 and not empty:
                return found, False
        elif op not in (re_constants.ASSERT, re_constants.ASSERT_NOT, re_constants.AT):
            return None, False
    return found, True


def load_phrase_table(path: str | Path) -> PhraseTable:
    """Read and check the phrase table at ``path``; :class:`PhraseTableError` if unusable."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PhraseTableError(f"cannot read phrase table {str(path)!r}: {exc.strerror}") from None
    return parse_phrase_table(text, origin=str(path))


@functools.cache
def default_phrase_table() -> PhraseTable:
    """The phrase table shipped with Tocsin (DOMAIN.md section 4), loaded once."""
    text = resources.files("tocsin.domain.language").joinpath("phrases.toml")
    return parse_phrase_table(text.read_text(encoding="utf-8"), origin="phrases.toml (default)")


def parse_phrase_table(text: str, *, origin: str = "<text>") -> PhraseTable:
    """Check and compile a phrase table given as TOML text."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PhraseTableError(f"phrase table {origin} is not valid TOML: {exc}") from None
    where = f"phrase table {origin}"
    _no_unknown_keys(raw, _TOP_KEYS, where)
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise PhraseTableError(f"{where}: 'version' must be a whole number of 1 or more")
    title = _text(raw, "title", where)
    source = _text(raw, "source", where)
    source_url = _text(raw, "source_url", where)
    words = _words(raw.get("words", {}), where)
    entries = raw.get("phrase")
    if not isinstance(entries, list) or not entries:
        raise PhraseTableError(f"{where}: add at least one [[phrase]] entry")
    phrases: list[Phrase] = []
    compiled: dict[str, tuple[CompiledPattern, ...]] = {}
    for number, entry in enumerate(entries, start=1):
        phrase, patterns = _phrase(entry, number, words, where)
        if phrase.id in compiled:
            raise PhraseTableError(f"{where}: phrase id {phrase.id!r} is used twice")
        phrases.append(phrase)
        compiled[phrase.id] = patterns
    table = PhraseTable(
        version=version,
        title=title,
        source=source,
        source_url=source_url,
        phrases=tuple(phrases),
        words=words,
        origin=origin,
        _compiled=compiled,
    )
    for phrase in table.phrases:
        _check_examples(table, phrase, where)
    return table


def _phrase(
    entry: Any, number: int, words: Mapping[str, tuple[str, ...]], where: str
) -> tuple[Phrase, tuple[CompiledPattern, ...]]:
    if not isinstance(entry, dict):
        raise PhraseTableError(f"{where}: phrase {number} must be a [[phrase]] table")
    phrase_id = entry.get("id")
    if not isinstance(phrase_id, str) or not _ID.match(phrase_id):
        raise PhraseTableError(
            f"{where}: phrase {number} needs an 'id' of lower-case words joined by hyphens, "
            f"such as 'money-mule' (got {phrase_id!r})"
        )
    here = f"{where}, phrase {phrase_id!r}"
    _no_unknown_keys(entry, _PHRASE_KEYS, here)
    missing = sorted(_PHRASE_KEYS - _OPTIONAL_PHRASE_KEYS - entry.keys())
    if missing:
        raise PhraseTableError(f"{here}: add {', '.join(repr(m) for m in missing)}")
    examples = _text_list(entry, "examples", here)
    if len(examples) < MIN_EXAMPLES:
        raise PhraseTableError(
            f"{here}: give at least {MIN_EXAMPLES} example sentences, so the table can check "
            "that its patterns catch the wording"
        )
    phrase = Phrase(
        id=phrase_id,
        row=_text(entry, "row", here),
        avoid=_text(entry, "avoid", here),
        use_instead=_text_list(entry, "use_instead", here),
        why=_text(entry, "why", here),
        patterns=_text_list(entry, "patterns", here),
        examples=examples,
        not_examples=_text_list(entry, "not_examples", here, required=False),
    )
    _check_suggestions(phrase, words, here)
    compiled = []
    for source in phrase.patterns:
        try:
            compiled.append(compile_pattern(source, words))
        except PatternError as exc:
            raise PhraseTableError(f"{here}: {exc}") from None
    return phrase, tuple(compiled)


def _check_suggestions(phrase: Phrase, words: Mapping[str, tuple[str, ...]], here: str) -> None:
    for option in phrase.use_instead:
        leftover = option.replace(AGE_PLACEHOLDER, "")
        if "{" in leftover or "}" in leftover:
            raise PhraseTableError(
                f"{here}: the suggestion {option!r} may hold only the placeholder {AGE_PLACEHOLDER}"
            )
    if all(AGE_PLACEHOLDER in option for option in phrase.use_instead):
        raise PhraseTableError(
            f"{here}: give at least one suggestion without {AGE_PLACEHOLDER}, for wording that "
            "states no age"
        )
    uses_age = any(AGE_PLACEHOLDER in option for option in phrase.use_instead)
    # A mention in the patterns or in any word list counts (a pattern may reach it by a list).
    reference = f"{{{ADULT_AGE}}}"
    written = [*phrase.patterns, *(entry for entries in words.values() for entry in entries)]
    if uses_age and not any(reference in text for text in written):
        raise PhraseTableError(
            f"{here}: a suggestion uses {AGE_PLACEHOLDER}, but no pattern uses {{{ADULT_AGE}}} "
            "to find one"
        )


def _check_examples(table: PhraseTable, phrase: Phrase, where: str) -> None:
    for example in phrase.examples:
        if not table.spans(phrase, example):
            raise PhraseTableError(
                f"{where}, phrase {phrase.id!r}: no pattern catches the example {example!r}; "
                "add a pattern for it or correct the example"
            )
    for sentence in phrase.not_examples:
        spans = table.spans(phrase, sentence)
        if spans:
            start, end = spans[0]
            raise PhraseTableError(
                f"{where}, phrase {phrase.id!r}: the counter-example {sentence!r} is caught "
                f"(at {sentence[start:end]!r}); narrow the patterns or add a ![...] guard"
            )


def _words(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise PhraseTableError(f"{where}: [words] must be a table of word lists")
    words: dict[str, tuple[str, ...]] = {}
    for name in raw:
        if name == ADULT_AGE:
            raise PhraseTableError(
                f"{where}, [words]: {name!r} is built in (an age of 18 to 99); "
                "give your list another name"
            )
        words[name] = _text_list(raw, name, f"{where}, [words]")
    return words


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PhraseTableError(f"{where}: {key!r} must be non-empty text")
    return value.strip()


def _text_list(
    raw: Mapping[str, Any], key: str, where: str, *, required: bool = True
) -> tuple[str, ...]:
    value = raw.get(key, None if required else [])
    if (
        not isinstance(value, list)
        or (required and not value)
        or not all(isinstance(item, str) and item.strip() for item in value)
    ):
        raise PhraseTableError(f"{where}: {key!r} must be a list of non-empty texts")
    return tuple(item.strip() for item in value)


def _no_unknown_keys(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(raw.keys() - allowed)
    if unknown:
        raise PhraseTableError(
            f"{where}: unknown key {', '.join(repr(k) for k in unknown)} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )

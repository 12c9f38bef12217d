"""The clocks policy's ``[[patterns]]``: the network graph's pattern-alert rules (issue 16).

A pattern alert is a concern like any other, so its rules sit in the same versioned policy as
the clocks that then run on it. Two kinds of rule:

* ``linked_children``: an entity of one of ``subject_kinds`` (adult, vehicle, phone, place)
  linked to at least ``min_children`` children through at least ``min_reporters``
  independent reporters within ``window_days``;
* ``known_network``: a child linked to a known network (a detected network holding the subject
  of an earlier alert) within ``window_days``.

Checked when the policy is loaded; a problem names the key at fault, which the loader turns into
the line to fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PATTERN_RULE_KINDS", "PatternAlertRule", "PatternProblem", "pattern_rules"]

#: The kinds of rule, and what each finds.
PATTERN_RULE_KINDS: dict[str, str] = {
    "linked_children": (
        "an adult, vehicle, phone or place linked to at least min_children children through at "
        "least min_reporters independent reporters within window_days"
    ),
    "known_network": (
        "a child linked to a known network (one holding the subject of an earlier alert) within "
        "window_days"
    ),
}
#: What a linked_children rule can be about.
SUBJECT_KINDS = ("adult", "vehicle", "phone", "place")
#: The marks a rule can ask for (any of them): sexual or criminal exploitation, drugs, weapons.
FLAGS = ("cce", "cse", "drugs", "weapons")
_KEYS = {
    "id",
    "description",
    "source",
    "kind",
    "subjects",
    "min_children",
    "min_reporters",
    "window_days",
    "flags",
}
_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


class PatternProblem(Exception):
    """A ``[[patterns]]`` entry cannot be used; ``path`` is the TOML key path at fault."""

    def __init__(self, path: tuple[str | int, ...], problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class PatternAlertRule:
    """One pattern-alert rule, as the policy gives it (the server hands it to
    ``tocsin.intel.graph.PatternRule``, whose field names it shares)."""

    id: str
    description: str
    source: str
    #: one of :data:`PATTERN_RULE_KINDS`.
    kind: str
    subject_kinds: tuple[str, ...]
    min_children: int
    min_reporters: int
    window_days: int
    #: only concerns carrying one of these marks count (empty: every concern).
    flags_any: tuple[str, ...] = ()


def _whole(raw: Mapping[str, Any], key: str, path: tuple[str | int, ...], default: int) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PatternProblem((*path, key), f"{key} must be a whole number from 1, not {value!r}")
    return value


def _text(raw: Mapping[str, Any], key: str, path: tuple[str | int, ...]) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PatternProblem(
            (*path, key) if key in raw else path, f"'{key}' must be given, as text"
        )
    return value


def _kinds(
    raw: Mapping[str, Any],
    key: str,
    path: tuple[str | int, ...],
    allowed: tuple[str, ...],
    default: list[str],
) -> tuple[str, ...]:
    value = raw.get(key, default)
    if (
        not isinstance(value, list)
        or any(item not in allowed for item in value)
        or len(set(value)) != len(value)
    ):
        raise PatternProblem(
            (*path, key), f"{key} must be a list of different values from {', '.join(allowed)}"
        )
    return tuple(value)


def pattern_rules(value: object) -> tuple[PatternAlertRule, ...]:
    """The ``[[patterns]]`` array of tables, checked (none when absent)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PatternProblem(("patterns",), "patterns must be [[patterns]] tables")
    rules: list[PatternAlertRule] = []
    for index, raw in enumerate(value):
        path: tuple[str | int, ...] = ("patterns", index)
        if not isinstance(raw, dict):
            raise PatternProblem(path, "each [[patterns]] entry must be a table")
        for key in raw:
            if key not in _KEYS:
                raise PatternProblem(
                    (*path, key),
                    f"[[patterns]] has an unknown key {key!r} (known: {', '.join(sorted(_KEYS))})",
                )
        rule_id = _text(raw, "id", path)
        if not _ID.match(rule_id):
            raise PatternProblem(
                (*path, "id"), f"pattern id {rule_id!r} must be lower-case letters, digits, - and _"
            )
        if any(r.id == rule_id for r in rules):
            raise PatternProblem((*path, "id"), f"pattern id {rule_id!r} is given twice")
        kind = _text(raw, "kind", path)
        if kind not in PATTERN_RULE_KINDS:
            raise PatternProblem(
                (*path, "kind"),
                f"kind must be one of {', '.join(PATTERN_RULE_KINDS)}, not {kind!r}",
            )
        if kind == "known_network" and "subjects" in raw:
            raise PatternProblem(
                (*path, "subjects"),
                "a known_network rule is about the children of a known network: leave out subjects",
            )
        subjects = _kinds(raw, "subjects", path, SUBJECT_KINDS, list(SUBJECT_KINDS))
        if not subjects:
            raise PatternProblem((*path, "subjects"), "subjects must name at least one kind")
        least = 1 if kind == "known_network" else None
        rules.append(
            PatternAlertRule(
                id=rule_id,
                description=_text(raw, "description", path),
                source=_text(raw, "source", path),
                kind=kind,
                subject_kinds=subjects,
                min_children=_whole(raw, "min_children", path, least or 3),
                min_reporters=_whole(raw, "min_reporters", path, least or 2),
                window_days=_whole(raw, "window_days", path, 365),
                flags_any=_kinds(raw, "flags", path, FLAGS, []),
            )
        )
    return tuple(rules)

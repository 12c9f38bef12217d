"""Reading a clocks policy: TOML in, a checked :class:`ClockPolicy` out, or a
:class:`ClockPolicyError` that names the line to fix and the problem.

A partnership names its own file with the ``TOCSIN_CLOCKS_POLICY`` setting; every policy is
checked in full when loaded (event kinds, payload fields and codes, units, the ladder's order,
owners, and whether each pattern can ever be matched to its obligation), so a policy that loads
is a policy that works.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import tomllib
import typing
from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from tocsin.domain.clocks._calendar import CalendarError, WorkingCalendar
from tocsin.domain.clocks._capacity import CapacitySpec
from tocsin.domain.clocks._patterns import PatternProblem, pattern_rules
from tocsin.domain.clocks._policy import (
    OWNERS,
    TOP_LEVEL,
    UNITS,
    Amount,
    CalendarSpec,
    ClockPolicy,
    ClockPolicyError,
    Condition,
    DueFromField,
    EventPattern,
    Level,
    ObligationRule,
    ProfileSpec,
    Reference,
    Trigger,
)
from tocsin.domain.clocks._toml_lines import KeyPath, key_lines, line_of
from tocsin.domain.events import Event

__all__ = ["default_policy", "load_policy", "parse_policy"]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
#: where tomllib says a syntax error is: "(at line 3, column 7)".
_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)")
_TOP_KEYS = {
    "policy",
    "version",
    "title",
    "source",
    "calendar",
    "level",
    "pattern",
    "obligation",
    "capacity",
    "profiles",
    "patterns",
}
_PROFILE_KEYS = {"source", "cadence", "trend_period"}
_PROFILE_PERIODS = ("month", "quarter", "year")
_CAPACITY_KEYS = {
    "source",
    "worker_caseload",
    "team_caseload",
    "queue_age_days",
    "clear_margin_percent",
}
_OBLIGATION_KEYS = {
    "id",
    "label",
    "description",
    "source",
    "owner",
    "owner_field",
    "key",
    "trigger",
    "applies_when",
    "due",
    "satisfied_by",
    "cancelled_by",
    "ladder",
    "on_retrigger",
}
_PATTERN_KEYS = {"kind", "where", "on", "refers_to"}
_RETRIGGER = {
    "keep": "a later trigger leaves an open obligation as it is (its clock cannot be reset)",
    "restart": "a later trigger replaces an open obligation, whose clock starts again",
}


class _Problem(Exception):
    """Raised inside the checks with the key path of the offending entry."""

    def __init__(self, path: KeyPath, problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


# --- loading ---------------------------------------------------------------------------------


def load_policy(source: str | Path | None = None) -> ClockPolicy:
    """Read and check a clocks policy: from a file path, from TOML text (a ``str`` holding a
    newline or an ``=``), or the shipped default when None."""
    if source is None:
        return default_policy()
    if isinstance(source, str) and ("\n" in source or "=" in source):
        return parse_policy(source)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise ClockPolicyError(str(source), None, f"cannot be read: {exc.strerror}") from None
    return parse_policy(text, origin=str(source))


@functools.cache
def default_policy() -> ClockPolicy:
    """The clocks policy shipped with Tocsin (``policy.toml``), loaded once."""
    text = resources.files("tocsin.domain.clocks").joinpath("policy.toml")
    return parse_policy(text.read_text(encoding="utf-8"), origin="policy.toml (default)")


def parse_policy(text: str, *, origin: str = "<text>") -> ClockPolicy:
    """Check a clocks policy given as TOML text and build it; :class:`ClockPolicyError`
    naming the line and the problem when it cannot be used."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_AT.search(str(exc))
        line = int(found.group(1)) if found else None
        message = _TOML_AT.sub("", str(exc)).strip()
        raise ClockPolicyError(origin, line, f"is not valid TOML: {message}") from None
    try:
        return _build(raw, text, origin)
    except (_Problem, PatternProblem) as problem:
        line = line_of(key_lines(text), problem.path)
        raise ClockPolicyError(origin, line, problem.problem) from None


def _build(raw: dict[str, Any], text: str, origin: str) -> ClockPolicy:
    _known_keys(raw, _TOP_KEYS, (), "the policy")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Problem(("version",), "'version' must be a whole number from 1 (raise it on change)")
    calendar = _calendar(raw.get("calendar"))
    levels = _levels(raw.get("level"))
    patterns = {
        name: _pattern(value, ("pattern", name), name=name)
        for name, value in _table(raw.get("pattern", {}), ("pattern",), "[pattern]").items()
    }
    default_ladder = (levels[2].after_due, levels[3].after_due)
    obligations = _obligations(raw.get("obligation"), patterns, default_ladder)  # type: ignore[arg-type]
    return ClockPolicy(
        policy=_text(raw, "policy", ()),
        version=version,
        title=_text(raw, "title", ()),
        source=str(raw.get("source", "")),
        calendar_spec=calendar,
        levels=levels,
        patterns=patterns,
        obligations=obligations,
        origin=origin,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        capacity=_capacity(raw.get("capacity")),
        profiles=_profiles(raw.get("profiles")),
        network_patterns=pattern_rules(raw.get("patterns")),
    )


# --- checks ----------------------------------------------------------------------------------


def _known_keys(raw: Mapping[str, Any], known: set[str], path: KeyPath, what: str) -> None:
    for key in raw:
        if key not in known:
            raise _Problem(
                (*path, key),
                f"{what} has an unknown key {key!r} (known: {', '.join(sorted(known))})",
            )


def _table(value: object, path: KeyPath, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Problem(path, f"{what} must be a table")
    return value


def _text(raw: Mapping[str, Any], key: str, path: KeyPath, *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _Problem(
            (*path, key) if key in raw else path or (key,), f"'{key}' must be given, as text"
        )
    return value


def _calendar(value: object) -> CalendarSpec:
    if value is None:
        raise _Problem((), "the policy needs a [calendar] table (country, subdivision, timezone)")
    raw = _table(value, ("calendar",), "[calendar]")
    _known_keys(raw, {"country", "subdivision", "timezone"}, ("calendar",), "[calendar]")
    spec = CalendarSpec(
        country=_text(raw, "country", ("calendar",)),
        subdivision=_text(raw, "subdivision", ("calendar",), required=False) or None,
        timezone=_text(raw, "timezone", ("calendar",)),
    )
    checks: list[tuple[str, dict[str, Any]]] = [
        ("timezone", {"timezone": spec.timezone}),
        ("country", {"country": spec.country, "subdivision": None}),
        ("subdivision", {"country": spec.country, "subdivision": spec.subdivision}),
    ]
    for key, kwargs in checks:
        try:
            WorkingCalendar(**kwargs)
        except CalendarError as exc:
            raise _Problem(("calendar", key), f"[calendar]: {exc}") from None
    return spec


def _capacity(value: object) -> CapacitySpec | None:
    """The optional ``[capacity]`` table: thresholds for capacity alarms (none without it)."""
    if value is None:
        return None
    path: KeyPath = ("capacity",)
    raw = _table(value, path, "[capacity]")
    _known_keys(raw, _CAPACITY_KEYS, path, "[capacity]")
    numbers: dict[str, int] = {}
    for key in sorted(_CAPACITY_KEYS - {"source"}):
        if key not in raw:
            raise _Problem(path, f"[capacity] needs {key}, a whole number")
        number = raw[key]
        if not isinstance(number, int) or isinstance(number, bool):
            raise _Problem(
                (*path, key), f"[capacity]: {key} must be a whole number, not {number!r}"
            )
        least = 0 if key == "clear_margin_percent" else 1
        if number < least or (key == "clear_margin_percent" and number > 100):
            allowed = "0 to 100" if key == "clear_margin_percent" else "1 or more"
            raise _Problem((*path, key), f"[capacity]: {key} must be {allowed}, not {number}")
        numbers[key] = number
    return CapacitySpec(source=_text(raw, "source", path), **numbers)


def _profiles(value: object) -> ProfileSpec | None:
    """The optional ``[profiles]`` table: how often problem profiles are made (never without
    it)."""
    if value is None:
        return None
    path: KeyPath = ("profiles",)
    raw = _table(value, path, "[profiles]")
    _known_keys(raw, _PROFILE_KEYS, path, "[profiles]")
    chosen: dict[str, str] = {}
    for key in ("cadence", "trend_period"):
        period = raw.get(key)
        if period not in _PROFILE_PERIODS:
            raise _Problem(
                (*path, key) if key in raw else path,
                f"[profiles]: {key} must be one of {', '.join(_PROFILE_PERIODS)}, not {period!r}",
            )
        chosen[key] = str(period)
    return ProfileSpec(source=_text(raw, "source", path), **chosen)


def _amount(value: object, path: KeyPath, what: str, *, allow_zero: bool) -> Amount:
    if not isinstance(value, dict) or len(value) != 1:
        raise _Problem(
            path,
            f"{what}: give a time as one unit and a number, e.g. {{ working_days = 1 }} or "
            "{ hours = 24 }",
        )
    ((unit, number),) = value.items()
    if unit not in UNITS:
        raise _Problem(
            (*path, unit), f"{what}: unknown unit {unit!r} (use one of: {', '.join(UNITS)})"
        )
    if not isinstance(number, int) or isinstance(number, bool):
        raise _Problem((*path, unit), f"{what}: {unit} must be a whole number, not {number!r}")
    if number < 0 or (number == 0 and not allow_zero):
        least = "0 or more" if allow_zero else "more than 0"
        raise _Problem((*path, unit), f"{what}: {unit} must be {least}, not {number}")
    return Amount(unit, number)


def _levels(value: object) -> tuple[Level, ...]:
    if not isinstance(value, list) or not value:
        raise _Problem((), "the policy needs the escalation ladder: [[level]] tables 0 to 3")
    levels: list[Level] = []
    for index, raw in enumerate(value):
        path: KeyPath = ("level", index)
        raw = _table(raw, path, "[[level]]")
        _known_keys(
            raw, {"level", "role", "label", "outside_agency", "after_due"}, path, "[[level]]"
        )
        number = raw.get("level")
        if number != index:
            raise _Problem(
                (*path, "level") if "level" in raw else path,
                f"level out of order: the ladder's [[level]] tables must be numbered 0, 1, 2, 3 "
                f"in order, and this one (the {index + 1}th) says {number!r}",
            )
        outside = raw.get("outside_agency", False)
        if not isinstance(outside, bool):
            raise _Problem((*path, "outside_agency"), "outside_agency must be true or false")
        after: Amount | None = None
        if index <= 1:
            if "after_due" in raw:
                raise _Problem(
                    (*path, "after_due"),
                    "level 0 is the owner from the start and level 1 is reached at the due "
                    "time itself: only levels 2 and 3 take after_due",
                )
        elif "after_due" not in raw:
            raise _Problem(
                path, f"level {index} needs after_due: how long after the due time it is reached"
            )
        else:
            after = _amount(
                raw["after_due"], (*path, "after_due"), f"level {index}, after_due", allow_zero=True
            )
        levels.append(
            Level(index, _text(raw, "role", path), _text(raw, "label", path), outside, after)
        )
    if len(levels) != 4:
        raise _Problem(
            ("level",), f"the ladder has levels 0 to 3 (four [[level]] tables), not {len(levels)}"
        )
    for level in levels:
        if level.outside_agency != (level.level == TOP_LEVEL):
            at: KeyPath = ("level", level.level)
            raise _Problem(
                (*at, "outside_agency") if "outside_agency" in value[level.level] else at,
                "level 3, and only level 3, is outside the agency (outside_agency = true)",
            )
    if len({level.role for level in levels}) != 4:
        raise _Problem(("level",), "each level of the ladder needs its own role")
    _check_ladder_order((levels[2].after_due, levels[3].after_due), ("level",), by_level=True)  # type: ignore[arg-type]
    return tuple(levels)


def _check_ladder_order(ladder: tuple[Amount, ...], path: KeyPath, *, by_level: bool) -> None:
    for i in range(1, len(ladder)):
        before, after = ladder[i - 1], ladder[i]
        if before.unit == after.unit and after.value < before.value:
            where = (*path, i + 2, "after_due") if by_level else (*path, i)
            raise _Problem(
                where,
                f"level out of order: level {i + 2} would be reached {after} after the due "
                f"time, before level {i + 1} ({before})",
            )


def _obligations(
    value: object, patterns: Mapping[str, EventPattern], default_ladder: tuple[Amount, Amount]
) -> tuple[ObligationRule, ...]:
    if not isinstance(value, list) or not value:
        raise _Problem((), "the policy declares no [[obligation]]")
    rules: list[ObligationRule] = []
    seen: set[str] = set()
    for index, raw in enumerate(value):
        path: KeyPath = ("obligation", index)
        raw = _table(raw, path, "[[obligation]]")
        ident = raw.get("id")
        if not isinstance(ident, str) or not _ID.match(ident):
            raise _Problem(
                (*path, "id") if "id" in raw else path,
                "each obligation needs an id of lower-case letters, digits and underscores",
            )
        what = f"obligation {ident!r}"
        if ident in seen:
            raise _Problem((*path, "id"), f"duplicate id: there is already an {what}")
        seen.add(ident)
        _known_keys(raw, _OBLIGATION_KEYS, path, what)
        if not isinstance(raw.get("source"), str) or not raw["source"].strip():
            raise _Problem(
                (*path, "source") if "source" in raw else path,
                f"{what} is missing its source: cite the DOMAIN.md row it comes from",
            )
        owner = raw.get("owner")
        if owner not in OWNERS:
            raise _Problem(
                (*path, "owner") if "owner" in raw else path,
                f"{what}: unknown owner {owner!r} (use one of: {', '.join(OWNERS)})",
            )
        key = raw.get("key")
        if not isinstance(key, str) or key not in _subject_types_known():
            raise _Problem(
                (*path, "key") if "key" in raw else path,
                f"{what}: key must be the type of subject it is about, one of: "
                f"{', '.join(sorted(_subject_types_known()))}",
            )
        triggers = _triggers(raw.get("trigger"), (*path, "trigger"), key, what)
        due = _due(raw.get("due"), (*path, "due"), what)
        ladder = default_ladder
        if "ladder" in raw:
            steps = raw["ladder"]
            if not isinstance(steps, list) or len(steps) != 2:
                raise _Problem(
                    (*path, "ladder"),
                    f"{what}: ladder gives when levels 2 and 3 are reached, as two times after "
                    "the due time (level 1 is reached at the due time)",
                )
            ladder = tuple(  # type: ignore[assignment]
                _amount(step, (*path, "ladder", i), f"{what}, ladder", allow_zero=True)
                for i, step in enumerate(steps)
            )
            _check_ladder_order(ladder, (*path, "ladder"), by_level=False)
        retrigger = raw.get("on_retrigger", "keep")
        if retrigger not in _RETRIGGER:
            raise _Problem(
                (*path, "on_retrigger"), f"{what}: on_retrigger must be 'keep' or 'restart'"
            )
        owner_field = raw.get("owner_field")
        if owner_field is not None and not isinstance(owner_field, str):
            raise _Problem((*path, "owner_field"), f"{what}: owner_field names a field, as text")
        satisfied = _patterns(raw.get("satisfied_by"), (*path, "satisfied_by"), patterns, key, what)
        if not satisfied:
            raise _Problem(
                (*path, "satisfied_by") if "satisfied_by" in raw else path,
                f"{what} needs satisfied_by: the events that meet it",
            )
        rules.append(
            ObligationRule(
                id=ident,
                label=_text(raw, "label", path),
                description=str(raw.get("description", "")),
                source=raw["source"],
                owner=owner,
                owner_field=owner_field,
                key=key,
                triggers=triggers,
                applies_when=_patterns(
                    raw.get("applies_when", []), (*path, "applies_when"), patterns, key, what
                ),
                due=due,
                satisfied_by=satisfied,
                cancelled_by=_patterns(
                    raw.get("cancelled_by", []), (*path, "cancelled_by"), patterns, key, what
                ),
                ladder=ladder,
                on_retrigger=retrigger,
            )
        )
    return tuple(rules)


def _due(value: object, path: KeyPath, what: str) -> Amount | DueFromField:
    if value is None:
        raise _Problem(path[:-1], f"{what} needs a due time, e.g. due = {{ working_days = 1 }}")
    if isinstance(value, dict) and set(value) == {"field"}:
        if not isinstance(value["field"], str):
            raise _Problem((*path, "field"), f"{what}: due.field names a field, as text")
        return DueFromField(value["field"])
    return _amount(value, path, f"{what}, due", allow_zero=False)


def _triggers(value: object, path: KeyPath, key: str, what: str) -> tuple[Trigger, ...]:
    if value is None:
        raise _Problem(path[:-1], f"{what} needs a trigger: the event that starts its clock")
    items = value if isinstance(value, list) else [value]
    triggers = []
    for index, raw in enumerate(items):
        at = (*path, index) if isinstance(value, list) else path
        raw = _table(raw, at, f"{what}: a trigger")
        _known_keys(raw, {"kind", "where", "for_each", "item_id"}, at, f"{what}: a trigger")
        kind = _kind(raw, at, what)
        for_each, item_id = raw.get("for_each"), raw.get("item_id")
        if for_each is not None:
            if for_each not in _fields(kind):
                raise _Problem((*at, "for_each"), f"{what}: {kind} has no field {for_each!r}")
            if not isinstance(item_id, str):
                raise _Problem(
                    at, f"{what}: a trigger with for_each needs item_id, the item's id field"
                )
        elif item_id is not None:
            raise _Problem((*at, "item_id"), f"{what}: item_id goes with for_each")
        elif not _names(kind, key):
            raise _Problem(
                (*at, "kind"),
                f"{what} is keyed on {key}, but a {kind} event names no {key}: "
                f"it names {_listed(kind)}",
            )
        triggers.append(
            Trigger(
                kind,
                _conditions(raw.get("where", {}), (*at, "where"), kind, what),
                for_each,
                item_id,
            )
        )
    return tuple(triggers)


def _patterns(
    value: object, path: KeyPath, named: Mapping[str, EventPattern], key: str, what: str
) -> tuple[EventPattern, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Problem(path, f"{what}: {path[-1]} must be a list of events or pattern names")
    found = []
    for index, item in enumerate(value):
        at = (*path, index)
        if isinstance(item, str):
            if item not in named:
                known = ", ".join(sorted(named)) or "none"
                raise _Problem(at, f"{what}: no [pattern.{item}] is declared (declared: {known})")
            pattern = named[item]
        else:
            pattern = _pattern(item, at)
        on = pattern.on or key
        if not _names(pattern.kind, on):
            raise _Problem(
                at,
                f"{what}: a {pattern.kind} event names no {on}, so it can never be matched to "
                f"this obligation (give it an 'on' among: {_listed(pattern.kind)})",
            )
        found.append(pattern)
    return tuple(found)


def _pattern(value: object, path: KeyPath, *, name: str | None = None) -> EventPattern:
    what = f"pattern {name!r}" if name else "an event pattern"
    raw = _table(value, path, what)
    _known_keys(raw, _PATTERN_KEYS, path, what)
    kind = _kind(raw, path, what)
    on = raw.get("on")
    if on is not None and not (isinstance(on, str) and _names(kind, on)):
        raise _Problem(
            (*path, "on"), f"{what}: a {kind} event names no {on!r} (it names {_listed(kind)})"
        )
    reference = None
    if "refers_to" in raw:
        at = (*path, "refers_to")
        ref = _table(raw["refers_to"], at, f"{what}: refers_to")
        _known_keys(ref, {"kind", "by", "where"}, at, f"{what}: refers_to")
        ref_kind = _kind(ref, at, what)
        by = ref.get("by")
        if not isinstance(by, str) or not _names(kind, by) or not _names(ref_kind, by):
            raise _Problem(
                (*at, "by") if "by" in ref else at,
                f"{what}: refers_to.by must be a subject both {kind} and {ref_kind} name",
            )
        reference = Reference(
            ref_kind, by, _conditions(ref.get("where", {}), (*at, "where"), ref_kind, what)
        )
    return EventPattern(
        kind, _conditions(raw.get("where", {}), (*path, "where"), kind, what), on, reference, name
    )


def _kind(raw: Mapping[str, Any], path: KeyPath, what: str) -> str:
    kind = raw.get("kind")
    catalogue = _catalogue()
    if not isinstance(kind, str) or kind not in catalogue:
        raise _Problem(
            (*path, "kind") if "kind" in raw else path,
            f"{what}: unknown event kind {kind!r} (see docs/events.md for the kinds)",
        )
    return kind


def _conditions(value: object, path: KeyPath, kind: str, what: str) -> tuple[Condition, ...]:
    raw = _table(value, path, f"{what}: where")
    conditions = []
    fields = _fields(kind)
    for name, wanted in raw.items():
        at = (*path, name)
        if name not in fields:
            raise _Problem(
                at, f"{what}: {kind} has no field {name!r} (it has: {', '.join(sorted(fields))})"
            )
        negate = False
        if isinstance(wanted, dict):
            if len(wanted) != 1 or next(iter(wanted)) not in ("any_of", "none_of"):
                raise _Problem(
                    at,
                    f"{what}: a condition is a value, "
                    "{ any_of = [...] } or { none_of = [...] }",
                )
            ((operator, values),) = wanted.items()
            negate = operator == "none_of"
            if not isinstance(values, list) or not values:
                raise _Problem(at, f"{what}: {operator} needs a list of values")
        else:
            values = [wanted]
        for item in values:
            if not isinstance(item, str | int | bool):
                raise _Problem(at, f"{what}: a condition compares text, numbers or true/false")
            known = _vocabulary(kind, name)
            if known is not None and item not in known:
                raise _Problem(
                    at,
                    f"{what}: {item!r} is not a {kind} {name} (known: {', '.join(sorted(known))})",
                )
        conditions.append(Condition(name, tuple(values), negate))
    return tuple(conditions)


# --- what the checks know about events ------------------------------------------------------


def _catalogue() -> Mapping[str, type[Event]]:
    import tocsin.domain  # every event module registers its kinds on import
    from tocsin.domain.events import CATALOGUE

    assert tocsin.domain
    return CATALOGUE


def _fields(kind: str) -> set[str]:
    return {f.name for f in dataclasses.fields(_catalogue()[kind])}


@functools.cache
def _subject_types(kind: str) -> frozenset[str]:
    """The types of subject an event of ``kind`` can name, found by building one with every
    field filled in (so optional subjects show too)."""
    cls = _catalogue()[kind]
    hints = typing.get_type_hints(cls)
    values = {f.name: _dummy(hints[f.name]) for f in dataclasses.fields(cls)}
    subjects = cls(**values).subjects()
    # A subject copied whole from a field (record.expunged's) may be of any type: "*".
    return frozenset(s.split(":", 1)[0] if ":" in s else _ANY for s in map(str, subjects))


def _names(kind: str, subject_type: str) -> bool:
    """Whether an event of ``kind`` can name a subject of ``subject_type``."""
    types = _subject_types(kind)
    return subject_type in types or _ANY in types


def _listed(kind: str) -> str:
    types = _subject_types(kind)
    return "any subject" if _ANY in types else ", ".join(sorted(types)) or "nothing"


_ANY = "*"


@functools.cache
def _subject_types_known() -> frozenset[str]:
    return frozenset().union(*(_subject_types(kind) for kind in _catalogue())) - {_ANY}


def _dummy(hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, __import__("types").UnionType):
        return _dummy(next(arg for arg in typing.get_args(hint) if arg is not type(None)))
    if origin is list:
        (item,) = typing.get_args(hint) or (str,)
        return [_dummy(item)]
    if origin is dict or hint is dict:
        return {}
    return {bool: True, int: 1, str: "x", date: "2000-01-01"}.get(hint, "x")


def _vocabulary(kind: str, field: str) -> frozenset[str] | None:
    """Codes a payload field can hold, where Tocsin fixes them (to catch a misspelt code)."""
    from tocsin.domain.casework import DECISIONS, OUTCOMES
    from tocsin.domain.clocks._events import CHALLENGE_OUTCOMES, MEETING_DECISIONS, MEETING_KINDS
    from tocsin.domain.concerns import CHANNELS, CIN_FACTORS

    vocabularies: dict[tuple[str, str], Mapping[str, object]] = {
        ("decision.recorded", "decision"): DECISIONS,
        ("concern.recorded", "cin_factors"): CIN_FACTORS,
        ("concern.recorded", "channel"): CHANNELS,
        ("outcome.recorded", "outcome"): OUTCOMES,
        ("meeting.recorded", "meeting_kind"): MEETING_KINDS,
        ("meeting.recorded", "decisions"): MEETING_DECISIONS,
        ("challenge.answered", "outcome"): CHALLENGE_OUTCOMES,
    }
    known = vocabularies.get((kind, field))
    return None if known is None else frozenset(known)

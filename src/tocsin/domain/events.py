"""Events: the only way Tocsin's state changes.

An event is a frozen dataclass with a stable past-tense dotted ``kind``, a payload schema
``version``, a one-line ``meaning`` and the ``subjects`` it is about (the first is the record it
belongs to; expunging that record erases the payload). Every kind registers itself in
:data:`CATALOGUE` when its class is defined; ``docs/events.md`` is generated from it and a test
fails when a kind is undocumented. Old payload versions are upcast by ``upcast`` on read, never
edited in place.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, ClassVar, Self

__all__ = ["CATALOGUE", "Event", "EventDecodeError", "catalogue_markdown", "event_type"]

_KIND = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
CATALOGUE: dict[str, type[Event]] = {}
_FIELD_NAMES: dict[type, frozenset[str]] = {}
_FIELD_ORDER: dict[type, tuple[str, ...]] = {}


class EventDecodeError(ValueError):
    """A stored payload does not fit its event kind and version."""


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of every event. Subclasses are frozen dataclasses declaring the class variables."""

    kind: ClassVar[str]
    version: ClassVar[int] = 1
    meaning: ClassVar[str]
    #: payload fields never shown in decoded output (they stay in the ledger, committed).
    secret_fields: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind")
        if kind is None:
            return
        if not _KIND.match(kind):
            raise TypeError(f"event kind {kind!r} must be dotted lower-case words")
        if not cls.__dict__.get("meaning"):
            raise TypeError(f"event kind {kind} needs a one-line meaning")
        if kind in CATALOGUE:
            raise TypeError(f"event kind {kind} is defined twice")
        CATALOGUE[kind] = cls

    def subjects(self) -> tuple[str, ...]:
        """The records this event is about, the one it belongs to first."""
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        names = _FIELD_ORDER.get(type(self))
        if names is None:
            # dataclasses.fields is slow for a bulk load's thousands of events: looked up once.
            names = _FIELD_ORDER[type(self)] = tuple(f.name for f in dataclasses.fields(self))
        return {name: getattr(self, name) for name in names}

    @classmethod
    def upcast(cls, version: int, payload: dict[str, Any]) -> dict[str, Any]:
        """Turn a payload written at ``version`` into the current version's shape."""
        if version != cls.version:
            raise EventDecodeError(f"{cls.kind} has no upcaster from version {version}")
        return payload

    @classmethod
    def from_payload(cls, version: int, payload: dict[str, Any]) -> Self:
        current = cls.upcast(version, payload)
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = frozenset(f.name for f in dataclasses.fields(cls))
        if current.keys() != names:
            raise EventDecodeError(
                f"{cls.kind} v{version} payload has members {sorted(current)}, "
                f"expected {sorted(names)}"
            )
        return cls(**current)

    def redacted_payload(self) -> dict[str, Any]:
        shown = self.payload()
        for name in self.secret_fields:
            shown[name] = "(secret)"
        return shown


def event_type(kind: str) -> type[Event]:
    """The class for ``kind``; LookupError if the catalogue has none."""
    try:
        return CATALOGUE[kind]
    except KeyError:
        raise LookupError(f"unknown event kind {kind!r}") from None


def catalogue_markdown() -> str:
    """The event catalogue, as written to ``docs/events.md``."""
    lines = [
        "# Event catalogue",
        "",
        "Generated from the event classes by `make docs`; do not edit by hand. Every state change",
        "in Tocsin is one of these events, appended to the ledger. The first subject is the record",
        "the event belongs to.",
        "",
        "| Kind | Version | Meaning | Payload fields |",
        "| --- | --- | --- | --- |",
    ]
    for kind in sorted(CATALOGUE):
        cls = CATALOGUE[kind]
        fields = ", ".join(
            f"`{f.name}`" + (" (secret)" if f.name in cls.secret_fields else "")
            for f in dataclasses.fields(cls)
        )
        lines.append(f"| `{kind}` | {cls.version} | {cls.meaning} | {fields} |")
    return "\n".join(lines) + "\n"

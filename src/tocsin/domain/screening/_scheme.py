"""Screening schemes: indicators, their groups and points, and score bands, read from TOML.

The default scheme (``seraf.toml`` beside this module) is the SERAF-style scheme of DOMAIN.md
section 3. A partnership can load its own with :func:`load_scheme`; every scheme is checked when
loaded, so that scoring never meets an ambiguous band or an indicator without a group.
"""

from __future__ import annotations

import calendar
import functools
import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "Band",
    "Indicator",
    "IndicatorGroup",
    "PointsWindow",
    "ScreeningScheme",
    "ScreeningSchemeError",
    "default_scheme",
    "load_scheme",
    "months_before",
    "parse_scheme",
]

_INDICATOR_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_BAND_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_CIN_CODE = re.compile(r"^[0-9]{1,2}[A-Z]?$")
_TOP_KEYS = {
    "scheme",
    "version",
    "title",
    "source",
    "source_urls",
    "reassess_within_months",
    "notes",
    "band",
    "group",
    "cin_factors",
    "indicator",
}


class ScreeningSchemeError(ValueError):
    """A screening scheme cannot be used; the message names the file, the entry and the fix."""


@dataclass(frozen=True)
class Band:
    """A range of scores with a name. ``max`` is None for the open-ended top band."""

    id: str
    label: str
    min: int
    max: int | None

    def contains(self, score: int) -> bool:
        """Whether ``score`` falls in this band."""
        return self.min <= score and (self.max is None or score <= self.max)


@dataclass(frozen=True)
class PointsWindow:
    """What an indicator is worth when last seen within ``within_months`` (None: any time)."""

    points: int
    within_months: int | None


@dataclass(frozen=True)
class IndicatorGroup:
    """A tier of indicators that score alike (vulnerabilities, moderate, significant)."""

    id: str
    label: str
    description: str
    points: tuple[PointsWindow, ...]

    def window_for(self, seen_on: date, as_of: date) -> PointsWindow | None:
        """The first window containing an observation on ``seen_on``; None if none does."""
        for window in self.points:
            if window.within_months is None:
                return window
            if seen_on >= months_before(as_of, window.within_months):
                return window
        return None


@dataclass(frozen=True)
class Indicator:
    """One thing a practitioner can record as seen, with a stable id."""

    id: str
    group: str
    label: str
    #: a critical indicator of the regional three-tier tools (DOMAIN.md section 3).
    critical: bool
    #: Children in Need assessment factor codes this indicator relates to.
    cin: tuple[str, ...]
    #: True only where the indicator names the same concern as the DfE factor description.
    cin_verified: bool


@dataclass(frozen=True)
class ScreeningScheme:
    """A versioned, cited scheme: bands, groups and indicators."""

    scheme: str
    version: int
    title: str
    source: str
    source_urls: tuple[str, ...]
    reassess_within_months: int
    notes: str
    bands: tuple[Band, ...]
    groups: tuple[IndicatorGroup, ...]
    indicators: tuple[Indicator, ...]
    cin_factors: Mapping[str, str]
    #: where the scheme was read from, for messages.
    origin: str

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with ``indicator_id``; LookupError if the scheme has none."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise LookupError(f"the {self.scheme} scheme has no indicator {indicator_id!r}")

    def group(self, group_id: str) -> IndicatorGroup:
        """The group with ``group_id``; LookupError if the scheme has none."""
        for group in self.groups:
            if group.id == group_id:
                return group
        raise LookupError(f"the {self.scheme} scheme has no indicator group {group_id!r}")

    def band(self, band_id: str) -> Band:
        """The band with ``band_id``; LookupError naming the bands if there is none."""
        for band in self.bands:
            if band.id == band_id:
                return band
        known = ", ".join(b.id for b in self.bands)
        raise LookupError(f"the {self.scheme} scheme has no band {band_id!r} (it has: {known})")

    def band_for(self, score: int) -> Band:
        """The band a score falls in (bands are checked to cover every score exactly once)."""
        for band in self.bands:
            if band.contains(score):
                return band
        raise ValueError(f"a score of {score} is below every band")


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` calendar months earlier, clamped to a month's end."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def load_scheme(path: str | Path | None = None) -> ScreeningScheme:
    """Read and check the scheme at ``path``; the default SERAF-style scheme when None."""
    if path is None:
        return default_scheme()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScreeningSchemeError(
            f"cannot read screening scheme {str(path)!r}: {exc.strerror}"
        ) from None
    return parse_scheme(text, origin=str(path))


@functools.cache
def default_scheme() -> ScreeningScheme:
    """The SERAF-style scheme shipped with Tocsin (DOMAIN.md section 3), loaded once."""
    text = resources.files("tocsin.domain.screening").joinpath("seraf.toml")
    return parse_scheme(text.read_text(encoding="utf-8"), origin="seraf.toml (default)")


def parse_scheme(text: str, *, origin: str = "<text>") -> ScreeningScheme:
    """Check a screening scheme given as TOML text and build it."""
    where = f"screening scheme {origin}"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScreeningSchemeError(f"{where} is not valid TOML: {exc}") from None
    _no_unknown_keys(raw, _TOP_KEYS, where)
    cin_factors = _cin_factors(raw.get("cin_factors", {}), where)
    groups = _groups(raw.get("group"), where)
    return ScreeningScheme(
        scheme=_text(raw, "scheme", where),
        version=_whole(raw, "version", where, minimum=1),
        title=_text(raw, "title", where),
        source=_text(raw, "source", where),
        source_urls=_texts(raw, "source_urls", where),
        reassess_within_months=_whole(raw, "reassess_within_months", where, minimum=1),
        notes=_text(raw, "notes", where),
        bands=_bands(raw.get("band"), where),
        groups=groups,
        indicators=_indicators(raw.get("indicator"), {g.id for g in groups}, cin_factors, where),
        cin_factors=cin_factors,
        origin=origin,
    )


def _bands(entries: Any, where: str) -> tuple[Band, ...]:
    if not isinstance(entries, list) or not entries:
        raise ScreeningSchemeError(f"{where}: add at least one [[band]]")
    bands = []
    for number, entry in enumerate(entries, start=1):
        here = f"{where}, band {number}"
        _table(entry, here)
        _no_unknown_keys(entry, {"id", "label", "min", "max"}, here)
        band_id = _identifier(entry, _BAND_ID, here, "lower-case words joined by hyphens")
        here = f"{where}, band {band_id!r}"
        low = _whole(entry, "min", here, minimum=0)
        high = None if "max" not in entry else _whole(entry, "max", here, minimum=low)
        bands.append(Band(band_id, _text(entry, "label", here), low, high))
    _unique([b.id for b in bands], "band", where)
    bands.sort(key=lambda band: band.min)
    if bands[0].min != 0:
        raise ScreeningSchemeError(
            f"{where}: no band covers scores below {bands[0].min}; the lowest band must start at 0"
        )
    for lower, upper in itertools.pairwise(bands):
        if lower.max is None or upper.min <= lower.max:
            raise ScreeningSchemeError(
                f"{where}: bands {lower.id!r} and {upper.id!r} overlap; each score must fall "
                "in exactly one band"
            )
        if upper.min != lower.max + 1:
            raise ScreeningSchemeError(
                f"{where}: no band covers scores {lower.max + 1} to {upper.min - 1} "
                f"(between {lower.id!r} and {upper.id!r})"
            )
    if bands[-1].max is not None:
        raise ScreeningSchemeError(
            f"{where}: no band covers scores above {bands[-1].max}; leave out 'max' on the "
            f"top band {bands[-1].id!r}"
        )
    return tuple(bands)


def _groups(entries: Any, where: str) -> tuple[IndicatorGroup, ...]:
    if not isinstance(entries, list) or not entries:
        raise ScreeningSchemeError(f"{where}: add at least one [[group]]")
    groups = []
    for number, entry in enumerate(entries, start=1):
        here = f"{where}, group {number}"
        _table(entry, here)
        _no_unknown_keys(entry, {"id", "label", "description", "points"}, here)
        group_id = _identifier(entry, _INDICATOR_ID, here, "lower-case words joined by '_'")
        here = f"{where}, group {group_id!r}"
        groups.append(
            IndicatorGroup(
                id=group_id,
                label=_text(entry, "label", here),
                description=_text(entry, "description", here),
                points=_windows(entry.get("points"), here),
            )
        )
    _unique([g.id for g in groups], "group", where)
    return tuple(groups)


def _windows(entries: Any, where: str) -> tuple[PointsWindow, ...]:
    if not isinstance(entries, list) or not entries:
        raise ScreeningSchemeError(f"{where}: 'points' must list at least one window")
    windows = []
    for number, entry in enumerate(entries, start=1):
        here = f"{where}, points window {number}"
        _table(entry, here)
        _no_unknown_keys(entry, {"points", "within_months"}, here)
        months = None
        if "within_months" in entry:
            months = _whole(entry, "within_months", here, minimum=1)
        windows.append(PointsWindow(_whole(entry, "points", here, minimum=0), months))
    for earlier, later in itertools.pairwise(windows):
        if earlier.within_months is None:
            raise ScreeningSchemeError(
                f"{where}: a window without 'within_months' covers any age, so it must come last"
            )
        if later.within_months is not None and later.within_months <= earlier.within_months:
            raise ScreeningSchemeError(
                f"{where}: list windows from the most recent to the oldest "
                f"({earlier.within_months} months, then {later.within_months})"
            )
        # Older sightings may not earn more than recent ones: otherwise recording a new
        # sighting could lower a child's score, and a score must only rise with evidence.
        if later.points > earlier.points:
            raise ScreeningSchemeError(
                f"{where}: an older sighting may not score more than a recent one "
                f"({earlier.points} points, then {later.points})"
            )
    return tuple(windows)


def _cin_factors(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ScreeningSchemeError(f"{where}: [cin_factors] must map codes to descriptions")
    for code, label in raw.items():
        if not _CIN_CODE.match(code):
            raise ScreeningSchemeError(f"{where}: {code!r} is not a CIN factor code such as '11A'")
        if not isinstance(label, str) or not label.strip():
            raise ScreeningSchemeError(f"{where}: CIN factor {code!r} needs a description")
    return dict(raw)


def _indicators(
    entries: Any, group_ids: set[str], cin_factors: Mapping[str, str], where: str
) -> tuple[Indicator, ...]:
    if not isinstance(entries, list) or not entries:
        raise ScreeningSchemeError(f"{where}: add at least one [[indicator]]")
    keys = {"id", "group", "label", "critical", "cin", "cin_verified"}
    indicators = []
    for number, entry in enumerate(entries, start=1):
        here = f"{where}, indicator {number}"
        _table(entry, here)
        _no_unknown_keys(entry, keys, here)
        indicator_id = _identifier(entry, _INDICATOR_ID, here, "lower-case words joined by '_'")
        here = f"{where}, indicator {indicator_id!r}"
        group = _text(entry, "group", here)
        if group not in group_ids:
            raise ScreeningSchemeError(
                f"{here}: group {group!r} is not one of the scheme's groups "
                f"({', '.join(sorted(group_ids))})"
            )
        cin = _texts(entry, "cin", here, required=False)
        unknown = [code for code in cin if code not in cin_factors]
        if unknown:
            raise ScreeningSchemeError(
                f"{here}: CIN factor {', '.join(unknown)} is not listed under [cin_factors]"
            )
        if cin and not isinstance(entry.get("cin_verified"), bool):
            raise ScreeningSchemeError(
                f"{here}: say whether the CIN mapping is verified (cin_verified = true or false)"
            )
        indicators.append(
            Indicator(
                id=indicator_id,
                group=group,
                label=_text(entry, "label", here),
                critical=_flag(entry, "critical", here),
                cin=cin,
                cin_verified=_flag(entry, "cin_verified", here),
            )
        )
    _unique([i.id for i in indicators], "indicator", where)
    return tuple(indicators)


def _unique(ids: list[str], kind: str, where: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ScreeningSchemeError(f"{where}: {kind} id {item!r} is used twice")
        seen.add(item)


def _table(entry: Any, where: str) -> None:
    if not isinstance(entry, dict):
        raise ScreeningSchemeError(f"{where} must be a TOML table")


def _identifier(entry: Mapping[str, Any], pattern: re.Pattern[str], where: str, how: str) -> str:
    value = entry.get("id")
    if not isinstance(value, str) or not pattern.match(value):
        raise ScreeningSchemeError(f"{where}: 'id' must be {how} (got {value!r})")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ScreeningSchemeError(f"{where}: {key!r} must be non-empty text")
    return value.strip()


def _texts(
    raw: Mapping[str, Any], key: str, where: str, *, required: bool = True
) -> tuple[str, ...]:
    value = raw.get(key, None if required else [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ScreeningSchemeError(f"{where}: {key!r} must be a list of non-empty texts")
    return tuple(v.strip() for v in value)


def _whole(raw: Mapping[str, Any], key: str, where: str, *, minimum: int) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ScreeningSchemeError(f"{where}: {key!r} must be a whole number of {minimum} or more")
    return value


def _flag(raw: Mapping[str, Any], key: str, where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ScreeningSchemeError(f"{where}: {key!r} must be true or false")
    return value


def _no_unknown_keys(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(raw.keys() - allowed)
    if unknown:
        raise ScreeningSchemeError(
            f"{where}: unknown key {', '.join(repr(k) for k in unknown)} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )

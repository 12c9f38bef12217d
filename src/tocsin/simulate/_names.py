"""Name lists and the invented town's vocabulary, read once from the package's data files.

Names are invented combinations of common given names and family names from several cultural
backgrounds; places are invented stems with common suffixes in an invented postcode area; phone
numbers come only from Ofcom's ranges reserved for drama.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = [
    "DRAMA_LANDLINE_PREFIXES",
    "DRAMA_MOBILE_PREFIX",
    "ETHNICITY_CODES",
    "NameBook",
    "PlaceBook",
    "VictimBlamingPhrase",
    "drama_landline",
    "drama_mobile",
    "name_book",
    "place_book",
    "victim_blaming_phrases",
]

#: Ofcom's mobile range for drama: 07700 900000 to 07700 900999.
DRAMA_MOBILE_PREFIX = "07700 900"

#: Ofcom's geographic ranges for drama, each followed by three digits (000 to 999).
DRAMA_LANDLINE_PREFIXES: tuple[str, ...] = (
    "01632 960",
    "0113 496 0",
    "0114 496 0",
    "0115 496 0",
    "0116 496 0",
    "0117 496 0",
    "0118 496 0",
    "0121 496 0",
    "0131 496 0",
    "0141 496 0",
    "0151 496 0",
    "0161 496 0",
    "020 7946 0",
    "0191 498 0",
)

#: Children in Need census ethnicity codes recorded for each cultural background (the first is
#: the most common); REFU (refused) and NOBT (not obtained) are recorded as such.
ETHNICITY_CODES: dict[str, tuple[str, ...]] = {
    "british": ("WBRI",),
    "south_asian": ("APKN", "ABAN", "AIND"),
    "eastern_european": ("WOTH",),
    "african": ("BAFR",),
    "caribbean": ("BCRB",),
    "other": ("OOTH", "AOTH"),
    "mixed": ("MOTH",),
}


def drama_mobile(index: int) -> str:
    """The ``index``-th number of the drama mobile range (wrapping after 1,000)."""
    return f"{DRAMA_MOBILE_PREFIX}{index % 1000:03d}"


def drama_landline(index: int) -> str:
    """The ``index``-th number across the drama geographic ranges (wrapping when exhausted)."""
    index %= 1000 * len(DRAMA_LANDLINE_PREFIXES)
    return f"{DRAMA_LANDLINE_PREFIXES[index // 1000]}{index % 1000:03d}"


@dataclass(frozen=True)
class NameBook:
    """Given and family names per culture, plus spelling variants and familiar forms."""

    cultures: tuple[str, ...]
    female: dict[str, tuple[str, ...]]
    male: dict[str, tuple[str, ...]]
    family: dict[str, tuple[str, ...]]
    spelling_groups: dict[str, tuple[str, ...]]
    nicknames: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class PlaceBook:
    """The invented town's streets, towns, business names, aliases and vehicle models."""

    street_stems: tuple[str, ...]
    street_suffixes: tuple[str, ...]
    towns: tuple[str, ...]
    place_templates: dict[str, tuple[str, ...]]
    aliases: tuple[str, ...]
    vehicle_models: tuple[str, ...]


@dataclass(frozen=True)
class VictimBlamingPhrase:
    """One phrase to avoid and the guide's alternative (DOMAIN.md section 4)."""

    avoid: str
    use_instead: str


def _load(name: str) -> dict[str, Any]:
    text = resources.files("tocsin.simulate").joinpath("data", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@functools.cache
def name_book() -> NameBook:
    """The name lists (loaded once)."""
    raw = _load("names.toml")["cultures"]
    variants = _load("variants.toml")
    groups: dict[str, tuple[str, ...]] = {}
    for group in variants["spelling"]:
        for member in group:
            groups[member] = tuple(other for other in group if other != member)
    cultures = tuple(raw)
    return NameBook(
        cultures=cultures,
        female={c: tuple(raw[c]["female"]) for c in cultures},
        male={c: tuple(raw[c]["male"]) for c in cultures},
        family={c: tuple(raw[c]["family"]) for c in cultures},
        spelling_groups=groups,
        nicknames={k: tuple(v) for k, v in variants["nicknames"].items()},
    )


@functools.cache
def place_book() -> PlaceBook:
    """The invented town's vocabulary (loaded once)."""
    raw = _load("places.toml")
    kinds = ("takeaway", "taxi_firm", "hotel", "flat", "park", "trap_house")
    return PlaceBook(
        street_stems=tuple(raw["street_stems"]),
        street_suffixes=tuple(raw["street_suffixes"]),
        towns=tuple(raw["towns"]),
        place_templates={kind: tuple(raw[kind]) for kind in kinds},
        aliases=tuple(raw["aliases"]),
        vehicle_models=tuple(raw["vehicle_models"]),
    )


@functools.cache
def victim_blaming_phrases() -> tuple[VictimBlamingPhrase, ...]:
    """The one table of victim-blaming phrases, used only to exercise the language check."""
    return tuple(
        VictimBlamingPhrase(entry["avoid"], entry["use_instead"])
        for entry in _load("victim_blaming_phrases.toml")["phrase"]
    )

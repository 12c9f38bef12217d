"""Normalisation: the forms in which two records of one person, vehicle, phone or place can be
compared. Case, punctuation and accents are removed, Cyrillic is transliterated, and given names
are expanded to the groups of the maintained name-variant table (``data/name_variants.toml``).
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from importlib import resources

import phonenumbers

__all__ = [
    "NAME_VARIANTS_VERSION",
    "address_key",
    "e164",
    "is_partial_registration",
    "name_keys",
    "normalise_address",
    "normalise_name",
    "normalise_postcode",
    "normalise_registration",
    "registration_candidates",
    "transliterate",
]

# Ukrainian and Russian Cyrillic to Latin, after the UK's passport-style romanisation (BGN/PCGN
# simplified); only what names need.
_CYRILLIC = dict(
    zip(
        "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэъё",
        [
            "a",
            "b",
            "v",
            "h",
            "g",
            "d",
            "e",
            "ie",
            "zh",
            "z",
            "y",
            "i",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "iu",
            "ia",
            "y",
            "e",
            "",
            "e",
        ],
        strict=True,
    )
)
# Letters that Unicode decomposition leaves alone.
_SPECIAL = {"ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th"}
_NOT_LETTER = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def transliterate(text: str) -> str:
    """``text`` in lower-case Latin letters: accents removed, Cyrillic romanised."""
    lowered = text.casefold()
    out = []
    for char in lowered:
        if char in _CYRILLIC:
            out.append(_CYRILLIC[char])
        elif char in _SPECIAL:
            out.append(_SPECIAL[char])
        else:
            out.append(char)
    decomposed = unicodedata.normalize("NFKD", "".join(out))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1 << 17)
def normalise_name(name: str | None) -> str | None:
    """A name as compared: lower case, Latin letters, hyphens and apostrophes dropped, spaces
    collapsed (``"O'Brien-Smith "`` is ``"obrien smith"``). ``None`` when nothing is left.
    (Cached: a partnership's names repeat.)"""
    if name is None:
        return None
    text = transliterate(name).replace("'", "").replace("’", "").replace("-", " ")
    text = _SPACES.sub(" ", _NOT_LETTER.sub(" ", text)).strip()
    return text or None


def _squash(name: str) -> str:
    return name.replace(" ", "")


@functools.cache
def _variant_table() -> tuple[int, dict[str, frozenset[str]]]:
    """Each normalised name (spaces removed) mapped to the keys of the groups it belongs to."""
    raw = tomllib.loads(
        resources.files("tocsin.intel.linkage")
        .joinpath("data/name_variants.toml")
        .read_text(encoding="utf-8")
    )
    keys: dict[str, set[str]] = {}
    for group in raw["spelling"]:
        members = [_squash(normalise_name(m) or "") for m in group]
        key = "s:" + members[0]
        for member in members:
            keys.setdefault(member, set()).add(key)
    for formal, forms in raw["familiar"].items():
        key = "f:" + _squash(normalise_name(formal) or "")
        for member in [formal, *forms]:
            keys.setdefault(_squash(normalise_name(member) or ""), set()).add(key)
    return int(raw["version"]), {name: frozenset(k) for name, k in keys.items()}


NAME_VARIANTS_VERSION: int = _variant_table()[0]


def name_keys(name: str | None) -> list[str]:
    """The comparison keys of a given name or surname, sorted: the name itself (normalised,
    spaces removed) and every spelling or familiar-form group it belongs to. Two names that
    share a key are variants of one another (``Mo`` and ``Mohamed``, ``Tom`` and ``Thomas``)."""
    return list(_name_keys(name))


@functools.lru_cache(maxsize=1 << 17)
def _name_keys(name: str | None) -> tuple[str, ...]:
    normalised = normalise_name(name)
    if normalised is None:
        return ()
    squashed = _squash(normalised)
    return tuple(sorted({squashed, *_variant_table()[1].get(squashed, frozenset())}))


# --- phones ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def e164(phone: str | None, region: str = "GB") -> str | None:
    """A telephone number in E.164 form (``+447700900123``), read as a number of ``region``
    unless it starts with ``+``; ``None`` when it cannot be a valid number."""
    if phone is None or not phone.strip():
        return None
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# --- vehicles -------------------------------------------------------------------------------

_CURRENT_PLATE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z]{3}$")
_PARTIAL_PLATE = re.compile(r"^[A-Z]{2}[0-9]{0,2}[A-Z]{0,2}$")


def normalise_registration(registration: str | None) -> str | None:
    """A vehicle registration in capitals with spaces and punctuation removed
    (``"yx19 klm"`` is ``"YX19KLM"``); ``None`` when empty."""
    if registration is None:
        return None
    text = re.sub(r"[^A-Z0-9]", "", transliterate(registration).upper())
    return text or None


def is_partial_registration(registration: str | None) -> bool:
    """Whether a (normalised or not) registration is the start of a current-format plate
    rather than a whole one: ``YX19`` and ``YX19K`` are, ``YX19KLM`` is not."""
    plate = normalise_registration(registration)
    if plate is None:
        return False
    return bool(_PARTIAL_PLATE.match(plate)) and not _CURRENT_PLATE.match(plate)


class KnownRegistrations:
    """Known registrations, normalised and sorted once, so that the candidates for a partial
    one are found by a binary search rather than by normalising every known one again."""

    def __init__(self, known: Iterable[str]) -> None:
        self._plates = sorted({n for k in known if (n := normalise_registration(k))})

    def candidates(self, registration: str) -> list[str]:
        """The known registrations ``registration`` may be, sorted: those that start with it
        once both are normalised. A whole registration matches only itself."""
        prefix = normalise_registration(registration)
        if prefix is None:
            return []
        plates = self._plates
        first = bisect_left(plates, prefix)
        if not is_partial_registration(prefix):
            return [prefix] if first < len(plates) and plates[first] == prefix else []
        found = []
        for plate in itertools.islice(plates, first, None):
            if not plate.startswith(prefix):
                break
            found.append(plate)
        return found


def registration_candidates(partial: str, known: Iterable[str]) -> list[str]:
    """The known registrations a partial one may be, sorted: those that start with it once
    both are normalised. A whole registration matches only itself. (Asking many times of
    the same known ones, build a :class:`KnownRegistrations` once.)"""
    return KnownRegistrations(known).candidates(partial)


# --- places ---------------------------------------------------------------------------------

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_ABBREVIATIONS = {
    "rd": "road",
    "st": "street",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "ct": "court",
    "cres": "crescent",
    "dr": "drive",
    "gdns": "gardens",
    "gr": "grove",
    "pl": "place",
    "sq": "square",
    "ter": "terrace",
    "terr": "terrace",
    "hse": "house",
    "flt": "flat",
}


def normalise_postcode(postcode: str | None) -> str | None:
    """A UK postcode in its standard form, capitals with one space before the inward code
    (``"zz11 9tp"`` and ``"ZZ119TP"`` are ``"ZZ11 9TP"``); ``None`` when it is not one."""
    if postcode is None:
        return None
    text = re.sub(r"[^A-Z0-9]", "", postcode.upper())
    match = _POSTCODE.match(text)
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


def normalise_address(address: str | None) -> str | None:
    """An address as compared: lower case, punctuation removed, common abbreviations written
    out (``"1 Sorrelby Ave., Wyrmford"`` is ``"1 sorrelby avenue wyrmford"``)."""
    normalised = normalise_name(address)
    if normalised is None:
        return None
    return " ".join(_ABBREVIATIONS.get(word, word) for word in normalised.split(" "))


def address_key(address: str | None, postcode: str | None) -> str | None:
    """A place's identity for matching: its normalised postcode and the house number or name
    (the address's first word), so ``"Flat 2, 1 High St"`` and ``"1 High Street"`` in one
    postcode stay distinct only where the first word differs."""
    code = normalise_postcode(postcode)
    street = normalise_address(address)
    if code is None or street is None:
        return None
    return f"{code}|{street.split(' ')[0]}"

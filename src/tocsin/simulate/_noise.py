"""Noisy identifiers, as in real records: spelling and transliteration variants, familiar
forms, typing slips, swapped day and month, wrong or missing dates of birth, missing fields,
and partial vehicle registrations.

Each function takes the uniform draws it needs, so the decisions for a million records can be
drawn in one numpy call and the same seed always gives the same record.
"""

from __future__ import annotations

import datetime as dt
import functools

from tocsin.simulate._config import NoiseConfig
from tocsin.simulate._names import name_book
from tocsin.simulate._world import format_date

__all__ = ["NOISE_KINDS", "N_DRAWS", "noisy_identity", "partial_registration", "typo"]

#: Every kind of noise a person record can carry, as named in ``truth/record_identity``.
NOISE_KINDS: tuple[str, ...] = (
    "spelling_variant",
    "nickname",
    "typo",
    "dob_swapped",
    "dob_wrong",
    "dob_missing",
    "address_missing",
    "postcode_missing",
    "phone_missing",
    "ethnicity_not_recorded",
    "nhs_number_typo",
)

#: How many uniform draws :func:`noisy_identity` consumes per record.
N_DRAWS = 13

_EPOCH = dt.date(1970, 1, 1)


def typo(name: str, draw: float) -> str:
    """``name`` with one typing slip: two letters swapped, one dropped or one doubled (always
    different from ``name``)."""
    if len(name) < 3:
        return name + name[-1]
    position = 1 + int(draw * 1000) % (len(name) - 2)
    first = int(draw * 3000) % 3
    for kind in (first, (first + 1) % 3, (first + 2) % 3):
        if kind == 0:
            slipped = name[:position] + name[position + 1] + name[position] + name[position + 2 :]
        elif kind == 1:
            slipped = name[:position] + name[position + 1 :]
        else:
            slipped = name[:position] + name[position] + name[position:]
        # Swapping two equal letters changes nothing; fall through to another slip.
        if slipped != name:
            return slipped
    return name + name[-1]  # pragma: no cover - dropping a letter always changes the name


@functools.lru_cache(maxsize=1 << 16)
def _date(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=day)


def partial_registration(registration: str) -> str:
    """What a witness often notes: the first part of a registration only."""
    return registration.split(" ")[0]


def _pick(options: tuple[str, ...], draw: float) -> str:
    return options[min(int(draw * len(options)), len(options) - 1)]


def noisy_identity(
    given: str,
    family: str,
    dob: int,
    address: str | None,
    postcode: str | None,
    phone: str | None,
    draws: list[float],
    noise: NoiseConfig,
) -> tuple[str, str, str | None, str | None, str | None, str | None, list[str]]:
    """A person's identifiers as one agency records them, and the kinds of noise applied.

    ``draws`` holds :data:`N_DRAWS` uniforms in [0, 1); ``dob`` is a day number.
    """
    book = name_book()
    applied: list[str] = []
    if draws[0] < noise.spelling_variant_rate:
        if given in book.spelling_groups:
            given = _pick(book.spelling_groups[given], draws[9])
            applied.append("spelling_variant")
        elif family in book.spelling_groups:
            family = _pick(book.spelling_groups[family], draws[9])
            applied.append("spelling_variant")
    if draws[1] < noise.nickname_rate and given in book.nicknames:
        given = _pick(book.nicknames[given], draws[9])
        applied.append("nickname")
    if draws[2] < noise.typo_rate:
        family = typo(family, draws[11])
        applied.append("typo")
    date: str | None
    day = _date(dob)
    if draws[3] < noise.dob_missing_rate:
        date = None
        applied.append("dob_missing")
    elif draws[4] < noise.dob_swapped_rate and day.day <= 12 and day.day != day.month:
        date = f"{day.year:04d}-{day.day:02d}-{day.month:02d}"
        applied.append("dob_swapped")
    elif draws[5] < noise.dob_wrong_rate:
        # Either a slip of days or the wrong year.
        shift = 365 if draws[9] < 0.5 else 1 + int(draws[9] * 60)
        wrong = day + dt.timedelta(days=shift if draws[10] < 0.5 else -shift)
        date = wrong.isoformat()
        applied.append("dob_wrong")
    else:
        date = format_date(dob)
    if address is not None and draws[6] < noise.missing_field_rate:
        address = None
        applied.append("address_missing")
    if postcode is not None and draws[7] < noise.missing_field_rate:
        postcode = None
        applied.append("postcode_missing")
    if phone is not None and draws[8] < noise.missing_field_rate:
        phone = None
        applied.append("phone_missing")
    return given, family, date, address, postcode, phone, applied

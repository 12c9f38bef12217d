"""Synthetic NHS numbers: one per resident, from the range the NHS never issues, and the
slips agencies make typing them.

The NHS never issues numbers from 999 000 0000 to 999 999 9999 (test data use them), so a number
from this range can never be a real person's. The tenth digit is the modulus-11 check digit of
the first nine; a nine-digit stem whose check would be 10 has no valid number and is skipped.
The range is split: residents take numbers from its lower part (:data:`PERSON_NUMBERS`,
about 818,000) in the order of their index, and the upper part (:data:`SPARE_NUMBERS`) is left
to tools that need numbers no resident holds (the demo loader). Residents beyond the lower
part's capacity have no number.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = [
    "PERSON_NUMBERS",
    "SPARE_NUMBERS",
    "check_digit",
    "mistyped_nhs_number",
    "nhs_number_of",
    "valid_numbers",
]

#: The nine-digit stems residents' numbers come from: [first, last).
PERSON_NUMBERS = (999_000_000, 999_900_000)
#: The stems no resident's number comes from, for numbers given outside the simulator.
SPARE_NUMBERS = (999_900_000, 1_000_000_000)
_WEIGHTS = np.arange(10, 1, -1, dtype=np.int64)


def check_digit(stem: str) -> int | None:
    """The modulus-11 check digit of a nine-digit ``stem`` (None when the stem has none)."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(stem))
    check = (11 - total % 11) % 11
    return None if check == 10 else check


@functools.lru_cache(maxsize=4)
def valid_numbers(first: int, last: int) -> np.ndarray:
    """Every valid ten-digit number whose stem is in [first, last), in order (int64)."""
    stems = np.arange(first, last, dtype=np.int64)
    digits = (stems[:, None] // 10 ** np.arange(8, -1, -1, dtype=np.int64)) % 10
    check = (11 - (digits @ _WEIGHTS) % 11) % 11
    keep = check != 10
    numbers: np.ndarray = stems[keep] * 10 + check[keep]
    return numbers


def nhs_number_of(person: int) -> str | None:
    """Resident ``person``'s synthetic NHS number (None beyond the range's capacity)."""
    numbers = valid_numbers(*PERSON_NUMBERS)
    return str(int(numbers[person])) if 0 <= person < len(numbers) else None


def mistyped_nhs_number(number: str, draw: float) -> str:
    """``number`` with one of its last seven digits typed wrong (the ``999`` prefix kept, so the
    slip is still obviously synthetic). One wrong digit always fails the modulus-11 check, as
    the weights 1 to 10 share no factor with 11: a form refuses it and linkage cannot trust it."""
    position = 3 + int(draw * 7) % 7
    shift = 1 + int(draw * 7 * 9) % 9
    digit = (int(number[position]) + shift) % 10
    return number[:position] + str(digit) + number[position + 1 :]

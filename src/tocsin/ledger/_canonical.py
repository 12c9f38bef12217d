"""RFC 8785 JSON Canonicalization Scheme (JCS).

The ledger hashes bytes, so the same event must always serialise to the same bytes, on any
machine and in any language. JCS fixes that: object members sorted by their UTF-16 code units,
no insignificant whitespace, ECMAScript number formatting, and minimal string escaping.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["CanonicalJSONError", "canonical_json", "parse_canonical_json"]

# JCS numbers are IEEE doubles. An integer beyond 2**53 that no double holds exactly would be
# read differently by another verifier, so it is refused rather than silently rounded.
_MAX_SAFE_INTEGER = 2**53
_encode_string = json.encoder.encode_basestring
_FOUR_BYTE_UTF8 = re.compile(rb"[\xf0-\xf4]")


class CanonicalJSONError(ValueError):
    """A value cannot be written as (or was not written as) canonical JSON."""


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` per RFC 8785: dicts with str keys, lists, str, int, float,
    bool and None."""
    text = _by_the_c_encoder(value)
    if text is None:
        parts: list[str] = []
        _write(value, parts)
        text = "".join(parts)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalJSONError(
            "a string holds a lone surrogate, which JSON cannot carry"
        ) from None


def parse_canonical_json(data: bytes) -> Any:
    """Parse ``data`` and insist that it is already in canonical form."""
    saw_double = False

    def parse_float(text: str) -> float:
        nonlocal saw_double
        saw_double = True
        return float(text)

    def parse_int(text: str) -> int | float:
        nonlocal saw_double
        value = _parse_int(text)
        saw_double = saw_double or isinstance(value, float)
        return value

    try:
        value = json.loads(
            data.decode("utf-8"),
            parse_constant=_reject_constant,
            parse_int=parse_int,
            parse_float=parse_float,
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CanonicalJSONError(f"not valid UTF-8 JSON: {exc}") from None
    if saw_double or _FOUR_BYTE_UTF8.search(data):
        expected = canonical_json(value)
    else:
        # Without doubles (whose ECMAScript form differs from Python's) and without characters
        # beyond the BMP (where code-point order differs from UTF-16 order), the C encoder with
        # sorted keys writes exactly RFC 8785's bytes, an order of magnitude faster.
        expected = json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), sort_keys=True
        ).encode("utf-8", "surrogatepass")
    if expected != data:
        raise CanonicalJSONError("JSON is valid but not in RFC 8785 canonical form")
    return value


class _NotPlain(Exception):
    """A value the C encoder would not write as RFC 8785 does."""


def _by_the_c_encoder(value: Any) -> str | None:
    """``value`` in canonical form written by json's C encoder, several times faster than
    :func:`_write`; None when it holds anything that encoder would write differently (a
    double it would put in exponent form, a large integer, a character beyond the BMP, whose
    UTF-16 order differs from code-point order, or anything that is not JSON), which
    :func:`_write` then writes or refuses."""
    try:
        plain = _plain(value)
    except _NotPlain:
        return None
    text = json.dumps(plain, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return None if _BEYOND_BMP.search(text) else text


def _plain(value: Any) -> Any:
    """``value`` with each double the C encoder would write differently from ECMAScript made
    an int where ECMAScript writes an integer (``2.0`` is ``2``, ``-0.0`` is ``0``); raises
    :class:`_NotPlain` where that cannot be done."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
            return value
        raise _NotPlain
    if kind is float:
        if value == 0:
            return 0
        text = float.__repr__(value)
        # repr writes the shortest round-trip digits, as ECMAScript does, and in positional
        # form for 1e-4 <= |x| < 1e16, inside ECMAScript's own positional range.
        if "e" in text or "n" in text:  # exponent form, inf or nan
            raise _NotPlain
        return int(value) if text.endswith(".0") else value
    if kind is dict:
        plain = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            plain[key] = _plain(item)
        return plain
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    raise _NotPlain


_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


def _parse_int(text: str) -> int | float:
    # A JSON number denotes an IEEE double; beyond 2**53 Python's exact int would differ.
    value = int(text)
    return value if abs(value) <= _MAX_SAFE_INTEGER else float(text)


def _reject_constant(name: str) -> Any:
    raise CanonicalJSONError(f"{name} is not allowed in canonical JSON")


def _write(value: Any, out: list[str]) -> None:
    # bool before int: bool is a subclass of int.
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_encode_utf8_string(value))
    elif isinstance(value, int):
        if abs(value) <= _MAX_SAFE_INTEGER:
            out.append(str(value))
        elif _exact_double(value):
            out.append(_format_number(float(value)))
        else:
            raise CanonicalJSONError(f"integer {value} has no exact IEEE double (JSON) form")
    elif isinstance(value, float):
        out.append(_format_number(value))
    elif isinstance(value, dict):
        out.append("{")
        try:
            keys = sorted(value, key=_utf16_key)
        except (TypeError, AttributeError):
            raise CanonicalJSONError("object keys must be strings") from None
        for position, key in enumerate(keys):
            if position:
                out.append(",")
            out.append(_encode_utf8_string(key))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise CanonicalJSONError(f"{type(value).__name__} cannot be written as JSON")


def _exact_double(value: int) -> bool:
    try:
        return int(float(value)) == value
    except OverflowError:
        return False


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _encode_utf8_string(text: str) -> str:
    # json's encoder escapes exactly what ECMAScript's JSON.stringify escapes when
    # ensure_ascii is off: the quote, the backslash and the C0 controls (\b \t \n \f \r as
    # short escapes, the rest as lowercase \u00xx).
    return str(_encode_string(text))


def _format_number(number: float) -> str:
    """ECMAScript Number.prototype.toString for a finite double (ECMA-262 §7.1.12.1)."""
    if not math.isfinite(number):
        raise CanonicalJSONError("NaN and Infinity are not allowed in canonical JSON")
    if number == 0:
        return "0"  # also for -0.0
    sign = "-" if number < 0 else ""
    # repr gives the shortest digits that round-trip, as ECMAScript requires.
    mantissa, _, exponent_text = repr(abs(number)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    if frac_part == "0":
        frac_part = ""
    digits = (int_part + frac_part).lstrip("0")
    # n: the position of the decimal point relative to the start of `digits`.
    leading_zeros = len(int_part + frac_part) - len((int_part + frac_part).lstrip("0"))
    point = len(int_part) - leading_zeros + int(exponent_text or 0)
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * (-point) + digits
    else:
        exponent = point - 1
        exp_sign = "+" if exponent >= 0 else "-"
        head = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = f"{head}e{exp_sign}{abs(exponent)}"
    return sign + text

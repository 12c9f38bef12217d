"""RFC 8785 canonical JSON: the RFC's own examples and the values it must refuse."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.ledger import CanonicalJSONError, _canonical, canonical_json, parse_canonical_json


def test_members_are_sorted_by_utf16_code_units() -> None:
    # RFC 8785 §3.2.3's sorting example.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(parse_canonical_json(canonical_json(value)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_the_rfc_example_object() -> None:
    # RFC 8785 §3.2.2's example (numbers as ECMAScript writes them).
    value = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(value).decode("utf-8") == expected


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (-1.5, "-1.5"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (123456789012345680000.0, "123456789012345680000"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
    ],
)
def test_numbers_are_written_as_ecmascript_does(number: float, text: str) -> None:
    assert canonical_json(number).decode() == text


def test_large_integers_are_written_as_their_exact_double() -> None:
    assert canonical_json(2**53) == b"9007199254740992"
    assert canonical_json(10**22) == b"1e+22"


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, -math.inf, 2**53 + 1, 10**400, {1: "x"}, object(), "\ud800"]
)
def test_values_json_cannot_carry_exactly_are_refused(bad: object) -> None:
    with pytest.raises(CanonicalJSONError):
        canonical_json(bad)


@pytest.mark.parametrize(
    "text", [b'{"b":1,"a":2}', b'{"a": 1}', b"[1.0]", b'"\\u00e9"', b"\xff", b"NaN"]
)
def test_parse_refuses_anything_not_already_canonical(text: bytes) -> None:
    with pytest.raises(CanonicalJSONError):
        parse_canonical_json(text)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_canonical_output_round_trips_and_is_stable(value: object) -> None:
    text = canonical_json(value)
    assert canonical_json(parse_canonical_json(text)) == text


# Doubles of every magnitude (both sides of each change of form), integers either side of
# 2**53, and keys and text beyond the BMP, where UTF-16 order differs from code-point order.
_any_number = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=1e-8, max_value=1e-3),
    st.floats(min_value=1e14, max_value=1e22),
    st.integers(min_value=-(2**60), max_value=2**60).filter(lambda n: float(n) == n),
    st.sampled_from([0.0, -0.0, 1.0, -2.0, 1e-7, 1e-6, 1e-4, 1e15, 1e16, 1e21, 2**53]),
)
_any_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=6)
_any_value = st.recursive(
    st.none() | st.booleans() | _any_number | _any_text,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(_any_text, children, max_size=4)
    ),
    max_leaves=20,
)


@given(_any_value)
def test_the_fast_encoder_writes_what_the_reference_writer_writes(value: object) -> None:
    """canonical_json hands what it can to json's C encoder; whatever it hands over must come
    out byte for byte as the RFC 8785 writer writes it."""
    parts: list[str] = []
    _canonical._write(value, parts)
    assert canonical_json(value) == "".join(parts).encode("utf-8")


def test_the_fast_encoder_gives_way_where_it_would_differ() -> None:
    """Each case the C encoder writes differently is left to the reference writer."""
    for value in [1e-7, 1e16, 2**53 + 2, {"\U0001f600": 1, "\uffff": 2}, ["\U0001f600"]]:
        assert _canonical._by_the_c_encoder(value) is None, value
    assert _canonical._by_the_c_encoder({"b": 2.0, "a": [-0.0, 0.25]}) == '{"a":[0,0.25],"b":2}'

"""The API's bounded JSON parser: depth is counted outside strings, without parsing."""

from __future__ import annotations

import io

import pytest
from rest_framework.exceptions import ParseError

from tocsin.server.api.parsers import MAX_JSON_DEPTH, BoundedJSONParser, json_depth


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[[[["', 0),
        ('{"a": [1, {"b": []}]}', 4),
        ('{"a": "]]]", "b": [[]]}', 3),
        ('["\\"[", []]', 2),
        ("]]]][", 1),
    ],
)
def test_depth_counts_brackets_outside_strings(text: str, depth: int) -> None:
    assert json_depth(text) == depth


def test_counting_stops_past_the_cap() -> None:
    assert json_depth("[" * 1_000_000) == MAX_JSON_DEPTH + 1


def _parse(body: bytes) -> object:
    return BoundedJSONParser().parse(io.BytesIO(body), "application/json", {"encoding": "utf-8"})


def test_a_body_at_the_cap_is_parsed_and_one_past_it_refused() -> None:
    deepest = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert _parse(deepest.encode()) is not None
    with pytest.raises(ParseError, match=f"more than {MAX_JSON_DEPTH} deep"):
        _parse(("[" + deepest + "]").encode())


def test_broken_json_and_bad_bytes_are_parse_errors() -> None:
    with pytest.raises(ParseError, match="JSON parse error"):
        _parse(b'{"a": ')
    with pytest.raises(ParseError, match="not utf-8 text"):
        _parse(b"\xff\xfe")

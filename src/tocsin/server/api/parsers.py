"""The API's JSON parser, bounded: a body nested deeper than :data:`MAX_JSON_DEPTH` is refused
as a parse error (400) before Python's ``json`` module recurses into it, which for a body of a
few hundred kilobytes of ``[`` would exhaust the interpreter's stack (a RecursionError, a 500),
and a body larger than Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused unread.

The deepest body Tocsin accepts (a concern: its children, each child's aliases) is four
levels; the cap leaves room for growth and none for abuse.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding  # type: ignore[attr-defined]
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant

__all__ = ["MAX_JSON_DEPTH", "BoundedJSONParser", "json_depth"]

#: Arrays and objects nested in one another, at most.
MAX_JSON_DEPTH = 20
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str, *, stop_after: int = MAX_JSON_DEPTH) -> int:
    """How deeply arrays and objects nest in the JSON ``text`` (0 for a bare value), counted
    without parsing it, outside strings; counting stops once it passes ``stop_after``. The
    text need not be valid JSON: the parser says what else is wrong with it."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop_after:
                break
        else:
            depth = max(0, depth - 1)
    return deepest


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than :data:`MAX_JSON_DEPTH`."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        """The body as JSON, or :class:`ParseError` saying what is wrong with it."""
        encoding = get_encoding(parser_context or {})
        # DRF reads the body from the request's stream, past Django's own size check.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise ParseError(f"The body is larger than {limit:,} bytes; no Tocsin request is")
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(f"The body is not {encoding} text") from None
        if json_depth(text) > MAX_JSON_DEPTH:
            raise ParseError(
                f"The body nests arrays or objects more than {MAX_JSON_DEPTH} deep; "
                "no Tocsin request needs more"
            )
        try:
            constant = strict_constant if api_settings.STRICT_JSON else None
            return json.loads(text, parse_constant=constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None

"""Event envelopes: the leaf format, its strict parsing, and salted commitments."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.ledger import (
    CanonicalJSONError,
    Envelope,
    EnvelopeError,
    canonical_json,
    format_event_time,
    seal_payload,
)

GOOD: dict[str, object] = {
    "v": 1,
    "seq": 0,
    "time": "2026-01-31T09:00:00.000000Z",
    "kind": "agency.registered",
    "actor": "system:test",
    "subjects": ("agency:1",),
    "commitment": "0" * 64,
}


def test_the_leaf_is_canonical_json_of_exactly_the_envelope_members() -> None:
    leaf = Envelope(**GOOD).leaf()  # type: ignore[arg-type]
    assert leaf == canonical_json({**GOOD, "subjects": ["agency:1"]})
    assert Envelope.parse(leaf) == Envelope(**GOOD)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("v", 0),
        ("seq", -1),
        ("time", "2026-01-31 09:00"),
        ("kind", "Agency Registered"),
        ("actor", ""),
        ("commitment", "XYZ"),
        ("subjects", ("",)),
    ],
)
def test_malformed_members_are_refused(member: str, value: object) -> None:
    with pytest.raises(EnvelopeError):
        Envelope(**{**GOOD, member: value})  # type: ignore[arg-type]


def test_parse_refuses_extra_or_missing_members() -> None:
    extra = canonical_json({**GOOD, "subjects": ["agency:1"], "note": "x"})
    with pytest.raises(EnvelopeError, match="extra"):
        Envelope.parse(extra)
    missing = canonical_json({k: v for k, v in GOOD.items() if k != "actor"} | {"subjects": []})
    with pytest.raises(EnvelopeError, match="missing"):
        Envelope.parse(missing)


def test_commitment_is_sha256_of_salt_and_canonical_payload() -> None:
    sealed = seal_payload({"b": 2, "a": 1})
    assert len(sealed.salt) == 32
    assert sealed.body == b'{"a":1,"b":2}'
    assert sealed.commitment == hashlib.sha256(sealed.salt + sealed.body).hexdigest()
    # A fresh salt each time, so equal payloads do not have equal commitments.
    assert seal_payload({"a": 1, "b": 2}).commitment != sealed.commitment


def test_event_times_are_utc_with_microseconds() -> None:
    moment = datetime(2026, 1, 31, 10, 0, 0, 5, tzinfo=timezone(timedelta(hours=1)))
    assert format_event_time(moment) == "2026-01-31T09:00:00.000005Z"
    with pytest.raises(EnvelopeError):
        format_event_time(datetime(2026, 1, 31))
    assert format_event_time(datetime(2026, 1, 31, tzinfo=UTC)).endswith("Z")


envelopes = st.builds(
    Envelope,
    v=st.integers(1, 2**53),
    seq=st.integers(0, 2**53),
    time=st.just("2026-01-31T09:00:00.000000Z"),
    kind=st.from_regex(r"\A[a-z][a-z_]{0,8}(\.[a-z][a-z_]{0,8}){1,2}\Z"),
    actor=st.text(min_size=1),
    subjects=st.lists(st.text(min_size=1), max_size=4).map(tuple),
    commitment=st.text("0123456789abcdef", min_size=64, max_size=64),
)


@given(envelopes)
def test_the_fast_leaf_encoding_is_exactly_rfc_8785(envelope: Envelope) -> None:
    """The envelope's C-encoded leaf must equal the full RFC 8785 algorithm's output,
    including for strings beyond the BMP and control characters."""
    try:
        expected = canonical_json(
            {
                "v": envelope.v,
                "seq": envelope.seq,
                "time": envelope.time,
                "kind": envelope.kind,
                "actor": envelope.actor,
                "subjects": list(envelope.subjects),
                "commitment": envelope.commitment,
            }
        )
    except CanonicalJSONError:
        return  # a lone surrogate: the leaf cannot be written at all
    assert envelope.leaf() == expected
    assert Envelope.parse(expected) == envelope


def test_parse_refuses_a_leaf_that_is_not_canonical() -> None:
    canonical = Envelope(**GOOD).leaf()  # type: ignore[arg-type]
    spaced = canonical.replace(b",", b", ")
    reordered = (
        canonical_json({**GOOD, "subjects": ["agency:1"]})
        .replace(b'{"actor":"system:test",', b"{")
        .replace(b"}", b',"actor":"system:test"}')
    )
    for bad in (spaced, reordered, canonical.replace(b'"seq":0', b'"seq":0.0')):
        with pytest.raises(EnvelopeError):
            Envelope.parse(bad)

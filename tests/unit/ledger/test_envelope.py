"""Event envelopes: the leaf format, its strict parsing, and salted commitments."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tocsin.ledger import Envelope, EnvelopeError, canonical_json, format_event_time, seal_payload

GOOD = dict(
    v=1,
    seq=0,
    time="2026-01-31T09:00:00.000000Z",
    kind="agency.registered",
    actor="system:test",
    subjects=("agency:1",),
    commitment="0" * 64,
)


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
        format_event_time(datetime(2026, 1, 31))  # noqa: DTZ001
    assert format_event_time(datetime(2026, 1, 31, tzinfo=UTC)).endswith("Z")

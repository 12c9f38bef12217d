"""The witness without HTTP: every tlog-witness answer, the fork test, config, fuzzing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories.transparency import WITNESS_SEED, ToyLog
from tocsin.ledger import CosignatureSigner, Ed25519Signer, open_checkpoint, verify_cosignatures
from tocsin.witness import (
    KnownLog,
    Witness,
    WitnessConfigError,
    init_witness,
    load_logs,
    load_witness_key,
    make_app,
    open_witness,
)

WITNESS_NAME = "witness.test/oversight"


def _witness(path: Path, *logs: ToyLog) -> Witness:
    signer = CosignatureSigner(WITNESS_NAME, WITNESS_SEED)
    known = {log.origin: KnownLog(log.origin, (log.signer.verifier(),)) for log in logs}
    return Witness(path / "state.sqlite3", signer, known, clock=lambda: 1_700_000_000)


def test_first_checkpoint_then_growth_are_cosigned(tmp_path: Path) -> None:
    log = ToyLog().grow(10)
    witness = _witness(tmp_path, log)
    first = witness.add_checkpoint(log.add_request(0, 10))
    assert first.status == 200
    assert first.body.decode().startswith("— witness.test/oversight ")
    cosigned = log.signed(10) + first.body.decode()
    [cosignature] = verify_cosignatures(cosigned, [witness.signer.verifier()])
    assert cosignature.timestamp == 1_700_000_000
    log.grow(7)
    assert witness.add_checkpoint(log.add_request(10, 17)).status == 200
    latest = witness.latest(log.origin)
    assert latest is not None
    assert latest[0] == 17
    assert open_checkpoint(latest[1], log.signer.verifier()).checkpoint.size == 17
    assert verify_cosignatures(latest[1], [witness.signer.verifier()])
    # The same checkpoint again is cosigned again (old size = new size, same root).
    assert witness.add_checkpoint(log.add_request(17, 17)).status == 200


def test_unknown_origin_is_404_and_bad_signature_403(tmp_path: Path) -> None:
    log = ToyLog().grow(3)
    witness = _witness(tmp_path, log)
    stranger = ToyLog(origin="tocsin.test/unknown").grow(3)
    assert witness.add_checkpoint(stranger.add_request(0, 3)).status == 404
    forged = log.add_request(0, 3).replace(b"\n3\n", b"\n4\n")
    assert witness.add_checkpoint(forged).status == 403
    other_key = ToyLog(signer=Ed25519Signer(log.origin, bytes(32))).grow(3)
    unknown_key = witness.add_checkpoint(other_key.add_request(0, 3))
    assert unknown_key.status == 403
    assert b"no signature from a trusted key" in unknown_key.body


def test_old_size_rules_400_409_422(tmp_path: Path) -> None:
    log = ToyLog().grow(20)
    witness = _witness(tmp_path, log)
    assert witness.add_checkpoint(log.add_request(0, 10)).status == 200
    above = log.add_request(0, 10).replace(b"old 0\n", b"old 11\n")
    assert witness.add_checkpoint(above).status == 400
    stale = witness.add_checkpoint(log.add_request(5, 20))
    assert (stale.status, stale.content_type, stale.body) == (409, "text/x.tlog.size", b"10\n")
    bad_proof = log.add_request(10, 20, proof=log.consistency(9, 20))
    assert witness.add_checkpoint(bad_proof).status == 422
    empty_proof = log.add_request(10, 20, proof=[])
    assert witness.add_checkpoint(empty_proof).status == 422
    assert witness.latest(log.origin) is not None
    assert witness.latest(log.origin)[0] == 10  # type: ignore[index]
    assert witness.add_checkpoint(log.add_request(10, 20)).status == 200


def test_fork_two_histories_under_one_key(tmp_path: Path) -> None:
    main = ToyLog(history="main").grow(8)
    fork = ToyLog(history="fork").grow(8)
    assert main.signer.vkey == fork.signer.vkey
    witness = _witness(tmp_path, main)
    assert witness.add_checkpoint(main.add_request(0, 8)).status == 200
    # Same size, other root: 409 with the size the witness holds.
    same_size = witness.add_checkpoint(fork.add_request(8, 8, proof=[]))
    assert (same_size.status, same_size.body) == (409, b"8\n")
    # Larger, with the fork's own (honest-looking) proof: it cannot lead to main's old root.
    fork.grow(4)
    assert witness.add_checkpoint(fork.add_request(8, 12)).status == 422
    assert witness.evidence(main.origin)[0][2] == "fork"
    assert len(witness.evidence(main.origin)) == 2
    latest = witness.latest(main.origin)
    assert latest is not None
    assert latest[1].startswith(main.signed(8))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 0\n",
        b"old\n\nx",
        b"old 01\n\n",
        b"old -1\n\n",
        b"old 99999999999999999999\n\n",
        b"new 0\n\n",
        b"old 0\nnot base64\n\n",
        b"old 0\nAAAA\n\n",
        b"old 0\n" + b"A" * 43 + b"=\n" * 64 + b"\n",
        b"old 0\n\nnot a note",
        b"old 0\n\norigin\n1\nroot\n\n\xe2\x80\x94 a AAAAAAAA\n",
        b"\xff\n\n",
    ],
)
def test_malformed_bodies_are_400(tmp_path: Path, body: bytes) -> None:
    witness = _witness(tmp_path, ToyLog())
    assert witness.add_checkpoint(body).status == 400


def test_init_creates_a_private_key_and_refuses_to_overwrite(tmp_path: Path) -> None:
    state = tmp_path / "state"
    vkey = init_witness(state, WITNESS_NAME)
    assert (state / "witness.skey").stat().st_mode & 0o777 == 0o600
    assert load_witness_key(state).vkey == vkey
    with pytest.raises(WitnessConfigError, match="already exists"):
        init_witness(state, WITNESS_NAME)
    (state / "witness.skey").chmod(0o644)
    with pytest.raises(WitnessConfigError, match="chmod 600"):
        load_witness_key(state)


def test_logs_file(tmp_path: Path) -> None:
    log = ToyLog()
    path = tmp_path / "logs.toml"
    path.write_text(f'[[log]]\norigin = "{log.origin}"\nvkey = "{log.signer.vkey}"\n')
    assert list(load_logs(path)) == [log.origin]
    for text, message in [
        ("[[log]]\norigin = 3\n", "origin"),
        (f'[[log]]\norigin = "{log.origin}"\n', "vkey"),
        (f'[[log]]\norigin = "a"\nvkey = "{log.signer.vkey}"\ncolour = 1\n', "unknown field"),
        (f'[[log]]\norigin = "a"\nvkey = "{log.signer.vkey[:-2]}"\n', "log entry 1"),
        ("[[log]\n", "not valid TOML"),
    ]:
        path.write_text(text)
        with pytest.raises(WitnessConfigError, match=message):
            load_logs(path)
    with pytest.raises(WitnessConfigError, match="no logs file"):
        load_logs(tmp_path / "missing.toml")


def test_open_witness_from_a_state_folder(tmp_path: Path) -> None:
    log = ToyLog().grow(2)
    init_witness(tmp_path, WITNESS_NAME)
    (tmp_path / "logs.toml").write_text(
        f'[[log]]\norigin = "{log.origin}"\nvkeys = ["{log.signer.vkey}"]\n'
    )
    witness = open_witness(tmp_path)
    assert witness.add_checkpoint(log.add_request(0, 2)).status == 200


# --- the WSGI app, fuzzed: never a 5xx, never an exception ----------------------------------


def _call(
    app: Any, method: str, path: str, body: bytes = b"", query: str = ""
) -> tuple[int, bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"] = int(status.split()[0])

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    result = b"".join(app(environ, start_response))
    return seen["status"], result


_FUZZ_LOG = ToyLog().grow(5)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Witness, Any]:
    witness = _witness(tmp_path_factory.mktemp("fuzz"), _FUZZ_LOG)
    return witness, make_app(witness)


@settings(max_examples=300, deadline=None)
@given(
    start=st.integers(0, 400),
    cut=st.integers(0, 40),
    insert=st.binary(max_size=12) | st.sampled_from([b"\n", b"\n\n", b"old ", b" ", b"0"]),
)
def test_fuzz_add_checkpoint_only_clean_answers(
    fuzz_app: tuple[Witness, Any], start: int, cut: int, insert: bytes
) -> None:
    witness, app = fuzz_app
    valid = _FUZZ_LOG.add_request(0, 5)
    mutated = valid[:start] + insert + valid[start + cut :]
    status, _ = _call(app, "POST", "/add-checkpoint", mutated)
    assert status in (200, 400, 403, 404, 409, 422)
    latest = witness.latest(_FUZZ_LOG.origin)
    if latest is not None:
        # Whatever got through is the log's genuine checkpoint, cosigned.
        assert open_checkpoint(latest[1], _FUZZ_LOG.signer.verifier()).checkpoint.size == 5


@settings(max_examples=150, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "HEAD", "DELETE"]),
    path=st.sampled_from(["/add-checkpoint", "/checkpoint", "/vkey", "/", "/x"])
    | st.text(max_size=20),
    query=st.text(max_size=40),
    body=st.binary(max_size=200),
)
def test_fuzz_any_request_is_answered_without_a_server_error(
    fuzz_app: tuple[Witness, Any], method: str, path: str, query: str, body: bytes
) -> None:
    app = fuzz_app[1]
    status, _ = _call(app, method, path, body, query)
    assert 200 <= status < 500


@pytest.mark.parametrize("length", ["²", "¹²", "-1", "1e3", " "])
def test_a_content_length_that_is_not_ascii_digits_is_400(tmp_path: Path, length: str) -> None:
    """WSGI decodes headers as Latin-1, where "²" is a digit to str.isdigit but not to int()."""
    app = make_app(_witness(tmp_path, ToyLog()))
    seen: dict[str, Any] = {}
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/add-checkpoint",
        "QUERY_STRING": "",
        "CONTENT_LENGTH": length,
        "wsgi.input": io.BytesIO(b"old 0\n"),
    }
    body = b"".join(app(environ, lambda status, headers: seen.update(status=status)))
    assert seen["status"].startswith("400"), (length, seen, body)
    assert body == b"the Content-Length header is not a number\n", body


def test_oversized_bodies_are_413(tmp_path: Path) -> None:
    app = make_app(_witness(tmp_path, ToyLog()), max_body=100)
    assert _call(app, "POST", "/add-checkpoint", b"x" * 101)[0] == 413

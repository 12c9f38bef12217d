"""The log's witness client: POST add-checkpoint and GET checkpoint against a real witness
application on loopback; every HTTP answer comes back as a reply, a dead address as OSError."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from tests.factories.transparency import WITNESS_SEED, ToyLog
from tocsin.ledger import CosignatureSigner, open_checkpoint, verify_cosignatures
from tocsin.witness import KnownLog, Witness, WitnessClient, make_app


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, ToyLog, Witness]]:
    log = ToyLog().grow(5)
    signer = CosignatureSigner("witness.test/oversight", WITNESS_SEED)
    known = {log.origin: KnownLog(log.origin, (log.signer.verifier(),))}
    witness = Witness(tmp_path / "state.sqlite3", signer, known)
    server = make_server("127.0.0.1", 0, make_app(witness), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", log, witness
    finally:
        server.shutdown()
        server.server_close()


def test_a_checkpoint_is_posted_then_read_back_cosigned(
    served: tuple[str, ToyLog, Witness],
) -> None:
    url, log, witness = served
    client = WitnessClient(url)
    assert client.latest_checkpoint(log.origin).status == 404
    reply = client.add_checkpoint(log.add_request(0, 5))
    assert reply.status == 200
    assert verify_cosignatures(log.signed(5) + reply.text, [witness.signer.verifier()])
    latest = client.latest_checkpoint(log.origin)
    assert latest.status == 200
    assert open_checkpoint(latest.text, log.signer.verifier()).checkpoint.size == 5


def test_a_refusal_comes_back_as_a_reply_with_its_status(
    served: tuple[str, ToyLog, Witness],
) -> None:
    url, log, _ = served
    client = WitnessClient(url)
    assert client.add_checkpoint(log.add_request(0, 5)).status == 200
    stale = client.add_checkpoint(log.add_request(0, 5))  # the witness has seen size 5 already
    assert stale.status == 409
    assert stale.text.strip() == "5"


def test_a_witness_that_cannot_be_reached_raises_oserror() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OSError, match="refused"):
        WitnessClient(f"http://127.0.0.1:{port}", timeout=2).latest_checkpoint("tocsin.test/x")

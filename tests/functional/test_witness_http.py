"""The witness over real HTTP on 127.0.0.1 (waitress): answers, a fork, 8 concurrent clients,
and the ``tocsin witness`` command."""

from __future__ import annotations

import http.client
import io
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command

from tests.factories.transparency import WITNESS_SEED, ToyLog
from tocsin.ledger import CosignatureSigner, open_checkpoint, verify_cosignatures
from tocsin.server.cli.base import UsageError
from tocsin.witness import KnownLog, Witness, create_server

WITNESS_NAME = "witness.test/oversight"


class _Running:
    def __init__(self, witness: Witness) -> None:
        self.witness = witness
        self.server = create_server(witness, "127.0.0.1", 0, threads=8)
        self.port = int(self.server.effective_port)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def stop(self) -> None:
        # Close the sockets from inside the server's own loop (closing them from this thread
        # races its select); the loop ends when its socket map is empty.
        from waitress import wasyncore

        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
        self.thread.join(timeout=10)
        self.server.task_dispatcher.shutdown()


def _request(
    connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None
) -> tuple[int, str, bytes]:
    connection.request(method, path, body=body)
    response = connection.getresponse()
    return response.status, response.getheader("Content-Type", ""), response.read()


@pytest.fixture
def main_log() -> ToyLog:
    return ToyLog(history="main").grow(64)


@pytest.fixture
def running(tmp_path: Path, main_log: ToyLog) -> Iterator[_Running]:
    signer = CosignatureSigner(WITNESS_NAME, WITNESS_SEED)
    known = {main_log.origin: KnownLog(main_log.origin, (main_log.signer.verifier(),))}
    serving = _Running(Witness(tmp_path / "state.sqlite3", signer, known))
    yield serving
    serving.stop()


def test_answers_over_http(running: _Running, main_log: ToyLog) -> None:
    connection = running.connect()
    try:
        status, _, body = _request(
            connection, "POST", "/add-checkpoint", main_log.add_request(0, 10)
        )
        assert status == 200
        assert verify_cosignatures(
            main_log.signed(10) + body.decode(), [running.witness.signer.verifier()]
        )
        status, content_type, body = _request(
            connection, "POST", "/add-checkpoint", main_log.add_request(0, 20)
        )
        assert (status, content_type, body) == (409, "text/x.tlog.size", b"10\n")
        path = "/checkpoint?origin=" + quote(main_log.origin)
        status, _, body = _request(connection, "GET", path)
        assert status == 200
        assert open_checkpoint(body, main_log.signer.verifier()).checkpoint.size == 10
        assert _request(connection, "GET", "/checkpoint?origin=nobody")[0] == 404
        assert (
            _request(connection, "GET", "/vkey")[2].decode().strip() == running.witness.signer.vkey
        )
        assert _request(connection, "GET", "/add-checkpoint")[0] == 405
        assert _request(connection, "POST", "/add-checkpoint", b"x" * 70_000)[0] == 413
    finally:
        connection.close()


def test_fork_is_refused_over_http(running: _Running, main_log: ToyLog) -> None:
    fork = ToyLog(history="fork").grow(64)
    connection = running.connect()
    try:
        assert (
            _request(connection, "POST", "/add-checkpoint", main_log.add_request(0, 32))[0] == 200
        )
        assert (
            _request(connection, "POST", "/add-checkpoint", fork.add_request(32, 32, []))[0] == 409
        )
        assert _request(connection, "POST", "/add-checkpoint", fork.add_request(32, 64))[0] == 422
        assert (
            _request(connection, "POST", "/add-checkpoint", main_log.add_request(32, 64))[0] == 200
        )
    finally:
        connection.close()


def test_eight_clients_1000_requests_no_lost_update_no_fork_cosigned(tmp_path: Path) -> None:
    main = ToyLog(history="main").grow(2100)
    fork = ToyLog(history="fork").grow(2100)
    for size in range(1, 2101):
        main.signed(size)
        fork.signed(size)
    signer = CosignatureSigner(WITNESS_NAME, WITNESS_SEED)
    known = {main.origin: KnownLog(main.origin, (main.signer.verifier(),))}
    serving = _Running(Witness(tmp_path / "state.sqlite3", signer, known))
    accepted: list[tuple[int, int, bytes]] = []
    problems: list[str] = []
    lock = threading.Lock()

    def client(seed: int, count: int) -> None:
        rng = random.Random(seed)
        belief = 0
        connection = serving.connect()
        try:
            for _ in range(count):
                if rng.random() < 0.1 and belief > 0:
                    target = belief + rng.randint(0, 2)
                    status, _, body = _request(
                        connection, "POST", "/add-checkpoint", fork.add_request(belief, target)
                    )
                    if status not in (409, 422):
                        problems.append(f"fork {belief}->{target} answered {status}")
                    continue
                target = belief + rng.randint(1, 2)
                request = main.add_request(belief, target)
                status, _, body = _request(connection, "POST", "/add-checkpoint", request)
                if status == 200:
                    with lock:
                        accepted.append((belief, target, body))
                    belief = target
                elif status == 409:
                    belief = int(body)
                else:
                    problems.append(f"main {belief}->{target} answered {status}: {body[:80]!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n, 125)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    try:
        assert not problems, problems[:5]
        accepted.sort(key=lambda edge: edge[1])
        # Serialisable: the accepted requests form one chain 0 -> ... -> final size.
        previous = 0
        for old, new, _ in accepted:
            assert old == previous, f"a cosignature from {old} after the witness was at {previous}"
            previous = new
        verifier = signer.verifier()
        for _, new, line in accepted:
            verify_cosignatures(main.signed(new) + line.decode(), [verifier])
        connection = serving.connect()
        try:
            status, _, body = _request(
                connection, "GET", "/checkpoint?origin=" + quote(main.origin)
            )
        finally:
            connection.close()
        assert status == 200
        assert open_checkpoint(body, main.signer.verifier()).checkpoint.size == previous
        assert len(accepted) > 8
    finally:
        serving.stop()


# --- the command ----------------------------------------------------------------------------


def test_command_init_and_vkey(tmp_path: Path) -> None:
    state = tmp_path / "w"
    out = io.StringIO()
    call_command("witness", "init", "--name", WITNESS_NAME, "--state", str(state), stdout=out)
    vkey = out.getvalue().strip().splitlines()[-1]
    assert vkey.startswith(WITNESS_NAME + "+")
    out = io.StringIO()
    call_command("witness", "vkey", "--state", str(state), stdout=out)
    assert out.getvalue().strip() == vkey
    with pytest.raises(UsageError, match="already exists"):
        call_command("witness", "init", "--name", WITNESS_NAME, "--state", str(state))
    with pytest.raises(UsageError, match="no witness key"):
        call_command("witness", "vkey", "--state", str(tmp_path / "none"))
    with pytest.raises(UsageError, match="--port"):
        call_command("witness", "serve", "--port", "0", "--state", str(state))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_command_serve_answers(tmp_path: Path) -> None:
    log = ToyLog().grow(3)
    state = tmp_path / "w"
    call_command(
        "witness", "init", "--name", WITNESS_NAME, "--state", str(state), stdout=io.StringIO()
    )
    (state / "logs.toml").write_text(
        f'[[log]]\norigin = "{log.origin}"\nvkey = "{log.signer.vkey}"\n'
    )
    port = _free_port()
    tocsin = str(Path(sys.executable).with_name("tocsin"))
    process = subprocess.Popen(
        [tocsin, "witness", "serve", "--port", str(port), "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    try:
        deadline = time.monotonic() + 30
        answer: tuple[int, str, bytes] | None = None
        while answer is None and time.monotonic() < deadline:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                answer = _request(connection, "POST", "/add-checkpoint", log.add_request(0, 3))
            except OSError:
                time.sleep(0.2)
            finally:
                connection.close()
        assert answer is not None
        assert answer[0] == 200
    finally:
        process.terminate()
        outputs: Any = process.communicate(timeout=10)
        assert b"Traceback" not in outputs[1]

"""Witness throughput: add-checkpoint requests per second from 8 concurrent clients on loopback.

The witness runs in its own process (waitress, 8 threads, SQLite with synchronous=FULL), so
the clients do not share its interpreter. Each client advances its own log, so every request
does the whole job: verify the log's signature and a consistency proof, check-and-store in
``BEGIN IMMEDIATE``, fsync, cosign. The baseline is the same server answering ``GET /vkey``.
"""

from __future__ import annotations

import base64
import http.client
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tocsin.ledger import (  # noqa: E402
    Checkpoint,
    Ed25519Signer,
    Frontier,
    consistency_proof,
    leaf_hash,
    sign_checkpoint,
)
from tocsin.witness import init_witness  # noqa: E402

TITLE = "Witness: add-checkpoint requests per second (8 clients, loopback)"
CLIENTS = 8

_SERVE = (
    "import logging, sys; from pathlib import Path;"
    "logging.getLogger('waitress.queue').setLevel(logging.ERROR);"
    " from tocsin.witness import create_server, open_witness;"
    "create_server(open_witness(Path(sys.argv[1])), '127.0.0.1', int(sys.argv[2]), 8).run()"
)


class _Log:
    """A log in memory: its subtree hashes, roots by size, and add-checkpoint bodies."""

    def __init__(self, number: int, size: int) -> None:
        self.origin = f"bench.test/log{number}"
        self.signer = Ed25519Signer(self.origin, bytes([number]) * 32)
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.roots = {0: Frontier().root()}
        frontier = Frontier()
        for index in range(size):
            for level, position, value in frontier.append(leaf_hash(b"entry %d" % index)):
                self.nodes[(level, position)] = value
            self.roots[frontier.size] = frontier.root()

    def add_request(self, old: int, new: int) -> bytes:
        proof = consistency_proof(old, new, lambda cs: {c: self.nodes[c] for c in cs})
        note = sign_checkpoint(Checkpoint(self.origin, new, self.roots[new]), self.signer)
        lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
        return ("\n".join(lines) + "\n\n" + note).encode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the witness did not start")


def _drive(port: int, bodies: list[list[bytes]] | None, per_client: int) -> float:
    """Requests per second over all clients (POST the bodies, or GET /vkey if None)."""
    barrier = threading.Barrier(CLIENTS + 1)
    failures: list[int] = []

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        for i in range(per_client):
            if bodies is None:
                connection.request("GET", "/vkey")
            else:
                connection.request("POST", "/add-checkpoint", body=bodies[number][i])
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. HTTP {failures[0]}")
    return CLIENTS * per_client / elapsed


def run(quick: bool) -> str:
    per_client = 50 if quick else 250
    logs = [_Log(n, per_client * 3 + 1) for n in range(CLIENTS)]
    bodies = [[log.add_request(3 * i, 3 * (i + 1)) for i in range(per_client)] for log in logs]
    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder)
        init_witness(state, "bench.test/witness")
        (state / "logs.toml").write_text(
            "".join(
                f'[[log]]\norigin = "{log.origin}"\nvkey = "{log.signer.vkey}"\n' for log in logs
            )
        )
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-c", _SERVE, str(state), str(port)])
        try:
            _wait(port)
            baseline = _drive(port, None, per_client)
            added = _drive(port, bodies, per_client)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return "\n".join(
        [
            f"{CLIENTS} clients with keep-alive connections, {CLIENTS * per_client} requests each "
            "measurement; witness in its own process (waitress, 8 threads); every add-checkpoint "
            "verifies an Ed25519 log signature and a consistency proof, commits to SQLite "
            "(WAL, synchronous=FULL) and cosigns.",
            "",
            "| request | requests/s | relative to baseline |",
            "| --- | ---: | ---: |",
            f"| `GET /vkey` (baseline: same server, no work) | {baseline:,.0f} | 1.00 |",
            f"| `POST /add-checkpoint` (200, cosigned) | {added:,.0f} | {added / baseline:.2f} |",
        ]
    )

"""The demonstration's own witness: a ``tocsin witness serve`` process with a state folder of
its own, so that the demonstration's checkpoints are cosigned outside its database.

The state folder (``$TOCSIN_HOME/demo-witness`` by default) holds the witness's key, its logs
file (the demonstration's origin and log key) and its SQLite state; the process gets a home of
its own inside it and no database URL, so it never touches the ledger's database. In
production the witness runs on a machine the log's operator does not control
(docs/witness.md); this one only shows the mechanism.
"""

from __future__ import annotations

import os
import socket
import subprocess  # starts our own witness: a fixed argv, no shell  # nosec B404
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from tocsin.witness import KEY_FILE, LOGS_FILE, VKEY_FILE, init_witness

__all__ = ["DEMO_WITNESS_NAME", "DemoWitness", "DemoWitnessError", "prepare_demo_witness"]

DEMO_WITNESS_NAME = "demo-witness.tocsin.invalid"
_START_SECONDS = 30


class DemoWitnessError(RuntimeError):
    """The demonstration's witness could not be set up or started; the message says why."""


def prepare_demo_witness(state: Path, origin: str, log_vkey: str) -> str:
    """Create the witness's state folder (once) and point it at this log; return its vkey."""
    if not (state / KEY_FILE).exists():
        init_witness(state, DEMO_WITNESS_NAME)
    (state / LOGS_FILE).write_text(
        "# Written by tocsin demo: the demonstration's own log.\n"
        f'[[log]]\norigin = "{origin}"\nvkey = "{log_vkey}"\n',
        encoding="utf-8",
    )
    return (state / VKEY_FILE).read_text(encoding="utf-8").strip()


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class DemoWitness:
    """A running witness process (use as a context manager: it is stopped on leaving)."""

    state: Path
    host: str = "127.0.0.1"
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> DemoWitness:
        self.port = self.port or _free_port(self.host)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TOCSIN_", "DATABASE_URL", "DJANGO_"))
        }
        env["TOCSIN_HOME"] = str(self.state / "home")
        command = [sys.executable, "-m", "tocsin", "witness", "serve", "--host", self.host]
        command += ["--port", str(self.port), "--state", str(self.state)]
        log = (self.state / "witness.log").open("ab")
        try:
            self.process = subprocess.Popen(  # our interpreter, fixed arguments  # nosec B603
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()
        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DemoWitnessError(
                    "the demonstration's witness stopped at once (exit "
                    f"{self.process.returncode}); see {self.state / 'witness.log'}"
                )
            try:
                # Our own witness's http:// URL on the loopback, which this class built.
                with urllib.request.urlopen(f"{self.url}/vkey", timeout=2):  # noqa: S310 - loopback  # nosec B310
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise DemoWitnessError(
            f"the demonstration's witness did not answer on {self.url} within {_START_SECONDS} s"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> DemoWitness:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

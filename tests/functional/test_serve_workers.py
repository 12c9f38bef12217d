"""``tocsin serve`` scales out: ``--processes N`` forks N waitress servers sharing one port (the
first runs the checkpoint and clocks workers), a worker that dies is replaced, and stopping the
server stops them all. Defaults by database: one process on SQLite, one per core (at least two)
on PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import time
import urllib.request
from pathlib import Path

from tests.functional.conftest import Cli
from tocsin.server.cli.management.commands.serve import default_processes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
        if fields.get("PPid", "").strip() == str(pid):
            found.add(int(status.parent.name))
    return found


def _answers(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/?about", timeout=5) as response:  # noqa: S310
                assert response.status == 200
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_defaults_by_database() -> None:
    assert default_processes("sqlite", cpus=8) == 1
    assert default_processes("postgresql", cpus=8) == 8
    assert default_processes("postgresql", cpus=1) == 2


def test_processes_share_the_port_are_replaced_and_stop_together(cli: Cli) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = cli.popen("serve", "--port", str(port), "--processes", "3", "--threads", "2")
    try:
        _answers(url)
        deadline = time.monotonic() + 30
        while len(workers := _children(server.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 3, "three worker processes"
        for _ in range(12):  # every answer is a page, whichever process takes it
            _answers(url, timeout=10)

        # One dies: the server starts another, and answers throughout.
        victim = min(workers)
        signal_sent = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        while time.monotonic() - signal_sent < 30:
            now = _children(server.pid)
            if victim not in now and len(now) == 3:
                break
            time.sleep(0.2)
        now = _children(server.pid)
        assert victim not in now and len(now) == 3, "the dead worker is replaced"
        _answers(url, timeout=10)
    finally:
        server.terminate()
        out, _err = server.communicate(timeout=30)
    assert server.returncode is not None
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in now) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in now if Path(f"/proc/{pid}/status").exists()], (
        "stopping the server stops every worker"
    )
    assert "3 processes of 2 threads" in out


def test_refuses_zero_processes(cli: Cli) -> None:
    result = cli.run("serve", "--processes", "0", check=False)
    assert result.returncode != 0
    assert "--processes must be at least 1" in result.stderr

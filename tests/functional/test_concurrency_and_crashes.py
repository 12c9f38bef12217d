"""Several processes appending at once never leave a gap, a duplicate or a fork; killing a
writer with SIGKILL at any moment leaves a ledger that verifies and holds every event the
writer reported as committed. Both run against SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
import signal
import threading
import time

import pytest

from tests.functional.conftest import Cli
from tocsin.ledger import Envelope

pytestmark = pytest.mark.slow

WRITERS = 4
EVENTS_EACH = 30


def test_concurrent_writers_in_several_processes_leave_a_dense_verifiable_ledger(cli: Cli) -> None:
    writers = [
        cli.popen(
            "bench",
            "ledger",
            "--events",
            str(EVENTS_EACH),
            "--no-baseline",
            "--block",
            "5",
            "--report-committed",
        )
        for _ in range(WRITERS)
    ]
    reported: list[int] = []
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        reported += [int(line.split()[1]) for line in out.splitlines()]
    total = WRITERS * EVENTS_EACH
    assert sorted(reported) == list(range(total)), "each event got its own sequence number"
    leaves = json.loads(cli.run("ledger", "leaves", "--json").stdout)["leaves"]
    import base64

    seqs = [Envelope.parse(base64.b64decode(leaf)).seq for leaf in leaves]
    assert seqs == list(range(total))
    report = json.loads(cli.run("verify", "--json").stdout)
    assert report["ok"], report["problems"]
    assert report["size"] == total


KILLS = 10


def test_sigkill_at_random_moments_never_loses_a_committed_event(cli: Cli) -> None:
    chance = random.Random(20261129)  # fixed, so a failure can be replayed
    last_size = 0
    for attempt in range(KILLS):
        writer = cli.popen(
            "bench",
            "ledger",
            "--events",
            "100000",
            "--no-baseline",
            "--block",
            "50",
            "--report-committed",
        )
        committed: list[int] = []

        def read(stream=writer.stdout, sink=committed) -> None:  # type: ignore[no-untyped-def]
            for line in stream:
                if line.startswith("committed "):
                    sink.append(int(line.split()[1]))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        # Wait for the writer to be appending, then kill it at a random moment.
        deadline = time.monotonic() + 60
        while not committed and time.monotonic() < deadline and writer.poll() is None:
            time.sleep(0.02)
        assert committed, f"attempt {attempt}: the writer never committed"
        time.sleep(chance.uniform(0.0, 0.8))
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        reader.join(timeout=10)
        for stream in (writer.stdout, writer.stderr):
            if stream is not None:
                stream.close()
        report = json.loads(cli.run("verify", "--json").stdout)
        assert report["ok"], f"attempt {attempt}: {report['problems'][:5]}"
        assert report["size"] >= max(committed) + 1, (
            f"attempt {attempt}: the writer reported seq {max(committed)} committed but the "
            f"ledger holds {report['size']} events"
        )
        assert report["size"] >= last_size
        last_size = report["size"]


def test_a_ledger_being_appended_to_verifies_as_of_one_moment(cli: Cli) -> None:
    """tocsin verify reads one snapshot: appends made while it runs are not tampering."""
    cli.run("migrate", "-v", "0")
    cli.run("bench", "ledger", "--events", "200", "--no-baseline")
    writer = cli.popen("bench", "ledger", "--events", "3000", "--no-baseline")
    try:
        sizes = []
        while writer.poll() is None and len(sizes) < 4:
            report = json.loads(cli.run("verify", "--json", check=False).stdout)
            assert report["ok"], report["problems"][:5]
            sizes.append(report["size"])
    finally:
        writer.communicate(timeout=300)
    assert writer.returncode == 0
    assert sizes and sizes[0] < 3200, "the writer finished before verify could overlap it"

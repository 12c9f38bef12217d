"""Long commands tell a log how they are getting on: with standard error not a terminal, a
plain line every ``TOCSIN_PROGRESS_INTERVAL`` seconds for each phase (count, share, time so
far, time left) and one as each phase ends; nothing from a command shorter than the interval.
The demo at small scale, end to end: every phase reported, then a ledger that verifies."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.functional.conftest import TOCSIN

LINE = re.compile(
    r"^tocsin (?P<command>\w+): (?P<phase>[a-z ]+) (?P<done>[\d,]+)(?: of (?P<total>[\d,]+) "
    r"\(\d+%\))?; \d[\w ]* so far(?:, about [\w ]+ left|, done)?$"
)


def run(home: Path, interval: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DJANGO_"))}
    env["TOCSIN_HOME"] = str(home)
    env["TOCSIN_PROGRESS_INTERVAL"] = interval
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [TOCSIN, *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def phases(stderr: str, command: str) -> dict[str, list[re.Match[str]]]:
    found: dict[str, list[re.Match[str]]] = {}
    for line in stderr.splitlines():
        match = LINE.match(line)
        assert match is not None, f"not a progress line: {line!r}"
        assert match["command"] == command
        found.setdefault(match["phase"], []).append(match)
    return found


def test_simulate_writes_a_line_for_each_phase_when_not_on_a_terminal(tmp_path: Path) -> None:
    out = tmp_path / "world"
    result = run(tmp_path, "0", "simulate", "--seed", "5", "--out", str(out))
    assert result.returncode == 0, result.stderr
    seen = phases(result.stderr, "simulate")
    assert set(seen) == {"simulating", "writing files"}
    for lines in seen.values():
        # Counts only grow, end with the whole, and the last line says the phase is done.
        counts = [int(m["done"].replace(",", "")) for m in lines]
        assert counts == sorted(counts)
        assert lines[-1]["done"] == lines[-1]["total"] and lines[-1][0].endswith(", done")
    assert any(" left" in m[0] for m in seen["writing files"])
    assert "Simulated" in result.stdout and "tocsin simulate:" not in result.stdout


def test_a_command_shorter_than_the_interval_prints_no_progress(tmp_path: Path) -> None:
    result = run(tmp_path, "3600", "simulate", "--seed", "5", "--out", str(tmp_path / "w"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_the_small_demo_loads_with_progress_and_its_ledger_verifies(tmp_path: Path) -> None:
    result = run(tmp_path, "0", "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    seen = phases(result.stderr, "demo")
    assert {
        "simulating",
        "concerns",
        "case work",
        "public reports",
        "reading the ledger",
        "checkpoint",
    } <= set(seen)
    for phase in ("simulating", "concerns", "case work", "public reports", "checkpoint"):
        assert seen[phase][-1][0].endswith(", done"), seen[phase][-1][0]
    assert re.search(r"Loaded 11 agencies, \d+ teams, \d+ staff, 2\d\d concerns", result.stdout)
    verified = run(tmp_path, "0", "verify", "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert '"ok": true' in verified.stdout
    assert set(phases(verified.stderr, "verify")) >= {"events"}

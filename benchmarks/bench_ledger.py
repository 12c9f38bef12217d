"""Ledger: append throughput through the full action path against the plain ORM, and
verification of a large ledger (tree recomputation and replay).

Targets (issue 2): appends at least half the plain-ORM rate on SQLite and PostgreSQL; tree
recomputation at 200,000 leaves/s or more and replay at 10,000 events/s or more on a
1,000,000-event ledger.

With ``TOCSIN_BENCH_BASELINE_REV`` set to a git revision, the same ledger is also verified by
that revision's code (checked out into a scratch worktree), alternating with this checkout's,
``TOCSIN_BENCH_VERIFY_ROUNDS`` times each (default 3), and the medians are compared: issue 10
asks that verification be no slower than the commit before it (6e8806f)::

    TOCSIN_BENCH_BASELINE_REV=6e8806f make bench BENCH_ARGS="--only ledger"
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

TITLE = "Ledger: appends and verification"
ROOT = Path(__file__).resolve().parents[1]
# This checkout's code, whatever the virtualenv's editable install points at.
TOCSIN = [sys.executable, "-m", "tocsin"]
POSTGRES = os.environ.get("TOCSIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BASELINE_REV = os.environ.get("TOCSIN_BENCH_BASELINE_REV", "").strip()
ROUNDS = int(os.environ.get("TOCSIN_BENCH_VERIFY_ROUNDS", "3"))
PASSES = ("tree", "events", "projections")


class Run(NamedTuple):
    """One ``tocsin verify`` process."""

    wall: float  # seconds, start-up included
    cpu: float  # user + system seconds: what another process on the machine does not change
    report: dict[str, Any]


def _env(home: str, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DATABASE_URL"))}
    env.update(TOCSIN_HOME=home, DATABASE_URL=database_url, PYTHONPATH=str(ROOT / "src"))
    return env


def _postgres_database() -> tuple[str, str] | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3) as connection:
            name = f"tocsin_bench_{secrets.token_hex(4)}"
            connection.execute(f'CREATE DATABASE "{name}"')
    except Exception:
        return None
    return name, urlunsplit(urlsplit(POSTGRES)._replace(path=f"/{name}"))


def _drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _databases(home: str):  # type: ignore[no-untyped-def]
    yield "SQLite", f"sqlite:///{home}/tocsin.sqlite3", None
    made = _postgres_database()
    if made is None:
        yield "PostgreSQL", None, None
    else:
        yield "PostgreSQL", made[1], made[0]


def _append(events: int) -> list[str]:
    rows = [
        "| Database | Events | Ledger (events/s) | Plain ORM (rows/s) | Ratio | Target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-") as scratch:
        for label, url, pg_name in _databases(scratch):
            if url is None:
                rows.append(f"| {label} | – | not reachable at {POSTGRES} | – | – | – |")
                continue
            rows.append(_append_on(label, url, pg_name, events, scratch))
    return rows


def _append_on(label: str, url: str, pg_name: str | None, events: int, scratch: str) -> str:
    home = tempfile.mkdtemp(prefix="home-", dir=scratch)
    env = _env(home, url)
    try:
        subprocess.run([*TOCSIN, "migrate", "-v", "0"], env=env, check=True)
        out = subprocess.run(
            [*TOCSIN, "bench", "ledger", "--events", str(events), "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        if pg_name:
            _drop_postgres(pg_name)
    result = json.loads(out)
    met = "met" if result["ratio"] >= 0.5 else "**not met**"
    return (
        f"| {label} | {events:,} | {result['ledger_events_per_second']:,.0f} | "
        f"{result['baseline_rows_per_second']:,.0f} | {result['ratio']:.2f} | ≥ 0.50: {met} |"
    )


def _verify(events: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-") as home:  # a 1 GB database
        if not BASELINE_REV:
            return _verify_in(home, events)
        with _checkout(BASELINE_REV) as baseline:
            return _verify_in(home, events, baseline)


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@contextmanager
def _checkout(rev: str) -> Iterator[tuple[str, Path]]:
    """``rev``'s source in a scratch worktree: (its short commit, its ``src`` directory)."""
    commit = _git("rev-parse", "--short", f"{rev}^{{commit}}")
    scratch = tempfile.mkdtemp(prefix="tocsin-baseline-")
    _git("worktree", "add", "--detach", "--quiet", scratch, commit)
    try:
        yield commit, Path(scratch) / "src"
    finally:
        _git("worktree", "remove", "--force", scratch)


def _this_commit() -> str:
    # The last commit that changed the code, not a later one that only changed the docs.
    commit = _git("log", "-1", "--format=%h", "HEAD", "--", "src")
    return commit + (" with uncommitted changes" if _git("status", "--porcelain", "src") else "")


def _passes(run: Run) -> float:
    return float(sum(run.report["timings"][p] for p in PASSES))


def _verify_once(env: dict[str, str], src: Path) -> Run:
    """``tocsin verify --json`` on ``src``'s code, in a process of its own: what a scrutineer
    runs."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    verified = subprocess.run(
        [*TOCSIN, "verify", "--json"],
        env={**env, "PYTHONPATH": str(src)},
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
    report = json.loads(verified.stdout)
    if not report["ok"]:
        raise RuntimeError(f"the benchmark ledger does not verify: {report['problems'][:3]}")
    return Run(wall, cpu, report)


def _verify_in(home: str, events: int, baseline: tuple[str, Path] | None = None) -> list[str]:
    env = _env(home, f"sqlite:///{home}/tocsin.sqlite3")
    src = ROOT / "src"  # this checkout's code, whatever the virtualenv's editable install names
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "_ledger_world.py"), str(events)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout)
    runs: list[Run] = []
    before: list[Run] = []
    if baseline is None:
        runs.append(_verify_once(env, src))
    else:
        # Alternate on the same file, so that drift in the machine's speed falls on both.
        for _ in range(ROUNDS):
            before.append(_verify_once(env, baseline[1]))
            runs.append(_verify_once(env, src))
    report = runs[0].report

    def median(of: list[Run], phase: str) -> float:
        if phase == "process":
            return float(statistics.median(run.wall for run in of))
        if phase == "cpu":
            return float(statistics.median(run.cpu for run in of))
        if phase == "passes":
            return float(statistics.median(_passes(run) for run in of))
        return float(statistics.median(run.report["timings"][phase] for run in of))

    result.update(
        tree_seconds=median(runs, "tree"),
        events_seconds=median(runs, "events"),
        projections_seconds=median(runs, "projections"),
        rows=report["counts"]["rows"],
    )
    size = Path(home, "tocsin.sqlite3").stat().st_size
    tree_rate = events / result["tree_seconds"]
    replay_seconds = result["events_seconds"] + result["projections_seconds"]
    replay_rate = events / replay_seconds
    lines = [
        "| Measure | Figure | Target |",
        "| --- | --- | --- |",
        f"| Ledger size | {events:,} events, {result['rows']:,} projection rows, "
        f"{size / 2**20:,.0f} MiB SQLite file | – |",
        f"| Building it (batches of 1,000 events per transaction) | "
        f"{result['build_seconds']:,.1f} s "
        f"({events / result['build_seconds']:,.0f} events/s) | – |",
        f"| Tree: read every leaf, rehash, rebuild and compare every stored subtree and the "
        f"root | {result['tree_seconds']:,.1f} s = **{tree_rate:,.0f} leaves/s** | "
        f"≥ 200,000: {'met' if tree_rate >= 200_000 else '**not met**'} |",
        f"| Replay: parse and check every envelope and commitment, apply every event, write "
        f"the scratch database, compare every row | {replay_seconds:,.1f} s "
        f"(events {result['events_seconds']:,.1f} s + projections "
        f"{result['projections_seconds']:,.1f} s) = **{replay_rate:,.0f} events/s** | "
        f"≥ 10,000: {'met' if replay_rate >= 10_000 else '**not met**'} |",
    ]
    if baseline is None:
        return lines
    return [
        *lines,
        "",
        *_comparison(baseline[0], before, runs, median),
    ]


def _comparison(
    baseline: str, before: list[Run], after: list[Run], median: Callable[[list[Run], str], float]
) -> list[str]:
    this = _this_commit()
    names = {
        "tree": "Tree",
        "events": "Events (pass 2 and the replay into memory)",
        "projections": "Projections (scratch database, row-by-row comparison)",
        "passes": "All three passes",
        "process": "The whole `tocsin verify --json` process (start-up included)",
        "cpu": "Its CPU time (user + system), which other work on the machine hardly changes",
    }
    lines = [
        f"Verification against the code before issue 10, in the same run: the ledger above "
        f"verified {len(before)} times by `{baseline}` (TOCSIN_BENCH_BASELINE_REV) and "
        f"{len(after)} times by `{this}`, alternately, on the same database file; median "
        "seconds per pass as `tocsin verify` times them. Repeat with "
        f'`TOCSIN_BENCH_BASELINE_REV={baseline} make bench BENCH_ARGS="--only ledger"`.',
        "",
        f"| Pass | Before, `{baseline}` (s) | After, `{this}` (s) | After / before |",
        "| --- | --- | --- | --- |",
    ]
    for phase, name in names.items():
        b, a = median(before, phase), median(after, phase)
        lines.append(f"| {name} | {b:,.2f} | {a:,.2f} | {a / b:.2f} |")

    def each(of: list[Run]) -> str:
        return ", ".join(f"{_passes(run):.1f} ({run.cpu:.1f} CPU)" for run in of)

    lines += [
        "",
        f"Each run's three passes (s), in order: before {each(before)}; after {each(after)}.",
    ]
    return lines


def run(quick: bool) -> str:
    appends = 300 if quick else 3000
    large = 20_000 if quick else 1_000_000
    lines = [
        "`tocsin bench ledger --events N`: each event is one `do_register_agency` call "
        "(validation query, append of leaf, payload, subtree hashes and head, projection row, "
        "one transaction); the baseline writes the same agency columns with "
        "`Model.objects.create` in its own transaction. Both run interleaved in blocks of 100 "
        "in one process on one database (SQLite: WAL, synchronous=FULL).",
        "",
        *_append(appends),
        "",
        f"Verification of a {large:,}-event ledger on SQLite by `tocsin verify --json` in a "
        "process of its own (its three passes, as it times them):",
        "",
        *_verify(large),
    ]
    return "\n".join(lines)
